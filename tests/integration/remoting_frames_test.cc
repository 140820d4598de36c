// The remoting protocol's error paths on raw frames, against a real `mqbroker --standalone`
// (embedded name server + broker) on free loopback ports. PROTOCOL.md (shared/, beside
// the repository) §1-§3 is the wire format; the frames are built with the project's codec
// (tern_remoting_codec) or by hand where a client writes something the codec never would.
//
// What must hold (issue 4):
//   - a frame over the size limit, a malformed header, an unknown serialization type, and
//     other framing errors close that connection without a reply, and broker.log (under
//     logDir) gets a line naming the peer (ip:port);
//   - an unknown request code is answered with code 3 REQUEST_CODE_NOT_SUPPORTED and the
//     request's opaque, and the connection stays usable (after an error *response*; not
//     after a framing error);
//   - a ROCKETMQ-binary-header request is answered in ROCKETMQ serialization;
//   - a JSON request whose extFields are numbers, booleans or strings is accepted, and
//     every extField value of a JSON response is a JSON string;
//   - a oneway request gets no response;
//   - the broker keeps serving other connections after a bad one.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "child_process.h"
#include "json/json.h"
#include "remoting_command.h"

namespace tern::testing {
namespace {

using namespace std::chrono_literals;
using remoting::RemotingCommand;
using remoting::SerializeType;

const std::string kBroker = TERN_MQBROKER;

// What mqbroker reads (docs/configuration.md): --standalone turns embeddedNamesrv on, and
// with namesrvAddr empty the broker registers with that embedded name server.
const std::string kBrokerPortKey = "listenPort";
const std::string kNamesrvPortKey = "embeddedNamesrvPort";

constexpr int32_t kRequestCodeNotSupported = 3;
constexpr int32_t kUpdateAndCreateTopic = 17;
constexpr int32_t kSendMessageV2 = 310;
constexpr int32_t kGetMaxOffset = 30;
constexpr int32_t kQueryConsumerOffset = 14;
constexpr int32_t kUpdateConsumerOffset = 15;
constexpr int32_t kGetRouteInfoByTopic = 105;
constexpr int32_t kTopicNotExist = 17;
constexpr int32_t kUnknownCode = 9999;

std::string be32(uint32_t v) {
  std::string s(4, '\0');
  s[0] = static_cast<char>(v >> 24);
  s[1] = static_cast<char>((v >> 16) & 0xFF);
  s[2] = static_cast<char>((v >> 8) & 0xFF);
  s[3] = static_cast<char>(v & 0xFF);
  return s;
}

uint32_t read_be32(std::string_view s) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 8) | static_cast<uint32_t>(static_cast<uint8_t>(s[3]));
}

// A frame around a header written by hand (`type` goes to the top byte of the header length).
std::string raw_frame(std::string_view header, std::string_view body = "", uint8_t type = 0) {
  return be32(static_cast<uint32_t>(4 + header.size() + body.size())) +
         be32((static_cast<uint32_t>(type) << 24) | static_cast<uint32_t>(header.size())) + std::string(header) +
         std::string(body);
}

RemotingCommand request(int32_t code, int32_t opaque, std::map<std::string, std::string> ext = {},
                        SerializeType type = SerializeType::kJson, std::string body = "") {
  RemotingCommand cmd;
  cmd.code = code;
  cmd.language = remoting::LanguageCode::kJava;
  cmd.version = 409;  // V4_9_8
  cmd.opaque = opaque;
  cmd.ext_fields = std::move(ext);
  cmd.body = std::move(body);
  cmd.serialize_type = type;
  return cmd;
}

