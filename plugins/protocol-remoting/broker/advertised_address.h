// The address a broker tells name servers (and so clients) to connect to. A wrong one is
// RocketMQ users' most common trouble on hosts with several interfaces, so the choice is
// explained in the start-up log:
//   1. brokerIP1 when set;
//   2. otherwise bindIP when it names one interface;
//   3. otherwise the first IPv4 address of an interface that is up, not loopback and not
//      a container or VM bridge (docker*, br-*, veth*, virbr*, cni*, flannel*);
//   4. otherwise 127.0.0.1 (a host with no network: local clients only).
//
// Thread-safety: a pure function of the host's interfaces.
#pragma once

#include <string>

namespace tern::remoting {

struct AdvertisedAddress {
  std::string ip;
  std::string reason;  // "brokerIP1", "bindIP", "interface eth0", "no other interface"
};

AdvertisedAddress choose_advertised_address(const std::string& broker_ip1, const std::string& bind_ip);

}  // namespace tern::remoting
