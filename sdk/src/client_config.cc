// ClientConfig's derived values: the client id and the name-server list.
#include "tern/client/client_config.h"

#include <unistd.h>

#include <cstdlib>

#include "message_util.h"

namespace tern::client {

std::string ClientConfig::build_client_id() const {
  std::string ip = client_ip_.empty() ? internal::local_ipv4() : client_ip_;
  std::string instance = instance_name_ == "DEFAULT" ? std::to_string(::getpid()) : instance_name_;
  return ip + "@" + instance;
}

std::string ClientConfig::resolved_namesrv_addr() const {
  if (!namesrv_addr_.empty()) return namesrv_addr_;
  const char* env = std::getenv("NAMESRV_ADDR");
  return env != nullptr ? std::string(env) : std::string();
}

}  // namespace tern::client
