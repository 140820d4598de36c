// RemotingServer, RemotingConnection and RemotingClient over loopback sockets.
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "codes.h"
#include "remoting_client.h"
#include "remoting_server.h"

namespace tern::remoting {
namespace {

using namespace std::chrono_literals;

class CapturingLogger : public Logger {
 public:
  void log(LogLevel, std::string_view message) override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(message);
  }
  bool should_log(LogLevel level) const override { return level >= LogLevel::kInfo; }
  bool contains(std::string_view text) const {
    std::lock_guard lock(mu_);
    for (const auto& l : lines_)
      if (l.find(text) != std::string::npos) return true;
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// Two io threads, as the broker's pool would give.
class IoThreads {
 public:
  IoThreads() {
    for (auto& io : ios_) {
      guards_.emplace_back(io.get_executor());
      threads_.emplace_back([&io] { io.run(); });
    }
  }
  ~IoThreads() {
    guards_.clear();
    for (auto& t : threads_) t.join();
  }
  boost::asio::io_context& next() { return ios_[next_++ % 2]; }

 private:
  boost::asio::io_context ios_[2];
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<size_t> next_{0};
};

RemotingCommand request(int32_t code) {
  RemotingCommand cmd;
  cmd.code = code;
  cmd.ext_fields["topic"] = "T";
  return cmd;
}

// Echo server: answers code 1 with the request's topic in remark and body "pong"; never
// answers code 2; answers code 3 with a body of two "stored" records.
class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<RemotingServer>(
        RemotingServerOptions{"127.0.0.1", 0, 1024 * 1024, "test server"}, [this]() -> boost::asio::io_context& { return io_.next(); },
        logger_, [this](const std::shared_ptr<RemotingConnection>& conn, RemotingCommand req) {
          ++requests_;
          if (req.code == 1) {
            auto resp = make_response(req, response_code::kSuccess, req.ext_fields["topic"]);
            resp.body = "pong";
            conn->respond(req, std::move(resp));
          } else if (req.code == 3) {
            auto owner = std::make_shared<std::string>("record-one|record-two");
            std::vector<StoredRecord> records;
            records.push_back(StoredRecord{owner, reinterpret_cast<const uint8_t*>(owner->data()), 11, 0, 0});
            records.push_back(StoredRecord{owner, reinterpret_cast<const uint8_t*>(owner->data()) + 11, 10, 1, 11});
            auto resp = make_response(req, response_code::kSuccess);
            resp.body = "head:";
            conn->respond(req, std::move(resp), std::move(records));
          }
        });
    ASSERT_TRUE(server_->start().is_ok());
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_->stop(); }

  // A plain socket to the server, for raw bytes.
  int raw_connect() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
  }

  CapturingLogger logger_;
  IoThreads io_;
  std::unique_ptr<RemotingServer> server_;
  std::string address_;
  std::atomic<int> requests_{0};
};

TEST_F(TransportTest, RequestAndResponseMatchByOpaque) {
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto resp = client.invoke_sync(address_, request(1), 2s);
  ASSERT_TRUE(resp.is_ok()) << resp.status().message();
  EXPECT_TRUE(resp->is_response());
  EXPECT_EQ(resp->remark.value_or(""), "T");
  EXPECT_EQ(resp->body, "pong");
}

TEST_F(TransportTest, ManyConcurrentRequestsEachGetTheirOwnResponse) {
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  std::vector<std::future<Result<RemotingCommand>>> futures;
  for (int i = 0; i < 200; ++i) {
    auto p = std::make_shared<std::promise<Result<RemotingCommand>>>();
    futures.push_back(p->get_future());
    auto cmd = request(1);
    cmd.ext_fields["topic"] = "T" + std::to_string(i);
    client.invoke(address_, std::move(cmd), 5s, [p](Result<RemotingCommand> r) { p->set_value(std::move(r)); });
  }
  for (int i = 0; i < 200; ++i) {
    auto r = futures[i].get();
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    EXPECT_EQ(r->remark.value_or(""), "T" + std::to_string(i));
  }
  EXPECT_EQ(server_->connection_count(), 1u);  // one connection per address
}

TEST_F(TransportTest, UnansweredRequestTimesOut) {
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto started = std::chrono::steady_clock::now();
  auto resp = client.invoke_sync(address_, request(2), 200ms);
  EXPECT_EQ(resp.status().code(), Status::Code::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 190ms);
}

