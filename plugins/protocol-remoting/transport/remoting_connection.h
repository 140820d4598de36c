// RemotingConnection: one TCP connection speaking RocketMQ remoting, either side. It reads
// frames, hands requests to a handler, matches responses to the requests it sent (by
// opaque, with a timeout each), and writes frames from a queue with gather writes, so a
// response body can be records viewed in the mapped commit log (StoredRecord), sent
// without copying and kept alive until written.
//
// A framing error (a frame over the size limit, a bad header, an unknown serialization)
// cannot be resynchronised: the connection is closed with a log line naming the peer.
//
// Thread-safety: the connection lives on one io_context (one thread); every public method
// may be called from any thread and posts its work there. Handlers and callbacks run on
// that thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "remoting_command.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::remoting {

class RemotingConnection : public std::enable_shared_from_this<RemotingConnection> {
 public:
  using RequestHandler = std::function<void(const std::shared_ptr<RemotingConnection>&, RemotingCommand)>;
  using CloseHandler = std::function<void(RemotingConnection*)>;
  // The response to a request this side sent, or Timeout / Unavailable (connection closed).
  using ResponseCallback = std::function<void(Result<RemotingCommand>)>;

  // `socket` is connected; its executor is the connection's thread.
  RemotingConnection(boost::asio::ip::tcp::socket socket, Logger& logger, size_t max_frame);
  ~RemotingConnection();
  RemotingConnection(const RemotingConnection&) = delete;
  RemotingConnection& operator=(const RemotingConnection&) = delete;

  // Starts reading. `on_request` gets every request (never responses); `on_close` runs once
  // when the connection closes for any reason.
  void start(RequestHandler on_request, CloseHandler on_close);

  // Queues `cmd` with `records` appended to its body (the frame length counts both).
  void send(RemotingCommand cmd, std::vector<StoredRecord> records = {});
  // Sends `response` for `request` unless the request was oneway: sets its opaque,
  // response flag and the request's serialization.
  void respond(const RemotingCommand& request, RemotingCommand response, std::vector<StoredRecord> records = {});
  // Sends a request and calls `done` once: with the response, or Timeout after `timeout`,
  // or Unavailable if the connection closes first. Sets the request's opaque.
  void invoke(RemotingCommand request, std::chrono::milliseconds timeout, ResponseCallback done);
  // Sends a request with the oneway flag; no response is expected.
  void invoke_oneway(RemotingCommand request);
  // Runs `fn` on the connection's thread (unless the connection is closed by then).
  void post(std::function<void()> fn);
  // Closes the socket (after nothing: queued writes are dropped). Idempotent.
  void close(std::string reason);

  bool is_open() const { return open_.load(std::memory_order_acquire); }
  // "ip:port" of the other side; "local" side likewise.
  const std::string& peer() const { return peer_; }
  const std::string& local() const { return local_; }
  boost::asio::ip::tcp::endpoint local_endpoint() const { return local_endpoint_; }
  boost::asio::ip::tcp::endpoint remote_endpoint() const { return remote_endpoint_; }

 private:
  struct OutFrame {
    std::string head;  // length prefix, header and the command's own body
    std::vector<StoredRecord> records;
  };
  struct Pending {
    ResponseCallback done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  void read_more();
  void on_read(size_t n);
  void dispatch(RemotingCommand cmd);
  void enqueue(OutFrame frame);
  void write_more();
  void do_close(const std::string& reason);
  void fail_pending(const Status& status);

  boost::asio::ip::tcp::socket socket_;
  Logger& logger_;
  const size_t max_frame_;
  std::string peer_, local_;
  boost::asio::ip::tcp::endpoint local_endpoint_, remote_endpoint_;
  std::atomic<bool> open_{true};
  std::atomic<int32_t> next_opaque_{1};

  // Touched only on the connection's thread:
  RequestHandler on_request_;
  CloseHandler on_close_;
  std::string in_;            // bytes read, not yet decoded
  std::vector<char> chunk_;   // read buffer
  std::deque<OutFrame> out_;  // queued frames; the front ones may be in flight
  size_t in_flight_ = 0;      // frames of out_ being written
  std::unordered_map<int32_t, Pending> pending_;
  bool closed_ = false;
};

}  // namespace tern::remoting