// One client TCP connection with blocking writes and reads bounded by a timeout.
class Connection {
 public:
  explicit Connection(int port) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(static_cast<uint16_t>(port));
      if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
      ::close(fd_);
      fd_ = -1;
      std::this_thread::sleep_for(50ms);
    }
    if (fd_ >= 0) {
      int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      sockaddr_in local{};
      socklen_t len = sizeof local;
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len);
      local_port_ = ntohs(local.sin_port);
    }
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  int local_port() const { return local_port_; }
  // "127.0.0.1:<our port>": how the broker should name this peer.
  std::string peer_name() const { return "127.0.0.1:" + std::to_string(local_port_); }

  // False if the peer has closed or reset the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool send(const RemotingCommand& cmd) { return send(remoting::encode_frame(cmd)); }

  // The next whole frame (length prefix included), or nullopt at the timeout or when the
  // peer closed first (closed() tells which).
  std::optional<std::string> read_frame(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (buffer_.size() >= 4) {
        size_t total = 4 + read_be32(buffer_);
        if (buffer_.size() >= total) {
          std::string frame = buffer_.substr(0, total);
          buffer_.erase(0, total);
          return frame;
        }
      }
      if (closed_ || !fill(deadline)) return std::nullopt;
    }
  }

  // The next response decoded by the codec; nullopt at the timeout / close / a bad frame.
  std::optional<RemotingCommand> read_command(std::chrono::milliseconds timeout = 10s) {
    auto frame = read_frame(timeout);
    if (!frame) return std::nullopt;
    size_t consumed = 0;
    auto r = remoting::decode_frame(*frame, remoting::kDefaultMaxFrame, &consumed);
    if (!r.is_ok() || !r->has_value()) {
      ADD_FAILURE() << "the broker sent a frame our codec refuses: "
                    << (r.is_ok() ? "incomplete" : r.status().to_string());
      return std::nullopt;
    }
    return std::move(**r);
  }

  // Sends `cmd` and reads the response.
  std::optional<RemotingCommand> call(const RemotingCommand& cmd, std::chrono::milliseconds timeout = 10s) {
    if (!send(cmd)) return std::nullopt;
    return read_command(timeout);
  }

  // True once the peer closed (EOF or reset) within `timeout`. Bytes that arrive meanwhile
  // are kept in received_after_error().
  bool wait_closed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
      if (!fill(deadline)) return closed_;
    }
    return true;
  }
  const std::string& pending_bytes() const { return buffer_; }
  bool closed() const { return closed_; }

 private:
  // Reads what is there before `deadline`. False at the deadline or on close.
  bool fill(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) return true;
    if (rc <= 0) return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) {
      closed_ = true;  // EOF, or ECONNRESET
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  int local_port_ = 0;
  std::string buffer_;
  bool closed_ = false;
};

// The header of a JSON frame, parsed: for checks the codec hides (the JSON value types).
JsonValue json_header_of(const std::string& frame) {
  uint32_t field = read_be32(std::string_view(frame).substr(4));
  EXPECT_EQ(field >> 24, 0u) << "a JSON response must carry serialize type 0 (ali-ons reads the field as a length)";
  auto parsed = parse_json(std::string_view(frame).substr(8, field & 0xFFFFFF));
  if (!parsed.is_ok()) {
    ADD_FAILURE() << "response header is not JSON: " << parsed.status().to_string();
    return JsonValue();
  }
  return *parsed;
}

// Every extFields value of a raw JSON response is a JSON string (rocketmq-client-cpp
// reads them with string accessors); code, opaque and flag are numbers.
void expect_json_response_types(const std::string& frame, const std::string& what) {
  JsonValue h = json_header_of(frame);
  ASSERT_TRUE(h.is_object()) << what;
  for (const char* key : {"code", "opaque", "flag"}) {
    const JsonValue* v = h.find(key);
    ASSERT_NE(v, nullptr) << what << ": response header lacks " << key;
    EXPECT_TRUE(v->is_number()) << what << ": " << key << " is not a JSON number";
  }
  if (const JsonValue* ext = h.find("extFields"); ext != nullptr && !ext->is_null()) {
    ASSERT_TRUE(ext->is_object()) << what;
    for (size_t i = 0; i < ext->size(); ++i) {
      EXPECT_TRUE(ext->values()[i].is_string())
          << what << ": extFields." << ext->keys()[i] << " is not a JSON string: " << serialize_json(ext->values()[i]);
    }
  }
}

class RemotingFramesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_path_ = dir_.path() + "/logs/broker.log";
    // Free ports are picked before the broker binds them, so a test running in parallel
    // may take one first: a broker that exits during start-up is retried on new ports.
    for (int attempt = 1;; ++attempt) {
      broker_port_ = free_port();
      do {
        namesrv_port_ = free_port();
      } while (namesrv_port_ == broker_port_);
      ASSERT_NE(broker_port_, 0);
      ASSERT_NE(namesrv_port_, 0);
      std::string config = dir_.write_file(
          "broker.properties", kBrokerPortKey + "=" + std::to_string(broker_port_) + "\n" + kNamesrvPortKey + "=" +
                                   std::to_string(namesrv_port_) +
                                   "\nbindIP=127.0.0.1\nbrokerIP1=127.0.0.1\nstorePathRootDir=" + dir_.path() +
                                   "/store\nlogDir=" + dir_.path() +
                                   "/logs\nmappedFileSizeCommitLog=16777216\nbrokerName=broker-frames\n");
      broker_ = std::make_unique<ChildProcess>(std::vector<std::string>{kBroker, "--standalone", "-c", config},
                                               dir_.path());
      if (broker_->wait_for_output("boot success", 60s)) break;
      bool exited = broker_->wait(0ms).has_value();
      ASSERT_TRUE(exited && attempt < 3) << "mqbroker did not start:\n" << broker_->output();
      std::fprintf(stderr, "mqbroker exited during start-up (attempt %d), retrying on new ports:\n%s\n", attempt,
                   broker_->output().c_str());
    }
    Connection probe(broker_port_);
    ASSERT_TRUE(probe.connected()) << "nothing accepts on the broker port " << broker_port_ << "\n"
                                   << broker_->output();
    Connection probe_ns(namesrv_port_);
    ASSERT_TRUE(probe_ns.connected()) << "nothing accepts on the name server port " << namesrv_port_ << "\n"
                                      << broker_->output();
  }

  void TearDown() override {
    if (!broker_) return;
    stop_broker();
  }

  void stop_broker() {
    if (stopped_) return;
    stopped_ = true;
    broker_->signal(SIGTERM);
    auto code = broker_->wait(30s);
    ASSERT_TRUE(code.has_value()) << "mqbroker did not stop within 30 s of SIGTERM";
    EXPECT_EQ(*code, 0) << broker_->output();
  }

  // The connection is closed by the broker without a byte of reply, and broker.log names
  // the peer. The log is polled for a while, then read again after a clean stop (which
  // flushes it) so that a buffered log line is not mistaken for a missing one.
  void expect_closed_and_logged(Connection& c, const std::string& what) {
    EXPECT_TRUE(c.wait_closed(10s)) << what << ": the broker did not close the connection";
    EXPECT_EQ(c.pending_bytes(), "") << what << ": the broker replied to a framing error";
    logged_peers_.push_back({c.peer_name(), what});
  }

  // Checks, at the end of a test, that broker.log named every peer that was cut off.
  void expect_peers_logged() {
    auto all_logged = [&] {
      std::string log = read_file(log_path_);
      for (const auto& [peer, what] : logged_peers_) {
        if (log.find(peer) == std::string::npos) return false;
      }
      return true;
    };
    for (auto deadline = std::chrono::steady_clock::now() + 3s; std::chrono::steady_clock::now() < deadline;) {
      if (all_logged()) return;
      std::this_thread::sleep_for(100ms);
    }
    stop_broker();
    std::string log = read_file(log_path_);
    for (const auto& [peer, what] : logged_peers_) {
      EXPECT_NE(log.find(peer), std::string::npos)
          << what << ": " << log_path_ << " has no line naming the peer " << peer << "\n--- broker.log:\n"
          << log;
    }
  }

  // Creates `topic` with 4 queues through UPDATE_AND_CREATE_TOPIC on `c`.
  void create_topic(Connection& c, const std::string& topic, int32_t opaque,
                    SerializeType type = SerializeType::kJson) {
    auto r = c.call(request(kUpdateAndCreateTopic, opaque,
                            {{"topic", topic},
                             {"defaultTopic", "TBW102"},
                             {"readQueueNums", "4"},
                             {"writeQueueNums", "4"},
                             {"perm", "6"},
                             {"topicFilterType", "SINGLE_TAG"},
                             {"topicSysFlag", "0"},
                             {"order", "false"}},
                            type));
    ASSERT_TRUE(r.has_value()) << "no response to UPDATE_AND_CREATE_TOPIC " << topic;
    EXPECT_EQ(r->code, 0) << r->remark.value_or("");
    EXPECT_EQ(r->opaque, opaque);
    EXPECT_EQ(r->serialize_type, type);
  }

  // A request that must succeed: the connection is still usable.
  void expect_usable(Connection& c, int32_t opaque, const std::string& what) {
    auto r = c.call(request(kUnknownCode, opaque));
    ASSERT_TRUE(r.has_value()) << what << ": no response; closed=" << c.closed();
    EXPECT_EQ(r->code, kRequestCodeNotSupported) << what;
    EXPECT_EQ(r->opaque, opaque) << what;
  }

  TempDir dir_;
  int broker_port_ = 0;
  int namesrv_port_ = 0;
  std::string log_path_;
  std::unique_ptr<ChildProcess> broker_;
  bool stopped_ = false;
  std::vector<std::pair<std::string, std::string>> logged_peers_;
};

TEST_F(RemotingFramesTest, FrameOverTheSizeLimitClosesTheConnectionAndIsLogged) {
  // Only the length prefix (and a few bytes) is sent: the limit must be enforced from the
  // prefix, before the frame arrives. 16 MiB + 1 counting the prefix is the default limit
  // plus one (PROTOCOL.md §1); 2 GiB - 1 is the largest a signed length can say.
  for (uint32_t length : {static_cast<uint32_t>(remoting::kDefaultMaxFrame - 4 + 1), 0x7FFFFFFFu}) {
    Connection c(broker_port_);
    ASSERT_TRUE(c.connected());
    c.send(be32(length) + be32(2) + "{}");
    expect_closed_and_logged(c, "length prefix " + std::to_string(length));
  }
  Connection after(broker_port_);
  expect_usable(after, 1, "a new connection after oversized frames");
  expect_peers_logged();
}