TEST_F(TransportTest, ConnectFailureNamesTheAddress) {
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto resp = client.invoke_sync("127.0.0.1:1", request(1), 2s);
  ASSERT_FALSE(resp.is_ok());
  EXPECT_NE(resp.status().message().find("127.0.0.1:1"), std::string::npos) << resp.status().message();
  auto bad = client.invoke_sync("no-port", request(1), 2s);
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
}

TEST_F(TransportTest, RecordsAreAppendedToTheBodyAndCountedInTheLength) {
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto resp = client.invoke_sync(address_, request(3), 2s);
  ASSERT_TRUE(resp.is_ok()) << resp.status().message();
  EXPECT_EQ(resp->body, "head:record-one|record-two");
}

TEST_F(TransportTest, OversizedFrameClosesTheConnectionAndNamesThePeer) {
  int fd = raw_connect();
  uint32_t huge = htonl(64u * 1024 * 1024);
  ASSERT_EQ(::send(fd, &huge, 4, 0), 4);
  char buf[16];
  EXPECT_EQ(::recv(fd, buf, sizeof buf, 0), 0);  // orderly close, nothing answered
  ::close(fd);
  for (int i = 0; i < 100 && !logger_.contains("closing remoting connection from 127.0.0.1:"); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(logger_.contains("closing remoting connection from 127.0.0.1:"));
  // The server still serves others.
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  EXPECT_TRUE(client.invoke_sync(address_, request(1), 2s).is_ok());
}

TEST_F(TransportTest, FramesSplitAcrossReadsAndPipelinedInOneWriteAreAllServed) {
  int fd = raw_connect();
  std::string bytes;
  for (int i = 0; i < 3; ++i) {
    auto cmd = request(1);
    cmd.opaque = 100 + i;
    bytes += encode_frame(cmd);
  }
  // Byte by byte for the first frame, the rest at once.
  size_t first = encode_frame(request(1)).size();
  for (size_t i = 0; i < first; ++i) ASSERT_EQ(::send(fd, bytes.data() + i, 1, 0), 1);
  ASSERT_EQ(::send(fd, bytes.data() + first, bytes.size() - first, 0), static_cast<ssize_t>(bytes.size() - first));
  std::string in;
  std::vector<int32_t> opaques;
  char buf[4096];
  while (opaques.size() < 3) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    in.append(buf, static_cast<size_t>(n));
    size_t consumed = 0;
    auto f = decode_frame(in, kDefaultMaxFrame, &consumed);
    while (f.is_ok() && f->has_value()) {
      opaques.push_back((*f)->opaque);
      in.erase(0, consumed);
      f = decode_frame(in, kDefaultMaxFrame, &consumed);
    }
  }
  EXPECT_EQ(opaques, (std::vector<int32_t>{100, 101, 102}));
  ::close(fd);
}

TEST_F(TransportTest, OnewayRequestGetsNoResponse) {
  int fd = raw_connect();
  auto cmd = request(1);
  cmd.flag = kFlagOneway;
  auto bytes = encode_frame(cmd) + encode_frame(request(1));  // a normal one after it
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  std::string in;
  char buf[4096];
  std::optional<RemotingCommand> first;
  while (!first) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    in.append(buf, static_cast<size_t>(n));
    size_t consumed = 0;
    auto f = decode_frame(in, kDefaultMaxFrame, &consumed);
    ASSERT_TRUE(f.is_ok());
    if (f->has_value()) first = **f;
  }
  EXPECT_EQ(requests_.load(), 2);
  EXPECT_FALSE(first->is_oneway());  // the only response is the normal request's
  ::close(fd);
}

TEST_F(TransportTest, StopClosesOpenConnectionsAndFailsTheirPendingRequests) {
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto p = std::make_shared<std::promise<Result<RemotingCommand>>>();
  client.invoke(address_, request(2), 30s, [p](Result<RemotingCommand> r) { p->set_value(std::move(r)); });
  for (int i = 0; i < 200 && server_->connection_count() == 0; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_EQ(server_->connection_count(), 1u);
  server_->stop();
  auto fut = p->get_future();
  ASSERT_EQ(fut.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(fut.get().status().code(), Status::Code::kUnavailable);
}

TEST(TransportStartTest, PortInUseIsAnErrorNamingTheAddress) {
  CapturingLogger logger;
  IoThreads io;
  auto next = [&io]() -> boost::asio::io_context& { return io.next(); };
  RemotingServer first({"127.0.0.1", 0, kDefaultMaxFrame, "broker"}, next, logger, nullptr);
  ASSERT_TRUE(first.start().is_ok());
  RemotingServer second({"127.0.0.1", first.port(), kDefaultMaxFrame, "broker"}, next, logger, nullptr);
  Status s = second.start();
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("broker cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace tern::remoting
