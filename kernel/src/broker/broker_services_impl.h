// BrokerServicesImpl: the kernel's BrokerServices (tern/broker.h): the topic and group
// tables, consumer offsets, the client registry, long polling, queue locks, timer messages,
// the write path with delay levels (ScheduleMessageService) and consumer retry, built from
// the broker's config, plus the one thread that does their background work.
//
// Life cycle, driven by PluginHost:
//   constructed   before any plugin is created: plugins may keep references from create();
//                 the tables then hold only what the config makes (system topics, built-in
//                 groups), nothing is read or written yet;
//   start(store)  after the store plugin started: loads topics.json, subscriptionGroup.json,
//                 consumerOffset.json and delayOffset.json (a corrupt file fails the start,
//                 naming it), rebuilds the timer schedule from the store
//                 (TimerMessageService), attaches long polling, the write path and retry to
//                 the store, starts the background thread and delay-level delivery;
//   stop()        after the protocol plugins stopped, before the store stops: detaches the
//                 write path, stops delay-level delivery, wakes the held pulls (false), stops
//                 the timer thread, writes every changed file, forgets every client channel.
//
// The background thread ("broker services") writes metadata files soon after each change,
// writes consumer offsets and the timer checkpoint every flushConsumerOffsetInterval ms and
// delayOffset.json every flushDelayOffsetInterval ms when they changed, and
// drops clients not heard from within clientChannelExpiredTimeout. Disk writes happen
// there, never on the io threads that call the services.
//
// Thread-safety: the services from any thread; start/stop from the main thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "broker/broker_message_writer.h"
#include "broker/client_manager.h"
#include "broker/consumer_offset_manager.h"
#include "broker/consumer_retry_service.h"
#include "broker/pull_request_hold_service.h"
#include "broker/rebalance_lock_manager.h"
#include "broker/schedule_message_service.h"
#include "broker/subscription_group_manager.h"
#include "broker/timer_message_service.h"
#include "broker/topic_config_manager.h"
#include "broker/transactional_message_service.h"
#include "runtime/periodic_timer.h"
#include "tern/broker.h"
#include "tern/config.h"
#include "tern/logger.h"
#include "tern/store.h"

namespace tern::kernel {

class BrokerServicesImpl final : public BrokerServices {
 public:
  // Reads the broker keys it needs from `config` (broker_config_keys() must be declared).
  BrokerServicesImpl(const ConfigView& config, std::shared_ptr<Logger> logger);
  ~BrokerServicesImpl() override;  // stop()
  BrokerServicesImpl(const BrokerServicesImpl&) = delete;
  BrokerServicesImpl& operator=(const BrokerServicesImpl&) = delete;

  // Loads the metadata files and starts long polling and the background thread. `store`
  // may be null (no store plugin: holds then wake only at their deadline). On failure
  // (Corruption or IoError naming the file) nothing runs; stop() is still safe.
  Status start(MessageStore* store);
  // See the top of the file. Idempotent.
  void stop();

  TopicConfigManager& topics() override { return topics_; }
  SubscriptionGroupManager& subscription_groups() override { return groups_; }
  ConsumerOffsetManager& consumer_offsets() override { return offsets_; }
  ClientManager& clients() override { return clients_; }
  PullRequestHoldService& pull_holds() override { return holds_; }
  BrokerMessageWriter& writer() override { return writer_; }
  RebalanceLockManager& queue_locks() override { return locks_; }
  ConsumerRetryService& retry() override { return retry_; }
  TransactionalMessageService& transactions() override { return transactions_; }
  ScheduleMessageService& schedule() { return schedule_; }
  int64_t start_time_ms() const override { return start_time_ms_; }

  TimerMessageService& timers() { return timers_; }

  // <storePathRootDir>/config, where the metadata files live.
  const std::string& config_dir() const { return config_dir_; }

 private:
  // Writes `writer`'s file on the background thread, soon.
  void schedule_write(MetadataWriter* writer);
  // Writes every changed file now, logging failures; `when` says why, for the log.
  void write_all(const char* when);

  std::shared_ptr<Logger> logger_;
  const std::string config_dir_;
  const std::chrono::milliseconds offset_flush_interval_;
  const std::chrono::milliseconds delay_offset_flush_interval_;
  PullRequestHoldService holds_;
  ScheduleMessageService schedule_;
  SubscriptionGroupManager groups_;
  TopicConfigManager topics_;
  ConsumerOffsetManager offsets_;
  ClientManager clients_;
  TimerMessageService timers_;
  BrokerMessageWriter writer_;
  ConsumerRetryService retry_;
  TransactionalMessageService transactions_;
  RebalanceLockManager locks_;
  std::atomic<int64_t> start_time_ms_;

  boost::asio::io_context io_;  // the background thread's work
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::unique_ptr<PeriodicTimer> flush_timer_;
  std::unique_ptr<PeriodicTimer> scan_timer_;
  std::unique_ptr<PeriodicTimer> delay_offset_timer_;
  std::thread thread_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace tern::kernel