TEST_F(RemotingFramesTest, FrameOfExactlyTheSizeLimitIsAccepted) {
  // 16 MiB counting the length prefix (remoting.frameMaxLength's default): read whole and
  // answered (an unknown code with a big body), and the connection stays open.
  std::string header = R"({"code":9999,"language":"JAVA","version":409,"opaque":31,"flag":0})";
  std::string body(remoting::kDefaultMaxFrame - 8 - header.size(), 'b');
  std::string frame = raw_frame(header, body);
  ASSERT_EQ(frame.size(), remoting::kDefaultMaxFrame);
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(frame));
  auto r = c.read_command(30s);
  ASSERT_TRUE(r.has_value()) << "no response to a frame of exactly the limit; closed=" << c.closed();
  EXPECT_EQ(r->code, kRequestCodeNotSupported);
  EXPECT_EQ(r->opaque, 31);
  expect_usable(c, 32, "after a frame of exactly the limit");
}

TEST_F(RemotingFramesTest, BadHeaderClosesTheConnectionAndIsLogged) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"JSON header that is not JSON", raw_frame("{\"code\":10,")},
      {"JSON header that is not an object", raw_frame("[1,2,3]")},
      {"JSON header with a fractional code", raw_frame(R"({"code":1.5,"opaque":1,"flag":0})")},
      {"JSON header with trailing bytes", raw_frame(R"({"code":34,"opaque":1,"flag":0} xx)")},
      {"header length beyond the frame", be32(4 + 10) + be32(100) + std::string(10, '{')},
      {"ROCKETMQ header cut short", raw_frame(std::string("\x00\x22\x00\x01\x99", 5), "", 1)},
  };
  for (const auto& [what, bytes] : cases) {
    Connection c(broker_port_);
    ASSERT_TRUE(c.connected());
    c.send(bytes);
    expect_closed_and_logged(c, what);
  }
  expect_peers_logged();
}

TEST_F(RemotingFramesTest, UnknownSerializationTypeClosesTheConnectionAndIsLogged) {
  // A valid JSON header, but serialize type 2, 5 and 0x7F in the top byte.
  for (uint8_t type : {2, 5, 0x7F}) {
    Connection c(broker_port_);
    ASSERT_TRUE(c.connected());
    c.send(raw_frame(R"({"code":9999,"language":"JAVA","version":409,"opaque":1,"flag":0})", "", type));
    expect_closed_and_logged(c, "serialize type " + std::to_string(type));
  }
  expect_peers_logged();
}

TEST_F(RemotingFramesTest, LengthBelowFourClosesTheConnection) {
  for (uint32_t length : {0u, 3u, 0xFFFFFFFFu}) {
    Connection c(broker_port_);
    ASSERT_TRUE(c.connected());
    c.send(be32(length) + "abc");
    expect_closed_and_logged(c, "length " + std::to_string(length));
  }
  expect_peers_logged();
}

TEST_F(RemotingFramesTest, UnknownRequestCodeIsAnsweredWithCodeThreeAndTheOpaque) {
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(request(kUnknownCode, 123456)));
  auto frame = c.read_frame(10s);
  ASSERT_TRUE(frame.has_value()) << "no response to an unknown request code; closed=" << c.closed();
  expect_json_response_types(*frame, "REQUEST_CODE_NOT_SUPPORTED response");
  size_t consumed = 0;
  auto r = remoting::decode_frame(*frame, remoting::kDefaultMaxFrame, &consumed);
  ASSERT_TRUE(r.is_ok() && r->has_value());
  const RemotingCommand& resp = **r;
  EXPECT_EQ(resp.code, kRequestCodeNotSupported);
  EXPECT_EQ(resp.opaque, 123456);
  EXPECT_TRUE(resp.is_response());
  EXPECT_FALSE(resp.is_oneway());
  EXPECT_NE(resp.remark.value_or("").find("9999"), std::string::npos)
      << "remark should name the code, as Java's \" request type 9999 not supported\": " << resp.remark.value_or("");
  // The connection is still usable: a real request succeeds on it.
  create_topic(c, "FramesUnknownCodeTopic", 123457);
  expect_usable(c, 123458, "after an unknown code");

  // The name server side answers the same way.
  Connection ns(namesrv_port_);
  ASSERT_TRUE(ns.connected());
  auto nr = ns.call(request(kUnknownCode, 77));
  ASSERT_TRUE(nr.has_value()) << "the name server did not answer an unknown code";
  EXPECT_EQ(nr->code, kRequestCodeNotSupported);
  EXPECT_EQ(nr->opaque, 77);
}

