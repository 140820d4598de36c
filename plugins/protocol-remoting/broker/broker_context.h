// BrokerContext: what every broker-side handler needs: the kernel, the broker's identity
// and the address it advertises, read once at start.
//
// Thread-safety: immutable after start; the kernel services it points to are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "tern/broker.h"
#include "tern/logger.h"
#include "tern/message.h"
#include "tern/plugin.h"
#include "tern/store.h"

namespace tern::remoting {

struct BrokerContext {
  BrokerContext(KernelServices& k, Logger& l, std::function<boost::asio::io_context&()> io)
      : kernel(k), logger(l), next_io(std::move(io)) {}

  KernelServices& kernel;
  Logger& logger;
  std::function<boost::asio::io_context&()> next_io;  // the plugin's io threads, round-robin
  std::string cluster_name;
  std::string broker_name;
  int64_t broker_id = 0;
  std::string advertised_address;  // "ip:port" clients are told to connect to
  SocketAddress store_host;        // the same, as stored in every message
  int64_t max_message_size = 4 * 1024 * 1024;
  int32_t default_topic_queue_nums = 4;
  bool long_polling_enable = true;
  int64_t short_polling_millis = 1000;
  bool enable_property_filter = false;  // enablePropertyFilter: subscriptions other than TAG allowed
  int64_t start_time_ms = 0;

  MessageStore* store() const { return kernel.store(); }
  BrokerServices& broker() const { return kernel.broker(); }
};

}  // namespace tern::remoting
