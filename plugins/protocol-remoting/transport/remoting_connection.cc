// RemotingConnection (contract in remoting_connection.h).
#include "remoting_connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace tern::remoting {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Frames gathered into one write: enough to batch pipelined responses, few enough to
// keep the buffer list short.
constexpr size_t kMaxFramesPerWrite = 64;

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

void patch_length(std::string* frame, uint64_t extra) {
  uint32_t len = (static_cast<uint32_t>(static_cast<unsigned char>((*frame)[0])) << 24) |
                 (static_cast<uint32_t>(static_cast<unsigned char>((*frame)[1])) << 16) |
                 (static_cast<uint32_t>(static_cast<unsigned char>((*frame)[2])) << 8) |
                 static_cast<uint32_t>(static_cast<unsigned char>((*frame)[3]));
  len += static_cast<uint32_t>(extra);
  (*frame)[0] = static_cast<char>(len >> 24);
  (*frame)[1] = static_cast<char>((len >> 16) & 0xFF);
  (*frame)[2] = static_cast<char>((len >> 8) & 0xFF);
  (*frame)[3] = static_cast<char>(len & 0xFF);
}

}  // namespace

RemotingConnection::RemotingConnection(boost::asio::ip::tcp::socket socket, Logger& logger, size_t max_frame)
    : socket_(std::move(socket)), logger_(logger), max_frame_(max_frame), chunk_(kReadChunk) {
  boost::system::error_code ec;
  remote_endpoint_ = socket_.remote_endpoint(ec);
  local_endpoint_ = socket_.local_endpoint(ec);
  peer_ = endpoint_text(remote_endpoint_);
  local_ = endpoint_text(local_endpoint_);
  socket_.set_option(boost::asio::ip::tcp::no_delay(true), ec);
}

RemotingConnection::~RemotingConnection() = default;

void RemotingConnection::start(RequestHandler on_request, CloseHandler on_close) {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this(), on_request = std::move(on_request),
                                             on_close = std::move(on_close)]() mutable {
    self->on_request_ = std::move(on_request);
    self->on_close_ = std::move(on_close);
    if (self->closed_) {
      if (self->on_close_) std::exchange(self->on_close_, nullptr)(self.get());
      return;
    }
    self->read_more();
  });
}

void RemotingConnection::read_more() {
  socket_.async_read_some(boost::asio::buffer(chunk_), [self = shared_from_this()](
                                                           const boost::system::error_code& ec, size_t n) {
    if (ec) {
      self->do_close(ec == boost::asio::error::eof ? "closed by peer" : "read failed: " + ec.message());
      return;
    }
    self->on_read(n);
  });
}

void RemotingConnection::on_read(size_t n) {
  if (closed_) return;
  in_.append(chunk_.data(), n);
  size_t offset = 0;
  while (!closed_) {
    size_t consumed = 0;
    auto decoded = decode_frame(std::string_view(in_).substr(offset), max_frame_, &consumed);
    if (!decoded.is_ok()) {
      logger_.warn("closing remoting connection from ", peer_, ": ", decoded.status().message());
      do_close("bad frame");
      return;
    }
    if (!decoded->has_value()) break;
    offset += consumed;
    dispatch(std::move(**decoded));
  }
  if (closed_) return;
  in_.erase(0, offset);
  read_more();
}

void RemotingConnection::dispatch(RemotingCommand cmd) {
  if (cmd.is_response()) {
    auto it = pending_.find(cmd.opaque);
    if (it == pending_.end()) {
      logger_.debug("response from ", peer_, " with opaque ", cmd.opaque, " matches no request (late or unknown)");
      return;
    }
    Pending pending = std::move(it->second);
    pending_.erase(it);
    if (pending.timer) pending.timer->cancel();
    pending.done(std::move(cmd));
    return;
  }
  if (on_request_) on_request_(shared_from_this(), std::move(cmd));
}

void RemotingConnection::send(RemotingCommand cmd, std::vector<StoredRecord> records) {
  OutFrame frame{encode_frame(cmd), std::move(records)};
  uint64_t extra = 0;
  for (const auto& r : frame.records) extra += r.size;
  if (extra != 0) patch_length(&frame.head, extra);
  boost::asio::post(socket_.get_executor(),
                    [self = shared_from_this(), frame = std::move(frame)]() mutable { self->enqueue(std::move(frame)); });
}

