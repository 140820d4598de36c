// Name-server keys and defaults (RocketMQ 4.9 / 5.x NamesrvConfig and NettyServerConfig;
// mqnamesrv's listen port 9876 as NamesrvStartup sets it).
#include "namesrv_config.h"

namespace tern::remoting {
namespace {

using config_flag::kImportant;
using config_flag::kNoEffect;
constexpr ConfigType kStr = ConfigType::kString;
constexpr ConfigType kInt = ConfigType::kInt;
constexpr ConfigType kLong = ConfigType::kLong;
constexpr ConfigType kBool = ConfigType::kBool;

constexpr const char* kPool = "Tern serves every request on its io threads";
constexpr const char* kNetty = "Netty tuning; Tern uses Asio";

const ConfigKeySpec kKeys[] = {
    {"listenPort", kInt, "9876", "1..65535", "port of the name server's remoting listener", kImportant},
    {"bindIP", kStr, "0.0.0.0", "", "interface the listener binds to (RocketMQ 5: bindAddress)", 0},
    {"kvConfigPath", kStr, "${env:HOME}/namesrv/kvConfig.json", "", "file of the KV config (PUT_KV_CONFIG)",
     kImportant},
    {"brokerExpiredTime", kLong, "120000", "100..", "drop a broker not heard from for this long (ms)", kImportant},
    {"scanNotActiveBrokerInterval", kLong, "5000", "10..", "how often to look for such brokers (ms)", 0},
    {"orderMessageEnable", kBool, "false", "", "route answers carry orderTopicConf from the KV config", 0},

    // RocketMQ keys Tern accepts without effect.
    {"rocketmqHome", kStr, "${env:ROCKETMQ_HOME}", "", "RocketMQ install directory", kNoEffect},
    {"configStorePath", kStr, "${env:HOME}/namesrv/namesrv.properties", "",
     "Tern does not rewrite its config file (UPDATE_NAMESRV_CONFIG changes memory only)", kNoEffect},
    {"productEnvName", kStr, "center", "", "unused by RocketMQ 4.x too", kNoEffect},
    {"clusterTest", kBool, "false", "", "RocketMQ's cluster-test processor", kNoEffect},
    {"returnOrderTopicConfigToBroker", kBool, "true", "",
     "Tern always returns the order-topic config to a registering broker", kNoEffect},
    {"configBlackList", kStr, "configBlackList;configStorePath;kvConfigPath", "",
     "Tern's black list is fixed: configBlackList, configStorePath, kvConfigPath, rocketmqHome", kNoEffect},
    {"clientRequestThreadPoolNums", kInt, "8", "", kPool, kNoEffect},
    {"defaultThreadPoolNums", kInt, "16", "", kPool, kNoEffect},
    {"clientRequestThreadPoolQueueCapacity", kInt, "50000", "", kPool, kNoEffect},
    {"defaultThreadPoolQueueCapacity", kInt, "10000", "", kPool, kNoEffect},
    {"unRegisterBrokerQueueCapacity", kInt, "3000", "", "Tern unregisters at once", kNoEffect},
    {"supportActingMaster", kBool, "false", "", "RocketMQ 5 controller mode", kNoEffect},
    {"enableAllTopicList", kBool, "true", "", "Tern always answers the topic list", kNoEffect},
    {"enableTopicList", kBool, "true", "", "Tern always answers the topic list", kNoEffect},
    {"notifyMinBrokerIdChanged", kBool, "false", "", "RocketMQ 5 controller mode", kNoEffect},
    {"enableControllerInNamesrv", kBool, "false", "", "RocketMQ 5 controller mode", kNoEffect},
    {"needWaitForService", kBool, "false", "", "Tern serves as soon as it listens", kNoEffect},
    {"waitSecondsForService", kInt, "45", "", "Tern serves as soon as it listens", kNoEffect},
    {"deleteTopicWithBrokerRegistration", kBool, "false", "",
     "Tern keeps topics a broker leaves out (delete them with DELETE_TOPIC_IN_NAMESRV)", kNoEffect},
    {"serverWorkerThreads", kInt, "8", "", kPool, kNoEffect},
    {"serverCallbackExecutorThreads", kInt, "0", "", kPool, kNoEffect},
    {"serverSelectorThreads", kInt, "3", "", kPool, kNoEffect},
    {"serverOnewaySemaphoreValue", kInt, "256", "", kNetty, kNoEffect},
    {"serverAsyncSemaphoreValue", kInt, "64", "", kNetty, kNoEffect},
    {"serverChannelMaxIdleTimeSeconds", kInt, "120", "", kNetty, kNoEffect},
    {"serverSocketSndBufSize", kInt, "0", "", kNetty, kNoEffect},
    {"serverSocketRcvBufSize", kInt, "0", "", kNetty, kNoEffect},
    {"writeBufferHighWaterMark", kInt, "0", "", kNetty, kNoEffect},
    {"writeBufferLowWaterMark", kInt, "0", "", kNetty, kNoEffect},
    {"serverSocketBacklog", kInt, "1024", "", kNetty, kNoEffect},
    {"serverNettyWorkerGroupEnable", kBool, "true", "", kNetty, kNoEffect},
    {"serverPooledByteBufAllocatorEnable", kBool, "true", "", kNetty, kNoEffect},
    {"enableShutdownGracefully", kBool, "false", "", "Tern always shuts down gracefully", kNoEffect},
    {"shutdownWaitTimeSeconds", kInt, "30", "", kNetty, kNoEffect},
    {"useEpollNativeSelector", kBool, "false", "", kNetty, kNoEffect},
};

const NamesrvKeyAlias kAliases[] = {
    {"bindAddress", "bindIP"},
};

}  // namespace

std::span<const ConfigKeySpec> namesrv_config_keys() { return kKeys; }
std::span<const NamesrvKeyAlias> namesrv_config_aliases() { return kAliases; }

NameServerOptions name_server_options_from(const ConfigView& config) {
  NameServerOptions options;
  options.bind_ip = config.get_string("bindIP");
  options.listen_port = static_cast<uint16_t>(config.get_int("listenPort"));
  options.kv_config_path = config.get_string("kvConfigPath");
  options.broker_expired_ms = config.get_int("brokerExpiredTime");
  options.scan_interval_ms = config.get_int("scanNotActiveBrokerInterval");
  options.order_message_enable = config.get_bool("orderMessageEnable");
  return options;
}

}  // namespace tern::remoting