TEST_F(RemotingFramesTest, RocketmqSerializedRequestIsAnsweredInRocketmq) {
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  // An unknown code in ROCKETMQ serialization: code 3, ROCKETMQ back.
  ASSERT_TRUE(c.send(request(kUnknownCode, 501, {}, SerializeType::kRocketmq)));
  auto frame = c.read_frame(10s);
  ASSERT_TRUE(frame.has_value()) << "no response; closed=" << c.closed();
  EXPECT_EQ(read_be32(std::string_view(*frame).substr(4)) >> 24, 1u) << "response not in ROCKETMQ serialization";
  size_t consumed = 0;
  auto r = remoting::decode_frame(*frame, remoting::kDefaultMaxFrame, &consumed);
  ASSERT_TRUE(r.is_ok() && r->has_value()) << (r.is_ok() ? "incomplete" : r.status().to_string());
  EXPECT_EQ((*r)->code, kRequestCodeNotSupported);
  EXPECT_EQ((*r)->opaque, 501);
  EXPECT_EQ((*r)->serialize_type, SerializeType::kRocketmq);

  // Real requests in ROCKETMQ: create a topic, send to it, read its max offset.
  create_topic(c, "FramesRocketmqTopic", 502, SerializeType::kRocketmq);
  auto sent = c.call(request(kSendMessageV2, 503,
                             {{"a", "frames-producer"},
                              {"b", "FramesRocketmqTopic"},
                              {"c", "TBW102"},
                              {"d", "4"},
                              {"e", "1"},
                              {"f", "0"},
                              {"g", "1700000000000"},
                              {"h", "0"},
                              {"i", std::string("TAGS\x01TagA\x02KEYS\x01k1\x02")},
                              {"j", "0"},
                              {"k", "false"}},
                             SerializeType::kRocketmq, "rocketmq body"));
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->serialize_type, SerializeType::kRocketmq);
  EXPECT_EQ(sent->code, 0) << sent->remark.value_or("");
  EXPECT_EQ(sent->opaque, 503);
  EXPECT_EQ(sent->ext_fields["queueId"], "1");
  EXPECT_EQ(sent->ext_fields["queueOffset"], "0");
  EXPECT_EQ(sent->ext_fields["msgId"].size(), 32u) << sent->ext_fields["msgId"];
  // The consume queue is built after the append (as in RocketMQ): poll until it shows.
  std::optional<RemotingCommand> max;
  for (int attempt = 0; attempt < 100; ++attempt) {
    max = c.call(request(kGetMaxOffset, 600 + attempt, {{"topic", "FramesRocketmqTopic"}, {"queueId", "1"}},
                         SerializeType::kRocketmq));
    ASSERT_TRUE(max.has_value());
    EXPECT_EQ(max->serialize_type, SerializeType::kRocketmq);
    EXPECT_EQ(max->code, 0) << max->remark.value_or("");
    EXPECT_EQ(max->opaque, 600 + attempt);
    if (max->ext_fields["offset"] == "1") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(max->ext_fields["offset"], "1");

  // The same connection may switch back to JSON: the response follows each request.
  ASSERT_TRUE(c.send(request(kGetMaxOffset, 505, {{"topic", "FramesRocketmqTopic"}, {"queueId", "1"}})));
  auto json_frame = c.read_frame(10s);
  ASSERT_TRUE(json_frame.has_value());
  EXPECT_EQ(read_be32(std::string_view(*json_frame).substr(4)) >> 24, 0u);
  expect_json_response_types(*json_frame, "GET_MAX_OFFSET after ROCKETMQ requests");
}

