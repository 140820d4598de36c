// The SDK's side of the ali-ons → SDK interop scenario (tests/interop/remoting/ali_ons_producer_interop.py):
// a DefaultMQPushConsumer that writes one JSON line per message it is handed, until SIGTERM:
//   {"key":..,"keys":..,"tag":..,"index":..,"queueId":..,"queueOffset":..,"msgId":..,
//    "uniqId":..,"reconsumeTimes":..,"bodyHex":..}
// --orderly uses the orderly listener (one queue at a time, in queue order), so the driver
// can check each queue's offsets arrive in increasing order.
//   sdk_interop_consumer --namesrv H:P --topic T --group G --sub EXPR --out FILE [--orderly]
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "tern/client/push_consumer.h"

using namespace tern::client;

namespace {

volatile std::sig_atomic_t stop = 0;

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string hex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string namesrv, topic, group, sub = "*", out_path;
  bool orderly = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--orderly") {
      orderly = true;
      continue;
    }
    if (i + 1 >= argc) break;
    std::string v = argv[++i];
    if (a == "--namesrv") namesrv = v;
    if (a == "--topic") topic = v;
    if (a == "--group") group = v;
    if (a == "--sub") sub = v;
    if (a == "--out") out_path = v;
  }
  if (namesrv.empty() || topic.empty() || group.empty() || out_path.empty()) {
    std::fprintf(stderr, "usage: %s --namesrv H:P --topic T --group G [--sub EXPR] --out FILE [--orderly]\n", argv[0]);
    return 2;
  }
  std::FILE* out = std::fopen(out_path.c_str(), "w");
  if (out == nullptr) {
    std::perror(out_path.c_str());
    return 2;
  }
  std::signal(SIGTERM, [](int) { stop = 1; });
  std::signal(SIGINT, [](int) { stop = 1; });
  std::mutex mu;
  auto write = [&](const std::vector<MessageExt>& msgs) {
    std::lock_guard lock(mu);
    for (const auto& m : msgs) {
      auto keys = m.keys();
      std::string line = "{\"key\":" + json_string(keys.empty() ? std::string_view() : keys.front()) +
                         ",\"keys\":" + json_string(m.property(tern::property::kKeys)) +
                         ",\"tag\":" + json_string(m.tags()) + ",\"index\":" + json_string(m.property("interopIndex")) +
                         ",\"queueId\":" + std::to_string(m.queue_id) +
                         ",\"queueOffset\":" + std::to_string(m.queue_offset) + ",\"msgId\":" + json_string(m.msg_id) +
                         ",\"uniqId\":" + json_string(uniq_msg_id(m)) +
                         ",\"reconsumeTimes\":" + std::to_string(m.reconsume_times) +
                         ",\"bodyHex\":\"" + hex(m.body) + "\"}\n";
      std::fputs(line.c_str(), out);
    }
    std::fflush(out);
  };
  DefaultMQPushConsumer consumer(group);
  consumer.set_namesrv_addr(namesrv);
  consumer.set_instance_name(group + "_" + std::to_string(::getpid()));
  consumer.set_consume_from_where(ConsumeFromWhere::CONSUME_FROM_FIRST_OFFSET);
  consumer.subscribe(topic, sub);
  if (orderly) {
    consumer.register_message_listener([&](const std::vector<MessageExt>& msgs) {
      write(msgs);
      return ConsumeOrderlyStatus::SUCCESS;
    });
  } else {
    consumer.register_message_listener([&](const std::vector<MessageExt>& msgs) {
      write(msgs);
      return ConsumeConcurrentlyStatus::CONSUME_SUCCESS;
    });
  }
  try {
    consumer.start();
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "sdk_interop_consumer: %s\n", e.what());
    return 1;
  }
  std::printf("sdk_interop_consumer started: group %s, topic %s, sub %s%s\n", group.c_str(), topic.c_str(),
              sub.c_str(), orderly ? ", orderly" : "");
  std::fflush(stdout);
  while (!stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  consumer.shutdown();
  std::fclose(out);
  return 0;
}
