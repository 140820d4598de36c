// The SDK's side of the ali-ons interop scenario (tests/interop/remoting/sdk_producer_interop.py):
// sends --count messages with DefaultMQProducer (sync, async and oneway mixed; every tenth
// body over 4 KiB, so compressed) and writes one line per answered send:
//   <key> <tag> <msgId> <offsetMsgId> <queueId> <queueOffset>
// Bodies are "sdk-interop-<i>" plus 5000 'z' for every tenth i, so the driver knows them.
//   sdk_interop_producer --namesrv H:P --topic T --count N --out FILE
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "tern/client/producer.h"

using namespace tern::client;

int main(int argc, char** argv) {
  std::string namesrv, topic, out_path;
  int count = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--namesrv")) namesrv = argv[i + 1];
    if (!std::strcmp(argv[i], "--topic")) topic = argv[i + 1];
    if (!std::strcmp(argv[i], "--count")) count = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--out")) out_path = argv[i + 1];
  }
  if (namesrv.empty() || topic.empty() || out_path.empty() || count <= 0) {
    std::fprintf(stderr, "usage: %s --namesrv H:P --topic T --count N --out FILE\n", argv[0]);
    return 2;
  }
  std::ofstream out(out_path);
  std::mutex mu;
  auto record = [&](const std::string& key, const std::string& tag, const SendResult& r) {
    std::lock_guard lock(mu);
    out << key << ' ' << tag << ' ' << r.msg_id << ' ' << r.offset_msg_id << ' ' << r.message_queue.queue_id << ' '
        << r.queue_offset << '\n';
  };
  DefaultMQProducer producer("sdk_interop_producer");
  producer.set_namesrv_addr(namesrv);
  try {
    producer.start();
    std::vector<std::future<SendResult>> futures;
    std::vector<std::pair<std::string, std::string>> future_keys;
    for (int i = 0; i < count; ++i) {
      std::string key = "sdk-" + std::to_string(i);
      std::string tag = i % 2 ? "TagB" : "TagA";
      std::string body = "sdk-interop-" + std::to_string(i) + (i % 10 == 0 ? std::string(5000, 'z') : "");
      Message msg = make_message(topic, tag, key, body);
      msg.set_property("interopIndex", std::to_string(i));
      if (i % 5 == 1) {
        futures.push_back(producer.send_async(msg));
        future_keys.emplace_back(key, tag);
      } else if (i % 5 == 2) {
        producer.send_oneway(msg);  // no answer: the driver only checks that it arrives
      } else {
        record(key, tag, producer.send(msg));
      }
    }
    for (size_t i = 0; i < futures.size(); ++i) record(future_keys[i].first, future_keys[i].second, futures[i].get());
  } catch (const MQClientException& e) {
    std::fprintf(stderr, "sdk_interop_producer: %s\n", e.what());
    return 1;
  }
  producer.shutdown();
  return 0;
}
