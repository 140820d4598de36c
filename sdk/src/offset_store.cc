#include "offset_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "codes.h"
#include "mq_admin.h"
#include "response_fields.h"

namespace tern::client::internal {

namespace rc = remoting::request_code;
namespace rsp = remoting::response_code;
using namespace std::chrono_literals;

namespace {

constexpr auto kCallTimeout = 3000ms;

std::string queue_text(const MessageQueue& mq) {
  return mq.topic + "/" + mq.broker_name + "/" + std::to_string(mq.queue_id);
}

class RemoteBrokerOffsetStore final : public OffsetStore {
 public:
  RemoteBrokerOffsetStore(MQClientInstance& instance, std::string group)
      : instance_(instance), group_(std::move(group)) {}

  Result<int64_t> read_store(const MessageQueue& mq) override {
    auto request = MQClientInstance::make_request(
        rc::kQueryConsumerOffset,
        {{"consumerGroup", group_}, {"topic", mq.topic}, {"queueId", std::to_string(mq.queue_id)}});
    std::string broker;
    auto r = invoke_broker_master(instance_, mq.broker_name, std::move(request), kCallTimeout, &broker);
    if (!r.is_ok()) {
      // No master address is not "no offset": the caller must not start the queue over.
      const std::string what = "QUERY_CONSUMER_OFFSET of " + group_ + " on " + queue_text(mq);
      return r.status().is_not_found() ? Status::unavailable(what + ": " + r.status().message())
                                       : r.status().with_context(what);
    }
    if (r->code == rsp::kQueryNotFound) {
      return Status::not_found("broker " + broker + " has no offset of " + group_ + " on " + queue_text(mq));
    }
    if (r->code != rsp::kSuccess) {
      return Status::unavailable("QUERY_CONSUMER_OFFSET of " + group_ + " on " + queue_text(mq) + ": broker " +
                                 broker + " answered code " + std::to_string(r->code) + ": " + r->remark.value_or(""));
    }
    const int64_t offset = ext_int(*r, "offset", -1);
    if (offset < 0) return Status::not_found("broker " + broker + " has no offset of " + group_ + " on " + queue_text(mq));
    return offset;
  }

  Status persist(const MessageQueue& mq, bool sync) override {
    auto offset = read_memory(mq);
    if (!offset) return Status::ok();
    auto request = MQClientInstance::make_request(rc::kUpdateConsumerOffset,
                                                  {{"consumerGroup", group_},
                                                   {"topic", mq.topic},
                                                   {"queueId", std::to_string(mq.queue_id)},
                                                   {"commitOffset", std::to_string(*offset)}});
    const std::string what = "UPDATE_CONSUMER_OFFSET of " + group_ + " on " + queue_text(mq) + " to " +
                             std::to_string(*offset);
    if (!sync) {
      std::string addr = instance_.find_broker_master(mq.broker_name);
      if (addr.empty()) return Status::not_found(what + ": broker " + mq.broker_name + " has no master address");
      request.flag |= remoting::kFlagOneway;
      instance_.remoting().invoke_oneway(addr, std::move(request), kCallTimeout);
      return Status::ok();
    }
    std::string broker;
    auto r = invoke_broker_master(instance_, mq.broker_name, std::move(request), kCallTimeout, &broker);
    if (!r.is_ok()) return r.status().with_context(what);
    if (r->code != rsp::kSuccess) {
      return Status::unavailable(what + ": broker " + broker + " answered code " + std::to_string(r->code) + ": " +
                                 r->remark.value_or(""));
    }
    return Status::ok();
  }

  Status persist_all(bool sync) override {
    Status first;
    for (const auto& [mq, offset] : snapshot()) {
      Status s = persist(mq, sync);
      if (!s.is_ok() && first.is_ok()) first = s;
    }
    return first;
  }

 private:
  MQClientInstance& instance_;
  const std::string group_;
};

class LocalFileOffsetStore final : public OffsetStore {
 public:
  LocalFileOffsetStore(MQClientInstance& instance, std::string file) : instance_(instance), file_(std::move(file)) {}

