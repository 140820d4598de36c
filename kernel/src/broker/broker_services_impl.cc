// BrokerServicesImpl: config to options, start and stop sequencing, the background thread.
#include "broker/broker_services_impl.h"

#include <pthread.h>

#include <boost/asio/post.hpp>

namespace tern::kernel {
namespace {

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string config_dir_of(const ConfigView& config) { return config.get_string("storePathRootDir") + "/config"; }

TopicConfigOptions topic_options(const ConfigView& config, int32_t schedule_queue_nums) {
  TopicConfigOptions o;
  o.schedule_queue_nums = schedule_queue_nums;
  o.file = config_dir_of(config) + "/topics.json";
  o.auto_create_topic_enable = config.get_bool("autoCreateTopicEnable");
  o.default_topic_queue_nums = static_cast<int32_t>(config.get_int("defaultTopicQueueNums"));
  o.broker_permission = static_cast<int32_t>(config.get_int("brokerPermission"));
  o.cluster_name = config.get_string("brokerClusterName");
  o.cluster_topic_enable = config.get_bool("clusterTopicEnable");
  o.broker_name = config.get_string("brokerName");
  o.broker_topic_enable = config.get_bool("brokerTopicEnable");
  o.trace_topic_enable = config.get_bool("traceTopicEnable");
  o.trace_topic_name = config.get_string("msgTraceTopicName");
  return o;
}

SubscriptionGroupOptions group_options(const ConfigView& config) {
  return {config_dir_of(config) + "/subscriptionGroup.json", config.get_bool("autoCreateSubscriptionGroup")};
}

ScheduleOptions schedule_options(const ConfigView& config) {
  ScheduleOptions o;
  o.file = config_dir_of(config) + "/delayOffset.json";
  o.delay_levels = config.get_string("messageDelayLevel");
  o.deliver = config.get_string("brokerRole") != "SLAVE";
  return o;
}

ClientManagerOptions client_options(const ConfigView& config) {
  return {config.get_bool("notifyConsumerIdsChangedEnable"),
          std::chrono::milliseconds(config.get_int("clientChannelExpiredTimeout"))};
}

TimerMessageOptions timer_options(const ConfigView& config) {
  TimerMessageOptions o;
  o.checkpoint_file = config_dir_of(config) + "/timerCheckpoint.json";
  o.max_delay = std::chrono::seconds(config.get_int("timerMaxDelaySec"));
  o.roll_window = std::chrono::seconds(config.get_int("timerRollWindowSec"));
  o.deliver = config.get_string("brokerRole") != "SLAVE";
  return o;
}

TransactionOptions transaction_options(const ConfigView& config) {
  TransactionOptions o;
  o.timeout = std::chrono::milliseconds(config.get_int("transactionTimeOut"));
  o.check_max = static_cast<int32_t>(config.get_int("transactionCheckMax"));
  o.check_interval = std::chrono::milliseconds(config.get_int("transactionCheckInterval"));
  o.reject = config.get_bool("rejectTransactionMessage");
  o.check = config.get_string("brokerRole") != "SLAVE";
  return o;
}

}  // namespace

BrokerServicesImpl::BrokerServicesImpl(const ConfigView& config, std::shared_ptr<Logger> logger)
    : logger_(std::move(logger)),
      config_dir_(config_dir_of(config)),
      offset_flush_interval_(config.get_int("flushConsumerOffsetInterval")),
      delay_offset_flush_interval_(config.get_int("flushDelayOffsetInterval")),
      holds_(*logger_),
      schedule_(schedule_options(config), holds_, *logger_),
      groups_(group_options(config), *logger_),
      topics_(topic_options(config, schedule_.queue_nums()), &groups_, *logger_),
      offsets_(config_dir_ + "/consumerOffset.json", *logger_),
      clients_(client_options(config), &topics_, &groups_, *logger_),
      timers_(timer_options(config), *logger_),
      writer_(&schedule_),
      retry_(groups_, topics_, writer_, static_cast<int32_t>(config.get_int("brokerPermission")),
             config.get_string("brokerName"), *logger_),
      transactions_(transaction_options(config), offsets_, clients_, writer_, *logger_),
      locks_(std::chrono::milliseconds(config.get_int("rebalanceLockMaxLiveTime")), *logger_),
      start_time_ms_(wall_clock_ms()) {
  topics_.writer().set_scheduler([this] { schedule_write(&topics_.writer()); });
  groups_.writer().set_scheduler([this] { schedule_write(&groups_.writer()); });
}

BrokerServicesImpl::~BrokerServicesImpl() { stop(); }

Status BrokerServicesImpl::start(MessageStore* store) {
  if (started_ || stopped_) return Status::ok();
  TERN_RETURN_IF_ERROR(topics_.load());
  TERN_RETURN_IF_ERROR(groups_.load());
  TERN_RETURN_IF_ERROR(offsets_.load());
  TERN_RETURN_IF_ERROR(schedule_.load());
  TERN_RETURN_IF_ERROR(timers_.start(store));
  started_ = true;
  start_time_ms_ = wall_clock_ms();
  holds_.start(store);
  writer_.attach(store, store != nullptr ? &timers_ : nullptr, &transactions_);
  retry_.attach(store);
  transactions_.start(store);

  work_.emplace(io_.get_executor());
  flush_timer_ = std::make_unique<PeriodicTimer>(io_, offset_flush_interval_, [this] { write_all("periodic"); });
  scan_timer_ = std::make_unique<PeriodicTimer>(io_, clients_.scan_interval(),
                                                [this] { clients_.scan_expired(std::chrono::steady_clock::now()); });
  delay_offset_timer_ = std::make_unique<PeriodicTimer>(io_, delay_offset_flush_interval_, [this] {
    if (Status s = schedule_.writer().write_if_dirty(); !s.is_ok()) logger_->error("cannot write metadata: ", s.message());
  });
  flush_timer_->start(offset_flush_interval_);
  scan_timer_->start(clients_.scan_interval());
  delay_offset_timer_->start(delay_offset_flush_interval_);
  // Changes made before loading (none in practice) are written once the thread runs.
  schedule_write(&topics_.writer());
  schedule_write(&groups_.writer());
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "broker-services");
    io_.run();
  });
  schedule_.start(store);
  logger_->info("broker services started: metadata in ", config_dir_, ", consumer offsets written every ",
                offset_flush_interval_.count(), " ms");
  return Status::ok();
}

