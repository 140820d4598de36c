// RocketMQ's broker keys and defaults (rocketmq-all 4.9: BrokerConfig, MessageStoreConfig,
// NettyServerConfig; seeds 000 and 002 list the ones operators set). Keys marked kNoEffect
// tune RocketMQ's JVM thread pools and Netty; Tern accepts them so existing files load,
// and warns that they change nothing.
#include "config/broker_config_keys.h"

#include "bundled_plugins.h"

namespace tern::kernel {
namespace {

using config_flag::kImportant;
using config_flag::kNoEffect;
constexpr ConfigType kStr = ConfigType::kString;
constexpr ConfigType kInt = ConfigType::kInt;
constexpr ConfigType kLong = ConfigType::kLong;
constexpr ConfigType kBool = ConfigType::kBool;
constexpr ConfigType kEnum = ConfigType::kEnum;

const ConfigKeySpec kKeys[] = {
    // Identity and cluster.
    {"brokerClusterName", kStr, "DefaultCluster", "", "cluster this broker belongs to", kImportant},
    {"brokerName", kStr, "${hostname}", "", "broker group name (master and slaves share it)", kImportant},
    {"brokerId", kLong, "0", "0..", "0 for the master, > 0 for a slave", kImportant},
    {"brokerRole", kEnum, "ASYNC_MASTER", "ASYNC_MASTER|SYNC_MASTER|SLAVE", "replication role", kImportant},
    {"namesrvAddr", ConfigType::kAddressList, "${env:NAMESRV_ADDR}", "",
     "name servers, host:port;host:port (also from NAMESRV_ADDR or -n)", kImportant},
    {"brokerIP1", kStr, "", "", "address advertised to clients; empty: chosen at start and printed", kImportant},
    {"brokerIP2", kStr, "", "", "address advertised to slaves for replication; empty: brokerIP1", 0},
    {"bindIP", kStr, "0.0.0.0", "", "interface the listeners bind to", 0},
    {"listenPort", kInt, "10911", "1..65535", "port of the RocketMQ remoting listener", kImportant},
    {"embeddedNamesrv", kBool, "false", "",
     "run a name server in the broker process (mqbroker --standalone turns it on)", kImportant},
    {"embeddedNamesrvPort", kInt, "9876", "1..65535", "port of the embedded name server", 0},
    {"haListenPort", kInt, "10912", "1..65535", "port slaves connect to for replication", 0},
    {"registerBrokerTimeoutMills", kInt, "6000", "1..", "timeout of a name-server registration (ms)", 0},
    {"registerNameServerPeriod", kInt, "30000", "10000..60000", "interval of name-server registrations (ms)", 0},
    {"brokerPermission", kInt, "6", "0..15", "permission bits of the broker (4 read, 2 write)", 0},

    // Topics and groups.
    {"autoCreateTopicEnable", kBool, "true", "", "create a topic on first send (off in production)", kImportant},
    {"autoCreateSubscriptionGroup", kBool, "true", "", "create a consumer group on first use", kImportant},
    {"defaultTopicQueueNums", kInt, "8", "1..1024", "queues of an auto-created topic", kImportant},
    {"clusterTopicEnable", kBool, "true", "", "create a topic named after the cluster", 0},
    {"brokerTopicEnable", kBool, "true", "", "create a topic named after the broker", 0},
    {"traceTopicEnable", kBool, "false", "", "create the message-trace topic", 0},
    {"msgTraceTopicName", kStr, "RMQ_SYS_TRACE_TOPIC", "", "name of the message-trace topic", 0},

    // Store layout.
    {"storePathRootDir", kStr, "${env:HOME}/store", "", "root of the store and its metadata", kImportant},
    {"storePathCommitLog", kStr, "${storePathRootDir}/commitlog", "", "commit-log directory", 0},
    {"storePathConsumeQueue", kStr, "${storePathRootDir}/consumequeue", "", "consume-queue directory", 0},
    {"storePathIndex", kStr, "${storePathRootDir}/index", "", "index-file directory", 0},
    {"storeCheckpoint", kStr, "${storePathRootDir}/checkpoint", "", "checkpoint file", 0},
    {"abortFile", kStr, "${storePathRootDir}/abort", "", "file present while the broker runs", 0},
    {"mappedFileSizeCommitLog", kLong, "1073741824", "4096..", "size of a commit-log segment (bytes)", kImportant},
    {"mappedFileSizeConsumeQueue", kLong, "6000000", "20..", "size of a consume-queue file (bytes, 20 per message)", 0},
    {"maxHashSlotNum", kInt, "5000000", "1..", "hash slots of an index file", 0},
    {"maxIndexNum", kInt, "20000000", "2..", "entries of an index file", 0},
    {"messageIndexEnable", kBool, "true", "", "index KEYS and UNIQ_KEY", 0},
    {"messageIndexSafe", kBool, "false", "", "flush the index with the commit log", 0},
    {"maxMessageSize", kInt, "4194304", "1..", "largest message body accepted (bytes)", kImportant},
    {"maxMsgsNumBatch", kInt, "64", "1..", "most results of a query by key", 0},
    {"defaultQueryMaxNum", kInt, "32", "1..", "default results of a query by key", 0},

    // Flush.
    {"flushDiskType", kEnum, "ASYNC_FLUSH", "ASYNC_FLUSH|SYNC_FLUSH", "answer sends before or after fsync", kImportant},
    {"syncFlushTimeout", kLong, "5000", "1..", "SYNC_FLUSH: FLUSH_DISK_TIMEOUT after this (ms)", 0},
    {"flushIntervalCommitLog", kInt, "500", "1..", "ASYNC_FLUSH: flush interval (ms)", 0},
    {"flushCommitLogLeastPages", kInt, "4", "0..", "ASYNC_FLUSH: least dirty pages to flush", 0},
    {"flushCommitLogThoroughInterval", kInt, "10000", "0..", "flush regardless of pages after (ms)", 0},
    {"flushCommitLogTimed", kBool, "false", "", "flush on a timer rather than on wake-up", 0},
    {"flushIntervalConsumeQueue", kInt, "1000", "1..", "consume-queue flush interval (ms)", 0},
    {"flushConsumeQueueLeastPages", kInt, "2", "0..", "least dirty consume-queue pages to flush", 0},
    {"flushConsumeQueueThoroughInterval", kInt, "60000", "0..", "flush consume queues regardless after (ms)", 0},
    {"flushDelayOffsetInterval", kLong, "10000", "1..", "interval of delayOffset.json writes (ms)", 0},
    {"flushConsumerOffsetInterval", kInt, "5000", "1..", "interval of consumerOffset.json writes (ms)", 0},

    // Retention.
    {"fileReservedTime", kInt, "72", "1..", "hours a commit-log segment is kept", kImportant},
    {"deleteWhen", ConfigType::kHourList, "04", "", "hours of the day to delete expired files, e.g. 04;16", kImportant},
    {"diskMaxUsedSpaceRatio", kInt, "75", "10..95", "disk use (%) above which old files go at once", kImportant},
    {"diskSpaceWarningLevelRatio", kInt, "90", "10..99", "disk use (%) at which writes are refused", 0},
    {"cleanResourceInterval", kInt, "10000", "1..", "interval of the retention check (ms)", 0},
    {"destroyMapedFileIntervalForcibly", kInt, "120000", "0..", "delay before a busy file is deleted (ms)", 0},
    {"redeleteHangedFileInterval", kInt, "120000", "0..", "retry interval of a hanging delete (ms)", 0},
    {"deleteCommitLogFilesInterval", kInt, "100", "0..", "pause between two segment deletions (ms)", 0},
    {"deleteConsumeQueueFilesInterval", kInt, "100", "0..", "pause between two consume-queue deletions (ms)", 0},

    // Delivery.
    {"messageDelayLevel", ConfigType::kDurationList, "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h", "",
     "delay of each delay level (s, m, h, d, or ms); retries use them in order", kImportant},
    {"timerMaxDelaySec", kLong, "604800", "1..", "farthest delivery time of a timer message (s)", 0},
    {"timerRollWindowSec", kLong, "3600", "2..",
     "a timer message waiting longer than this is rewritten (s; bounds the restart scan; Tern key)", 0},
    {"longPollingEnable", kBool, "true", "", "hold pulls until messages arrive", 0},
    {"shortPollingTimeMills", kLong, "1000", "1..", "hold time of a pull when long polling is off (ms)", 0},
    {"enablePropertyFilter", kBool, "false", "", "allow SQL92 subscriptions", kImportant},
    {"enableCalcFilterBitMap", kBool, "false", "", "precompute filter bitmaps", kNoEffect},
    {"transactionTimeOut", kLong, "6000", "1..", "check back a half message older than this (ms)", 0},
    {"transactionCheckMax", kInt, "15", "1..", "check-backs before a half message is dropped", 0},
    {"transactionCheckInterval", kLong, "60000", "1..", "interval of transaction check-backs (ms)", 0},
    {"maxTransferBytesOnMessageInMemory", kInt, "262144", "1..", "most bytes in one pull response", 0},
    {"maxTransferCountOnMessageInMemory", kInt, "32", "1..", "most messages in one pull response", 0},
    {"maxTransferBytesOnMessageInDisk", kInt, "65536", "1..", "most bytes in one pull from disk", 0},
    {"maxTransferCountOnMessageInDisk", kInt, "8", "1..", "most messages in one pull from disk", 0},
    {"notifyConsumerIdsChangedEnable", kBool, "true", "", "tell consumers when their group changes", 0},
    {"clientChannelExpiredTimeout", kLong, "120000", "1..",
     "drop a client not heard from for this long (ms; Tern key, RocketMQ fixes it at 120 s)", 0},
    {"rebalanceLockMaxLiveTime", kLong, "60000", "1..",
     "a queue lock of an orderly consumer not renewed for this long expires (ms; RocketMQ's "
     "rocketmq.broker.rebalance.lockMaxLiveTime)",
     0},
    {"rejectTransactionMessage", kBool, "false", "", "refuse transaction messages", 0},
    {"slaveReadEnable", kBool, "false", "", "let consumers read from slaves when behind", 0},
    {"haMasterAddress", kStr, "", "", "SLAVE: master's ha address host:port", 0},
    {"haSendHeartbeatInterval", kInt, "5000", "1..", "slave heartbeat interval (ms)", 0},
    {"haHousekeepingInterval", kInt, "20000", "1..", "drop a silent slave after (ms)", 0},
    {"haTransferBatchSize", kInt, "32768", "1..", "bytes per replication batch", 0},
    {"haSlaveFallbehindMax", kInt, "268435456", "0..", "SYNC_MASTER: lag past which slaves count as absent", 0},

    // RocketMQ thread pools and JVM tuning: accepted, no effect in Tern.
    {"sendMessageThreadPoolNums", kInt, "1", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"pullMessageThreadPoolNums", kInt, "16", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"queryMessageThreadPoolNums", kInt, "8", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"adminBrokerThreadPoolNums", kInt, "16", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"clientManageThreadPoolNums", kInt, "32", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"consumerManageThreadPoolNums", kInt, "32", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"heartbeatThreadPoolNums", kInt, "8", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"endTransactionThreadPoolNums", kInt, "8", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"serverWorkerThreads", kInt, "8", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"serverSelectorThreads", kInt, "3", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"serverCallbackExecutorThreads", kInt, "0", "", "Tern serves on an io pool sized to the cores", kNoEffect},
    {"useEpollNativeSelector", kBool, "false", "", "Netty transport choice", kNoEffect},
    {"warmMapedFileEnable", kBool, "false", "", "pre-touch new segments", kNoEffect},
    {"transientStorePoolEnable", kBool, "false", "", "off-heap write buffer", kNoEffect},
    {"checkTransactionMessageEnable", kBool, "false", "", "RocketMQ 3 transaction checker", kNoEffect},
    {"osPageCacheBusyTimeOutMills", kLong, "1000", "", "JVM lock-contention guard", kNoEffect},
    {"useReentrantLockWhenPutMessage", kBool, "false", "", "JVM lock choice", kNoEffect},
    {"rocketmqHome", kStr, "${env:ROCKETMQ_HOME}", "", "RocketMQ install directory", kNoEffect},

    // Tern runtime.
    {"plugins", ConfigType::kNameList, TERN_BUNDLED_PLUGINS, "", "plugins to load, by name, comma-separated", kImportant},
    {"pluginDir", kStr, "${exeDir}/../lib/tern/plugins", "", "directory holding <name>.so plugins", kImportant},
    {"logDir", kStr, "${env:HOME}/logs/tern", "", "directory of broker.log (rotated)", kImportant},
    {"logLevel", kEnum, "INFO", "TRACE|DEBUG|INFO|WARN|ERROR", "least severe level logged", 0},
    {"logFileMaxSize", kLong, "134217728", "1048576..", "size at which broker.log rotates (bytes)", 0},
    {"logFileMaxCount", kInt, "10", "1..1000", "rotated log files kept", 0},
    {"ioThreads", kInt, "0", "0..256", "io threads serving all listeners; 0: one per core", 0},
};

const ConfigKeyAlias kAliases[] = {
    {"mapedFileSizeCommitLog", "mappedFileSizeCommitLog"},      // RocketMQ before 4.5
    {"mapedFileSizeConsumeQueue", "mappedFileSizeConsumeQueue"},
    {"transactionTimeout", "transactionTimeOut"},
};

}  // namespace

std::span<const ConfigKeySpec> broker_config_keys() { return kKeys; }
std::span<const ConfigKeyAlias> broker_config_aliases() { return kAliases; }

}  // namespace tern::kernel