void RemotingConnection::respond(const RemotingCommand& request, RemotingCommand response,
                                 std::vector<StoredRecord> records) {
  if (request.is_oneway()) return;
  response.opaque = request.opaque;
  response.flag |= kFlagResponse;
  response.serialize_type = request.serialize_type;
  send(std::move(response), std::move(records));
}

void RemotingConnection::invoke(RemotingCommand request, std::chrono::milliseconds timeout, ResponseCallback done) {
  request.opaque = next_opaque_.fetch_add(1, std::memory_order_relaxed);
  request.flag &= ~(kFlagResponse | kFlagOneway);
  boost::asio::post(socket_.get_executor(), [self = shared_from_this(), request = std::move(request), timeout,
                                             done = std::move(done)]() mutable {
    if (self->closed_) {
      done(Status::unavailable("connection to " + self->peer_ + " is closed"));
      return;
    }
    int32_t opaque = request.opaque;
    Pending pending{std::move(done), std::make_unique<boost::asio::steady_timer>(self->socket_.get_executor())};
    pending.timer->expires_after(timeout);
    pending.timer->async_wait([weak = std::weak_ptr<RemotingConnection>(self), opaque,
                               timeout](const boost::system::error_code& ec) {
      auto me = weak.lock();
      if (ec || !me) return;
      auto it = me->pending_.find(opaque);
      if (it == me->pending_.end()) return;
      auto cb = std::move(it->second.done);
      me->pending_.erase(it);
      cb(Status::timeout("no response from " + me->peer_ + " within " + std::to_string(timeout.count()) + " ms"));
    });
    self->pending_.emplace(opaque, std::move(pending));
    self->enqueue(OutFrame{encode_frame(request), {}});
  });
}

void RemotingConnection::invoke_oneway(RemotingCommand request) {
  request.opaque = next_opaque_.fetch_add(1, std::memory_order_relaxed);
  request.flag = (request.flag & ~kFlagResponse) | kFlagOneway;
  send(std::move(request));
}

void RemotingConnection::enqueue(OutFrame frame) {
  if (closed_) return;
  out_.push_back(std::move(frame));
  if (in_flight_ == 0) write_more();
}

void RemotingConnection::write_more() {
  if (closed_ || out_.empty()) return;
  std::vector<boost::asio::const_buffer> buffers;
  size_t frames = std::min(out_.size(), kMaxFramesPerWrite);
  for (size_t i = 0; i < frames; ++i) {
    const OutFrame& f = out_[i];
    buffers.emplace_back(f.head.data(), f.head.size());
    for (const auto& r : f.records) buffers.emplace_back(r.data, r.size);
  }
  in_flight_ = frames;
  boost::asio::async_write(socket_, buffers, [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
    if (self->closed_) return;
    if (ec) {
      self->do_close("write failed: " + ec.message());
      return;
    }
    for (size_t i = 0; i < self->in_flight_; ++i) self->out_.pop_front();
    self->in_flight_ = 0;
    self->write_more();
  });
}

void RemotingConnection::post(std::function<void()> fn) {
  boost::asio::post(socket_.get_executor(), [self = shared_from_this(), fn = std::move(fn)] {
    if (!self->closed_) fn();
  });
}

void RemotingConnection::close(std::string reason) {
  boost::asio::post(socket_.get_executor(),
                    [self = shared_from_this(), reason = std::move(reason)] { self->do_close(reason); });
}

void RemotingConnection::do_close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  open_.store(false, std::memory_order_release);
  logger_.debug("remoting connection ", peer_, " closed: ", reason);
  boost::system::error_code ec;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  fail_pending(Status::unavailable("connection to " + peer_ + " closed: " + reason));
  // Buffers of an in-flight write must outlive the aborted operation; its handler sees
  // closed_ and returns, after which the frames go with the connection.
  if (on_close_) std::exchange(on_close_, nullptr)(this);
  on_request_ = nullptr;
}

void RemotingConnection::fail_pending(const Status& status) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [opaque, p] : pending) {
    if (p.timer) p.timer->cancel();
    p.done(status);
  }
}

}  // namespace tern::remoting
