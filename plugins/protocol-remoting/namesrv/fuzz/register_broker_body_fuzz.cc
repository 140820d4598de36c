// libFuzzer target: a register-broker body comes from any peer that can reach the name
// server, so parsing must take any bytes without crashing, and keep its invariants:
//   - a parsed body has no topic with an empty name;
//   - registering it in a RouteInfoManager, then routing each of its topics and expiring
//     the broker, keeps the tables consistent (each topic routable while the master is
//     live, none after it expired).
// Build with the fuzz preset (clang, TERN_FUZZ=ON); seeds are in
// tests/fuzz/corpus/fuzz_register_broker_body/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "namesrv_bodies.h"
#include "route_info_manager.h"
#include "tern/check.h"

namespace {

class NullLogger : public tern::Logger {
 public:
  void log(tern::LogLevel, std::string_view) override {}
  bool should_log(tern::LogLevel) const override { return false; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto body = tern::remoting::parse_register_broker_body(text);
  if (!body.is_ok()) return 0;
  for (const auto& t : body->topics) TERN_CHECK(!t.topic.empty(), "parsed a topic with an empty name");

  NullLogger logger;
  int64_t now = 0;
  tern::remoting::RouteInfoManager routes(logger, 1000, [&now] { return now; });
  routes.register_broker({"c", "127.0.0.1:10911", "b", 0, "", nullptr}, *body);
  for (const auto& t : body->topics) {
    auto route = routes.pickup_topic_route(t.topic);
    TERN_CHECK(route.has_value() && route->broker_datas.size() == 1, "a registered topic has no route");
    (void)tern::remoting::encode_topic_route_data(*route);
  }
  now += 1001;
  TERN_CHECK(routes.scan_not_active_brokers() == 1, "the silent broker did not expire");
  TERN_CHECK(routes.all_topics().empty(), "topics left after their only broker expired");
  return 0;
}