void BrokerServicesImpl::stop() {
  if (stopped_) return;
  stopped_ = true;
  writer_.detach();
  retry_.detach();
  transactions_.stop();
  schedule_.stop();  // before the holds: its parked long polls then wake into a closed gate
  holds_.stop();  // every parked pull answered before the protocol plugins' objects go
  timers_.stop();
  if (started_) {
    flush_timer_->cancel();  // waits for a run in progress
    scan_timer_->cancel();
    delay_offset_timer_->cancel();
    work_.reset();  // run() returns once the pending writes and cancellations are done
    if (thread_.joinable()) thread_.join();
    flush_timer_.reset();
    scan_timer_.reset();
    delay_offset_timer_.reset();
    write_all("shutdown");
  }
  // Channels are plugin objects: no reference to them may outlive the plugins.
  clients_.clear();
  if (started_) logger_->info("broker services stopped");
}

void BrokerServicesImpl::schedule_write(MetadataWriter* writer) {
  boost::asio::post(io_, [this, writer] {
    Status s = writer->write_if_dirty();
    if (!s.is_ok()) logger_->error("cannot write metadata (will retry): ", s.message());
  });
}

void BrokerServicesImpl::write_all(const char* when) {
  for (MetadataWriter* w :
       {&topics_.writer(), &groups_.writer(), &offsets_.writer(), &timers_.checkpoint_writer(), &schedule_.writer()}) {
    Status s = w->write_if_dirty();
    if (!s.is_ok()) logger_->error("cannot write metadata at ", when, ": ", s.message());
  }
}

}  // namespace tern::kernel
