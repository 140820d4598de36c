// Choice of the advertised address (rules in advertised_address.h).
#include "advertised_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <array>
#include <string_view>

namespace tern::remoting {
namespace {

bool is_virtual_interface(std::string_view name) {
  constexpr std::array<std::string_view, 6> kPrefixes = {"docker", "br-", "veth", "virbr", "cni", "flannel"};
  for (auto p : kPrefixes) {
    if (name.substr(0, p.size()) == p) return true;
  }
  return false;
}

}  // namespace

AdvertisedAddress choose_advertised_address(const std::string& broker_ip1, const std::string& bind_ip) {
  if (!broker_ip1.empty()) return {broker_ip1, "brokerIP1"};
  if (!bind_ip.empty() && bind_ip != "0.0.0.0" && bind_ip != "::") return {bind_ip, "bindIP"};
  ifaddrs* list = nullptr;
  AdvertisedAddress chosen{"127.0.0.1", "no other interface is up"};
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
      if (is_virtual_interface(i->ifa_name)) continue;
      char text[INET_ADDRSTRLEN] = {};
      auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text) == nullptr) continue;
      chosen = {text, std::string("interface ") + i->ifa_name};
      break;
    }
    freeifaddrs(list);
  }
  return chosen;
}

}  // namespace tern::remoting