  void load() override {
    std::ifstream in(file_);
    if (!in) return;
    std::stringstream ss;
    ss << in.rdbuf();
    auto json = parse_json(ss.str());
    if (!json.is_ok()) {
      instance_.logger().warn("bad offset file ", file_, ": ", json.status().to_string());
      return;
    }
    const JsonValue* table = json->find("offsetTable");
    if (table == nullptr || !table->is_array()) return;
    std::lock_guard lock(mu_);
    for (const auto& e : table->values()) {
      const JsonValue *t = e.find("topic"), *b = e.find("brokerName"), *q = e.find("queueId"), *o = e.find("offset");
      if (t == nullptr || b == nullptr || q == nullptr || o == nullptr || !t->is_string() || !b->is_string()) continue;
      auto qid = q->as_int64();
      auto off = o->as_int64();
      if (!qid.is_ok() || !off.is_ok()) continue;
      table_[MessageQueue{t->text(), b->text(), static_cast<int32_t>(*qid)}] = *off;
    }
  }

  void remove(const MessageQueue&) override {}  // kept: the file remembers every queue

  Result<int64_t> read_store(const MessageQueue& mq) override {
    auto offset = read_memory(mq);
    if (!offset) return Status::not_found("offset file " + file_ + " has no offset of " + queue_text(mq));
    return *offset;
  }

  Status persist(const MessageQueue&, bool) override { return persist_all(true); }

  Status persist_all(bool) override {
    JsonValue table = JsonValue::array();
    for (const auto& [mq, off] : snapshot()) {
      JsonValue e = JsonValue::object();
      e.set("topic", JsonValue::string(mq.topic));
      e.set("brokerName", JsonValue::string(mq.broker_name));
      e.set("queueId", JsonValue::number(mq.queue_id));
      e.set("offset", JsonValue::number(off));
      table.push_back(std::move(e));
    }
    JsonValue root = JsonValue::object();
    root.set("offsetTable", std::move(table));
    std::lock_guard lock(file_mu_);  // two writers would share the temp file
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file_).parent_path(), ec);
    const std::string tmp = file_ + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << serialize_json(root);
      if (!out) return Status::io_error("cannot write the offset file " + tmp);
    }
    std::filesystem::rename(tmp, file_, ec);
    if (ec) return Status::io_error("cannot write the offset file " + file_ + ": " + ec.message());
    return Status::ok();
  }

 private:
  MQClientInstance& instance_;
  const std::string file_;
  std::mutex file_mu_;
};

}  // namespace

void OffsetStore::update(const MessageQueue& mq, int64_t offset, bool increase_only) {
  std::lock_guard lock(mu_);
  auto [it, added] = table_.emplace(mq, offset);
  if (!added && (!increase_only || it->second < offset)) it->second = offset;
}

void OffsetStore::update_if_present(const MessageQueue& mq, int64_t offset) {
  std::lock_guard lock(mu_);
  auto it = table_.find(mq);
  if (it != table_.end() && it->second < offset) it->second = offset;
}

std::optional<int64_t> OffsetStore::read_memory(const MessageQueue& mq) const {
  std::lock_guard lock(mu_);
  auto it = table_.find(mq);
  if (it == table_.end()) return std::nullopt;
  return it->second;
}

std::map<MessageQueue, int64_t> OffsetStore::snapshot() const {
  std::lock_guard lock(mu_);
  return table_;
}

void OffsetStore::remove(const MessageQueue& mq) {
  std::lock_guard lock(mu_);
  table_.erase(mq);
}

std::unique_ptr<OffsetStore> make_offset_store(MessageModel model, MQClientInstance& instance,
                                               const std::string& group, const std::string& local_dir) {
  std::unique_ptr<OffsetStore> store;
  if (model == MessageModel::CLUSTERING) {
    store = std::make_unique<RemoteBrokerOffsetStore>(instance, group);
  } else {
    std::string dir = local_dir;
    if (dir.empty()) {
      const char* home = std::getenv("HOME");
      dir = std::string(home != nullptr && *home != 0 ? home : "/tmp") + "/.rocketmq_offsets";
    }
    store = std::make_unique<LocalFileOffsetStore>(instance, dir + "/" + instance.client_id() + "/" + group +
                                                                 "/offsets.json");
  }
  store->load();
  return store;
}

}  // namespace tern::client::internal
