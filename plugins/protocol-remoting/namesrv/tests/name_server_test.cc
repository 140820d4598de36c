// NameServer on loopback: registration and route queries over real connections, expiry
// of a broker that stops registering while its connection stays open, removal when the
// connection closes, two name servers holding the same route, and a clean stop.
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "codes.h"
#include "name_server.h"
#include "remoting_client.h"
#include "test_support.h"

namespace tern::remoting {
namespace {

using namespace std::chrono_literals;
using testing::CapturingLogger;
using testing::register_body;
using testing::register_request;

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

RemotingCommand route_request(const std::string& topic) {
  RemotingCommand cmd;
  cmd.code = request_code::kGetRouteinfoByTopic;
  cmd.ext_fields["topic"] = topic;
  return cmd;
}

class NameServerTest : public ::testing::Test {
 protected:
  std::unique_ptr<NameServer> make_server(int64_t expired_ms, int64_t scan_ms) {
    NameServerOptions options;
    options.bind_ip = "127.0.0.1";
    options.listen_port = 0;
    options.broker_expired_ms = expired_ms;
    options.scan_interval_ms = scan_ms;
    auto server = std::make_unique<NameServer>(options, [this]() -> boost::asio::io_context& { return io_.next(); },
                                               logger_);
    EXPECT_TRUE(server->start().is_ok());
    return server;
  }
  static std::string addr(const NameServer& s) { return "127.0.0.1:" + std::to_string(s.port()); }
  int route_code(RemotingClient& client, const std::string& address, const std::string& topic) {
    auto r = client.invoke_sync(address, route_request(topic), 5s);
    EXPECT_TRUE(r.is_ok()) << r.status().to_string();
    return r.is_ok() ? r->code : -1;
  }

  CapturingLogger logger_;
  IoThreads io_;
};

TEST_F(NameServerTest, RegisterRouteThenExpireWhileTheConnectionStaysOpen) {
  auto server = make_server(1000, 50);
  RemotingClient broker([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto reg = broker.invoke_sync(addr(*server),
                                register_request("c", "broker-a", "127.0.0.1:10911", 0,
                                                 register_body({{"TopicA", 4, 4, 6}}, 1, 1)),
                                5s);
  ASSERT_TRUE(reg.is_ok()) << reg.status().to_string();
  EXPECT_EQ(reg->code, 0);
  auto route = client.invoke_sync(addr(*server), route_request("TopicA"), 5s);
  ASSERT_TRUE(route.is_ok());
  EXPECT_EQ(route->code, 0);
  EXPECT_NE(route->body.find(R"("brokerAddrs":{"0":"127.0.0.1:10911"})"), std::string::npos) << route->body;

  // Heartbeats keep it: register again every 200 ms for a second.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(broker.invoke_sync(addr(*server),
                                   register_request("c", "broker-a", "127.0.0.1:10911", 0,
                                                    register_body({{"TopicA", 4, 4, 6}}, 1, 1)),
                                   5s)
                    .is_ok());
  }
  EXPECT_EQ(route_code(client, addr(*server), "TopicA"), 0);
  // Then it stops: gone within expiry + a few scans.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (route_code(client, addr(*server), "TopicA") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(route_code(client, addr(*server), "TopicA"), response_code::kTopicNotExist);
  EXPECT_NE(logger_.find({"broker broker-a", "127.0.0.1:10911", "not heard from"}), "");
  broker.close_all();
  client.close_all();
  server->stop();
}

TEST_F(NameServerTest, ClosedConnectionRemovesTheBrokerAtOnce) {
  auto server = make_server(120000, 5000);
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  {
    RemotingClient broker([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
    ASSERT_TRUE(broker.invoke_sync(addr(*server),
                                   register_request("c", "broker-a", "127.0.0.1:10911", 0,
                                                    register_body({{"TopicA", 4, 4, 6}}, 1, 1)),
                                   5s)
                    .is_ok());
    EXPECT_EQ(route_code(client, addr(*server), "TopicA"), 0);
  }  // the broker's connection closes
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (route_code(client, addr(*server), "TopicA") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(route_code(client, addr(*server), "TopicA"), response_code::kTopicNotExist);
  client.close_all();
}

TEST_F(NameServerTest, TwoNameServersBothHoldTheRoute) {
  auto one = make_server(120000, 5000);
  auto two = make_server(120000, 5000);
  RemotingClient broker([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  for (const auto* s : {one.get(), two.get()}) {
    auto r = broker.invoke_sync(addr(*s),
                                register_request("c", "broker-a", "127.0.0.1:10911", 0,
                                                 register_body({{"TopicA", 4, 4, 6}}, 1, 1)),
                                5s);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->code, 0);
  }
  RemotingClient client([this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  auto a = client.invoke_sync(addr(*one), route_request("TopicA"), 5s);
  auto b = client.invoke_sync(addr(*two), route_request("TopicA"), 5s);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->code, 0);
  EXPECT_EQ(a->body, b->body);
  broker.close_all();
  client.close_all();
  one->stop();
  two->stop();
  two->stop();  // idempotent
}

TEST_F(NameServerTest, PortTakenFailsNamingTheAddress) {
  auto one = make_server(120000, 5000);
  NameServerOptions options;
  options.bind_ip = "127.0.0.1";
  options.listen_port = one->port();
  NameServer two(options, [this]() -> boost::asio::io_context& { return io_.next(); }, logger_);
  Status s = two.start();
  EXPECT_TRUE(s.is_io_error()) << s.to_string();
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(one->port())), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tern::remoting
