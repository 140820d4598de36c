// See message_util.h. The unique id layout is RocketMQ's so that tools that decode a
// msgId's born time or IP (mqadmin queryMsgById on a uniq key) read ours too.
#include "message_util.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <random>

#include "message_batch.h"

namespace tern::client::internal {
namespace {

void append_hex(std::string* out, uint64_t value, int bytes) {
  static const char* kHex = "0123456789ABCDEF";
  for (int i = bytes - 1; i >= 0; --i) {
    uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    out->push_back(kHex[b >> 4]);
    out->push_back(kHex[b & 15]);
  }
}

struct UniqIdState {
  std::mutex mu;
  std::string prefix;              // guarded by mu
  int64_t month_start_ms = 0;      // guarded by mu
  int64_t next_month_start_ms = 0; // guarded by mu
  std::atomic<uint16_t> counter{0};
  uint32_t random_part = 0;
};

uint32_t ipv4_of(const std::string& ip) {
  in_addr a{};
  if (::inet_pton(AF_INET, ip.c_str(), &a) != 1) return 0x7F000001u;
  return ntohl(a.s_addr);
}

std::string make_prefix(uint32_t ip, uint32_t random_part) {
  std::string p;
  append_hex(&p, ip, 4);
  append_hex(&p, static_cast<uint16_t>(::getpid()), 2);
  append_hex(&p, random_part, 4);
  return p;
}

UniqIdState& state() {
  static UniqIdState* s = [] {
    auto* st = new UniqIdState;
    st->random_part = std::random_device{}();
    st->prefix = make_prefix(ipv4_of(local_ipv4()), st->random_part);
    st->counter = static_cast<uint16_t>(std::random_device{}());
    return st;
  }();
  return *s;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Local midnight of the first day of the month containing `ms`, and of the next month.
void month_bounds(int64_t ms, int64_t* start, int64_t* next) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  tm.tm_mday = 1;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  *start = static_cast<int64_t>(std::mktime(&tm)) * 1000;
  tm.tm_mon += 1;
  tm.tm_isdst = -1;
  *next = static_cast<int64_t>(std::mktime(&tm)) * 1000;
}

}  // namespace

std::string create_uniq_id() {
  UniqIdState& s = state();
  int64_t now = now_ms();
  std::string id;
  id.reserve(32);
  int64_t start = 0;
  {
    std::lock_guard lock(s.mu);
    if (now >= s.next_month_start_ms || now < s.month_start_ms) month_bounds(now, &s.month_start_ms, &s.next_month_start_ms);
    start = s.month_start_ms;
    id = s.prefix;
  }
  append_hex(&id, static_cast<uint32_t>(now - start), 4);
  append_hex(&id, s.counter.fetch_add(1, std::memory_order_relaxed), 2);
  return id;
}

const std::string& uniq_id_prefix() {
  // The prefix only changes at start() (set_uniq_id_ip) before any id is read concurrently.
  return state().prefix;
}

void set_uniq_id_ip(const std::string& ip) {
  UniqIdState& s = state();
  std::lock_guard lock(s.mu);
  s.prefix = make_prefix(ipv4_of(ip), s.random_part);
}

std::string local_ipv4() {
  ifaddrs* list = nullptr;
  std::string found;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      uint32_t ip = ntohl(in->sin_addr.s_addr);
      if ((ip >> 24) == 127 || ip == 0) continue;
      char buf[INET_ADDRSTRLEN] = {};
      if (::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) != nullptr) found = buf;
    }
    ::freeifaddrs(list);
  }
  return found.empty() ? "127.0.0.1" : found;
}

Result<std::string> zlib_compress(std::string_view data, int level) {
  uLongf bound = ::compressBound(static_cast<uLong>(data.size()));
  std::string out(bound, '\0');
  int rc = ::compress2(reinterpret_cast<Bytef*>(out.data()), &bound, reinterpret_cast<const Bytef*>(data.data()),
                       static_cast<uLong>(data.size()), level);
  if (rc != Z_OK) return Status::internal("zlib compress2 failed with " + std::to_string(rc));
  out.resize(bound);
  return out;
}

Result<std::string> zlib_uncompress(std::string_view data, size_t max_size) {
  z_stream zs{};
  if (::inflateInit(&zs) != Z_OK) return Status::internal("zlib inflateInit failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = ::inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      ::inflateEnd(&zs);
      return Status::corruption("zlib data is corrupt (inflate returned " + std::to_string(rc) + ")");
    }
    out.append(chunk, sizeof chunk - zs.avail_out);
    if (out.size() > max_size) {
      ::inflateEnd(&zs);
      return Status::resource_exhausted("zlib data inflates beyond " + std::to_string(max_size) + " bytes");
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      ::inflateEnd(&zs);
      return Status::corruption("zlib data is truncated");
    }
  } while (rc != Z_STREAM_END);
  ::inflateEnd(&zs);
  return out;
}

Status check_topic(std::string_view topic) {
  if (topic.empty()) return Status::invalid_argument("the topic is empty");
  if (topic.size() > 127) {
    return Status::invalid_argument("the topic '" + std::string(topic) + "' is longer than 127 characters");
  }
  for (char c : topic) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '%' || c == '|' ||
              c == '_' || c == '-';
    if (!ok) {
      return Status::invalid_argument("the topic '" + std::string(topic) +
                                      "' has a character outside [%|a-zA-Z0-9_-]");
    }
  }
  if (topic == "TBW102") return Status::invalid_argument("the topic TBW102 is the broker's default topic: send to another");
  return Status::ok();
}

Status check_message(const Message& msg, int max_size) {
  if (Status s = check_topic(msg.topic); !s.is_ok()) return s;
  if (msg.body.empty()) return Status::invalid_argument("the message body of topic " + msg.topic + " is empty");
  if (static_cast<int64_t>(msg.body.size()) > max_size) {
    return Status::invalid_argument("the message body of topic " + msg.topic + " is " +
                                    std::to_string(msg.body.size()) + " bytes, over maxMessageSize " +
                                    std::to_string(max_size));
  }
  for (const auto& [name, value] : msg.properties) {
    if (name.empty() || !is_valid_property_text(name) || !is_valid_property_text(value)) {
      return Status::invalid_argument("a property name or value of a message to topic " + msg.topic +
                                      " is empty or holds \\u0001 / \\u0002");
    }
  }
  return Status::ok();
}

Result<std::string> encode_batch(const std::vector<Message>& batch, int max_size) {
  if (batch.empty()) return Status::invalid_argument("the batch is empty");
  const std::string& topic = batch.front().topic;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Message& m = batch[i];
    if (m.topic != topic) {
      return Status::invalid_argument("a batch has one topic: message " + std::to_string(i) + " is to " + m.topic +
                                      ", message 0 to " + topic);
    }
    if (Status s = check_message(m, max_size); !s.is_ok()) return s;
    if (m.delay_time_level() > 0) {
      return Status::invalid_argument("a batch to topic " + topic + " cannot hold delayed messages (message " +
                                      std::to_string(i) + ")");
    }
    if (m.topic.rfind("%RETRY%", 0) == 0) return Status::invalid_argument("a batch cannot go to retry topic " + topic);
  }
  std::string body = remoting::encode_message_batch(batch);
  if (body.size() > static_cast<size_t>(max_size)) {
    return Status::invalid_argument("the batch to topic " + topic + " of " + std::to_string(batch.size()) +
                                    " messages encodes to " + std::to_string(body.size()) +
                                    " bytes, over maxMessageSize " + std::to_string(max_size));
  }
  return body;
}

}  // namespace tern::client::internal
