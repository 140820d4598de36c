// RemotingProtocolServer (contract in remoting_protocol_server.h): reads the broker's
// keys, chooses the advertised address, and starts the name server (if embedded) before
// the broker so that the broker's first registration finds it.
#include "remoting_protocol_server.h"

#include <chrono>

#include "advertised_address.h"
#include "send_processor.h"

namespace tern::remoting {
namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SocketAddress parse_ipv4(const std::string& ip, int32_t port) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(ip, ec);
  if (ec) addr = boost::asio::ip::make_address("127.0.0.1");
  return to_socket_address(boost::asio::ip::tcp::endpoint(addr, static_cast<uint16_t>(port)));
}

}  // namespace

Status RemotingProtocolServer::start() {
  const ConfigView& config = context_.kernel.broker_config();
  io_pool_ = std::make_unique<kernel::IoContextPool>(static_cast<size_t>(config.get_int("ioThreads")));
  io_pool_->start();
  auto next_io = [pool = io_pool_.get()]() -> boost::asio::io_context& { return pool->next(); };
  std::string bind_ip = config.get_string("bindIP");
  size_t max_frame = static_cast<size_t>(context_.config.get_int("frameMaxLength"));

  std::vector<std::string> name_servers = config.get_list("namesrvAddr", ';');
  if (config.get_bool("embeddedNamesrv")) {
    NameServerOptions ns;
    ns.bind_ip = bind_ip;
    ns.listen_port = static_cast<uint16_t>(config.get_int("embeddedNamesrvPort"));
    ns.max_frame = max_frame;
    ns.kv_config_path = config.get_string("storePathRootDir") + "/config/kvConfig.json";
    name_server_ = std::make_unique<NameServer>(ns, next_io, context_.logger);
    Status s = name_server_->start();
    if (!s.is_ok()) return s;
    context_.logger.info("embedded name server listening on ", name_server_->address());
    if (name_servers.empty()) name_servers.push_back("127.0.0.1:" + std::to_string(name_server_->port()));
  }

  BrokerContext ctx{context_.kernel, context_.logger, next_io};
  ctx.cluster_name = config.get_string("brokerClusterName");
  ctx.broker_name = config.get_string("brokerName");
  ctx.broker_id = config.get_int("brokerId");
  ctx.max_message_size = config.get_int("maxMessageSize");
  ctx.default_topic_queue_nums = static_cast<int32_t>(config.get_int("defaultTopicQueueNums"));
  ctx.long_polling_enable = config.get_bool("longPollingEnable");
  ctx.short_polling_millis = config.get_int("shortPollingTimeMills");
  ctx.enable_property_filter = config.get_bool("enablePropertyFilter");
  ctx.start_time_ms = now_ms();

  RemotingBrokerOptions options;
  options.bind_ip = bind_ip;
  options.listen_port = static_cast<uint16_t>(config.get_int("listenPort"));
  options.max_frame = max_frame;
  options.registrar.name_servers = name_servers;
  options.registrar.period = std::chrono::milliseconds(config.get_int("registerNameServerPeriod"));
  options.registrar.timeout = std::chrono::milliseconds(config.get_int("registerBrokerTimeoutMills"));

  // Chosen before listening so that handlers never see the address change.
  AdvertisedAddress advertised = choose_advertised_address(config.get_string("brokerIP1"), bind_ip);
  ctx.advertised_address = advertised.ip + ":" + std::to_string(options.listen_port);
  ctx.store_host = parse_ipv4(advertised.ip, options.listen_port);
  options.registrar.ha_server_address = advertised.ip + ":" + std::to_string(config.get_int("haListenPort"));
  std::string advertised_address = ctx.advertised_address;
  broker_ = std::make_unique<RemotingBroker>(std::move(ctx), std::move(options));
  Status s = broker_->listen();
  if (!s.is_ok()) return s;
  context_.logger.info("broker listening on ", bind_ip, ":", broker_->port(), ", advertised to clients as ",
                       advertised_address, " (from ", advertised.reason,
                       advertised.reason == "brokerIP1" ? "" : "; set brokerIP1 to choose another", ")");
  broker_->start_registration();
  return Status::ok();
}

void RemotingProtocolServer::stop() {
  if (broker_) broker_->stop();
  if (name_server_) name_server_->stop();
  // Runs what is still queued (answers to held pulls wake with nothing to do once their
  // connections are gone) and joins the threads, so no code of this library is left on
  // a thread when the kernel unloads it.
  if (io_pool_) io_pool_->stop();
  broker_.reset();
  name_server_.reset();
}

std::vector<std::string> RemotingProtocolServer::listening_addresses() const {
  std::vector<std::string> out;
  if (broker_) out.push_back(broker_->context().advertised_address);
  if (name_server_) out.push_back(name_server_->address());
  return out;
}

}  // namespace tern::remoting