TEST_F(RemotingFramesTest, JsonExtFieldsMayBeNumbersBooleansOrStrings) {
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  // ali-ons style: numbers and booleans as raw JSON values.
  ASSERT_TRUE(c.send(raw_frame(
      R"({"code":17,"language":"JAVA","opaque":11,"flag":0,"version":121,"extFields":{"topic":"FramesMixedTopic",)"
      R"("defaultTopic":"TBW102","readQueueNums":4,"writeQueueNums":4,"perm":6,"topicFilterType":"SINGLE_TAG",)"
      R"("topicSysFlag":0,"order":false}})")));
  auto created = c.read_command();
  ASSERT_TRUE(created.has_value()) << "no response; closed=" << c.closed();
  EXPECT_EQ(created->code, 0) << created->remark.value_or("");
  EXPECT_EQ(created->opaque, 11);

  // SEND_MESSAGE_V2 exactly as ali-ons writes it (numbers, a boolean, no m/n).
  ASSERT_TRUE(c.send(raw_frame(
      R"({"code":310,"language":"JAVA","opaque":12,"flag":0,"version":121,"extFields":{"a":"frames-producer",)"
      R"("b":"FramesMixedTopic","c":"TBW102","d":4,"e":2,"f":0,"g":1700000000000,"h":0,)"
      R"("i":"TAGS\u0001TagA\u0002KEYS\u0001key-1\u0002","j":0,"k":false}})",
      "body from ali-ons")));
  auto frame = c.read_frame(10s);
  ASSERT_TRUE(frame.has_value()) << "no response; closed=" << c.closed();
  expect_json_response_types(*frame, "SEND_MESSAGE_V2 (ali-ons style) response");
  size_t consumed = 0;
  auto sent = remoting::decode_frame(*frame, remoting::kDefaultMaxFrame, &consumed);
  ASSERT_TRUE(sent.is_ok() && sent->has_value());
  EXPECT_EQ((*sent)->code, 0) << (*sent)->remark.value_or("");
  EXPECT_EQ((*sent)->opaque, 12);
  EXPECT_EQ((*sent)->ext_fields["queueId"], "2");
  EXPECT_EQ((*sent)->ext_fields["queueOffset"], "0");

  // rocketmq-client-cpp style: ints as numbers, longs and booleans as strings, and the
  // empty ACL fields it always adds.
  ASSERT_TRUE(c.send(raw_frame(
      R"({"code":310,"language":"CPP","opaque":13,"flag":0,"version":333,"remark":"","extFields":{)"
      R"("a":"frames-producer","b":"FramesMixedTopic","c":"TBW102","d":4,"e":2,"f":0,"g":"1700000000001",)"
      R"("h":0,"i":"TAGS\u0001TagB\u0002","j":0,"k":"false","l":16,"m":"false",)"
      R"("Signature":"","AccessKey":"","OnsChannel":""}})",
      "body from cpp")));
  auto cpp = c.read_command();
  ASSERT_TRUE(cpp.has_value()) << "no response; closed=" << c.closed();
  EXPECT_EQ(cpp->code, 0) << cpp->remark.value_or("");
  EXPECT_EQ(cpp->ext_fields["queueOffset"], "1");

  // A number where the queue id goes, in a read (polled: the consume queue is built after
  // the append, as in RocketMQ).
  std::string offset;
  for (int attempt = 0; attempt < 100 && offset != "2"; ++attempt) {
    ASSERT_TRUE(c.send(raw_frame(
        R"({"code":30,"language":"JAVA","opaque":14,"flag":0,"version":121,)"
        R"("extFields":{"topic":"FramesMixedTopic","queueId":2}})")));
    auto max_frame = c.read_frame(10s);
    ASSERT_TRUE(max_frame.has_value());
    expect_json_response_types(*max_frame, "GET_MAX_OFFSET response");
    auto max = remoting::decode_frame(*max_frame, remoting::kDefaultMaxFrame, &consumed);
    ASSERT_TRUE(max.is_ok() && max->has_value());
    EXPECT_EQ((*max)->code, 0);
    offset = (*max)->ext_fields["offset"];
    if (offset != "2") std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(offset, "2");
}

TEST_F(RemotingFramesTest, ResponseExtFieldsAreJsonStrings) {
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  create_topic(c, "FramesStringsTopic", 1);
  // Responses that carry numeric extFields: send result, offsets, consumer offset.
  const std::vector<std::pair<std::string, RemotingCommand>> requests = {
      {"SEND_MESSAGE_V2", request(kSendMessageV2, 2,
                                  {{"a", "p"},
                                   {"b", "FramesStringsTopic"},
                                   {"c", "TBW102"},
                                   {"d", "4"},
                                   {"e", "0"},
                                   {"f", "0"},
                                   {"g", "1700000000000"},
                                   {"h", "0"},
                                   {"i", std::string("TAGS\x01T\x02")},
                                   {"j", "0"},
                                   {"k", "false"}},
                                  SerializeType::kJson, "x")},
      {"GET_MAX_OFFSET", request(kGetMaxOffset, 3, {{"topic", "FramesStringsTopic"}, {"queueId", "0"}})},
      {"UPDATE_CONSUMER_OFFSET",
       request(kUpdateConsumerOffset, 4,
               {{"topic", "FramesStringsTopic"}, {"consumerGroup", "g"}, {"queueId", "0"}, {"commitOffset", "1"}})},
      {"QUERY_CONSUMER_OFFSET",
       request(kQueryConsumerOffset, 5, {{"topic", "FramesStringsTopic"}, {"consumerGroup", "g"}, {"queueId", "0"}})},
  };
  for (const auto& [what, req] : requests) {
    ASSERT_TRUE(c.send(req));
    auto frame = c.read_frame(10s);
    ASSERT_TRUE(frame.has_value()) << what << ": no response; closed=" << c.closed();
    expect_json_response_types(*frame, what);
    size_t consumed = 0;
    auto r = remoting::decode_frame(*frame, remoting::kDefaultMaxFrame, &consumed);
    ASSERT_TRUE(r.is_ok() && r->has_value());
    EXPECT_EQ((*r)->code, 0) << what << ": " << (*r)->remark.value_or("");
    EXPECT_EQ((*r)->opaque, req.opaque) << what;
    if (what == "QUERY_CONSUMER_OFFSET") {
      EXPECT_EQ((*r)->ext_fields["offset"], "1");
    }
  }
  // The name server's responses too (route of a topic the broker now has).
  Connection ns(namesrv_port_);
  ASSERT_TRUE(ns.connected());
  for (int attempt = 0; attempt < 50; ++attempt) {
    ASSERT_TRUE(ns.send(request(kGetRouteInfoByTopic, 100 + attempt, {{"topic", "FramesStringsTopic"}})));
    auto frame = ns.read_frame(10s);
    ASSERT_TRUE(frame.has_value()) << "name server: no response; closed=" << ns.closed();
    expect_json_response_types(*frame, "GET_ROUTEINFO_BY_TOPIC");
    size_t consumed = 0;
    auto r = remoting::decode_frame(*frame, remoting::kDefaultMaxFrame, &consumed);
    ASSERT_TRUE(r.is_ok() && r->has_value());
    EXPECT_EQ((*r)->opaque, 100 + attempt);
    if ((*r)->code == 0) {
      EXPECT_TRUE(parse_json((*r)->body).is_ok()) << "route body is not standard JSON: " << (*r)->body;
      break;
    }
    std::this_thread::sleep_for(100ms);  // the broker registers the new topic with the name server
  }
}

TEST_F(RemotingFramesTest, OnewayRequestsGetNoResponse) {
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  create_topic(c, "FramesOnewayTopic", 1);
  RemotingCommand unknown = request(kUnknownCode, 2);
  unknown.flag = remoting::kFlagOneway;
  RemotingCommand update = request(kUpdateConsumerOffset, 3,
                                   {{"topic", "FramesOnewayTopic"},
                                    {"consumerGroup", "oneway-group"},
                                    {"queueId", "0"},
                                    {"commitOffset", "5"}});
  update.flag = remoting::kFlagOneway;  // as Java and rocketmq-client-cpp send it
  ASSERT_TRUE(c.send(unknown));
  ASSERT_TRUE(c.send(update));
  // The next response must be the one to this request: none for the oneway ones.
  auto r = c.call(
      request(kQueryConsumerOffset, 4,
              {{"topic", "FramesOnewayTopic"}, {"consumerGroup", "oneway-group"}, {"queueId", "0"}}));
  ASSERT_TRUE(r.has_value()) << "no response; closed=" << c.closed();
  EXPECT_EQ(r->opaque, 4) << "a oneway request (opaque " << r->opaque << ") was answered";
  EXPECT_EQ(r->code, 0) << r->remark.value_or("");
  EXPECT_EQ(r->ext_fields["offset"], "5") << "the oneway UPDATE_CONSUMER_OFFSET was not applied";
  auto extra = c.read_frame(1s);
  EXPECT_FALSE(extra.has_value()) << "an unexpected extra frame arrived";
}

TEST_F(RemotingFramesTest, ConnectionStaysUsableAfterErrorResponses) {
  Connection c(broker_port_);
  ASSERT_TRUE(c.connected());
  // Requests the broker must refuse with an error response, not by closing.
  const std::vector<std::pair<std::string, RemotingCommand>> refused = {
      {"unknown code", request(kUnknownCode, 1)},
      {"GET_MAX_OFFSET without its fields", request(kGetMaxOffset, 2)},
      {"GET_MAX_OFFSET with a non-numeric queueId", request(kGetMaxOffset, 3, {{"topic", "T"}, {"queueId", "zero"}})},
      {"SEND_MESSAGE_V2 without a topic", request(kSendMessageV2, 4, {{"a", "p"}}, SerializeType::kJson, "x")},
      {"UPDATE_AND_CREATE_TOPIC without fields", request(kUpdateAndCreateTopic, 5)},
  };
  for (const auto& [what, req] : refused) {
    auto r = c.call(req);
    ASSERT_TRUE(r.has_value()) << what << ": no response; closed=" << c.closed();
    EXPECT_TRUE(r->is_response()) << what;
    EXPECT_EQ(r->opaque, req.opaque) << what;
    EXPECT_NE(r->code, 0) << what << " was accepted";
  }
  create_topic(c, "FramesUsableTopic", 6);
  // A body over maxMessageSize (4 MiB by default) is refused with an error response.
  auto big = c.call(request(kSendMessageV2, 8,
                            {{"a", "p"},
                             {"b", "FramesUsableTopic"},
                             {"c", "TBW102"},
                             {"d", "4"},
                             {"e", "0"},
                             {"f", "0"},
                             {"g", "1700000000000"},
                             {"h", "0"},
                             {"i", std::string("TAGS\x01T\x02")},
                             {"j", "0"},
                             {"k", "false"}},
                            SerializeType::kJson, std::string(5 * 1024 * 1024, 'x')),
                    30s);
  ASSERT_TRUE(big.has_value()) << "a 5 MiB message: no response; closed=" << c.closed();
  EXPECT_EQ(big->opaque, 8);
  EXPECT_NE(big->code, 0) << "a 5 MiB message was accepted (maxMessageSize is 4 MiB)";
  auto max = c.call(request(kGetMaxOffset, 9, {{"topic", "FramesUsableTopic"}, {"queueId", "3"}}));
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->code, 0) << max->remark.value_or("");
  EXPECT_EQ(max->ext_fields["offset"], "0");
}

TEST_F(RemotingFramesTest, BrokerKeepsServingOtherConnectionsAfterBadOnes) {
  Connection good(broker_port_);
  ASSERT_TRUE(good.connected());
  expect_usable(good, 1, "before the bad connections");
  std::vector<std::unique_ptr<Connection>> bad;
  for (int i = 0; i < 8; ++i) {
    bad.push_back(std::make_unique<Connection>(broker_port_));
    ASSERT_TRUE(bad.back()->connected());
  }
  bad[0]->send(be32(0x7FFFFFFF));
  bad[1]->send(raw_frame("not json"));
  bad[2]->send(raw_frame("{}", "", 9));
  bad[3]->send(be32(1));
  bad[4]->send(std::string(64, '\xFF'));
  bad[5]->send(be32(100) + "partial");  // stays open: waits for the rest of its frame
  // [6] sends nothing; [7] half a length prefix, then hangs up.
  bad[7]->send("\x00\x00");
  bad[7].reset();
  for (int i : {0, 1, 2, 3, 4}) EXPECT_TRUE(bad[i]->wait_closed(10s)) << "bad connection " << i << " not closed";
  expect_usable(good, 2, "the good connection after the bad ones");
  Connection fresh(broker_port_);
  ASSERT_TRUE(fresh.connected());
  expect_usable(fresh, 3, "a new connection after the bad ones");
  // Requests split into single bytes and pipelined frames in one write both work.
  std::string frame = remoting::encode_frame(request(kUnknownCode, 4));
  for (char ch : frame) ASSERT_TRUE(fresh.send(std::string_view(&ch, 1)));
  auto r = fresh.read_command();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->opaque, 4);
  std::string three = remoting::encode_frame(request(kUnknownCode, 5)) +
                      remoting::encode_frame(request(kUnknownCode, 6)) +
                      remoting::encode_frame(request(kUnknownCode, 7));
  ASSERT_TRUE(fresh.send(three));
  std::vector<int32_t> opaques;
  for (int i = 0; i < 3; ++i) {
    auto one = fresh.read_command();
    ASSERT_TRUE(one.has_value()) << "pipelined response " << i;
    opaques.push_back(one->opaque);
  }
  std::sort(opaques.begin(), opaques.end());
  EXPECT_EQ(opaques, (std::vector<int32_t>{5, 6, 7}));
  // The name server too keeps serving after a bad connection.
  Connection ns_bad(namesrv_port_);
  ns_bad.send(raw_frame("{{{"));
  EXPECT_TRUE(ns_bad.wait_closed(10s)) << "the name server kept a connection with a bad header open";
  Connection ns(namesrv_port_);
  auto route = ns.call(request(kGetRouteInfoByTopic, 8, {{"topic", "FramesNoSuchTopic"}}));
  ASSERT_TRUE(route.has_value()) << "the name server stopped answering";
  EXPECT_EQ(route->code, kTopicNotExist);
  EXPECT_EQ(route->opaque, 8);
  auto again = ns.call(request(kGetRouteInfoByTopic, 9, {{"topic", "FramesNoSuchTopic"}}));
  ASSERT_TRUE(again.has_value()) << "the name server closed the connection after an error response";
  EXPECT_EQ(again->opaque, 9);
}

}  // namespace
}  // namespace tern::testing
