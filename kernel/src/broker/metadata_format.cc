// Encoding and decoding of topics.json, subscriptionGroup.json, consumerOffset.json,
// timerCheckpoint.json and delayOffset.json.
//
// Encoding writes the text directly rather than building a JsonValue: an object's set()
// is linear in its size, and an offset table can hold tens of thousands of entries that
// are rewritten every few seconds.
#include "broker/metadata_format.h"

#include <charconv>
#include <chrono>
#include <limits>

namespace tern::kernel {
namespace {

// --- writing ---

class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }
  void key(std::string_view k) {
    if (!first_) out_->push_back(',');
    first_ = false;
    append_json_string(out_, k);
    out_->push_back(':');
  }
  void field(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
  }
  void field(std::string_view k, int64_t v) {
    key(k);
    out_->append(std::to_string(v));
  }
  void field(std::string_view k, bool v) {
    key(k);
    out_->append(v ? "true" : "false");
  }
  void close() { out_->push_back('}'); }

 private:
  std::string* out_;
  bool first_ = true;
};

void write_data_version(ObjectWriter& parent, std::string* out, const DataVersion& v) {
  parent.key("dataVersion");
  ObjectWriter w(out);
  w.field("timestamp", v.timestamp);
  w.field("counter", v.counter);
  w.close();
}

const char* filter_type_name(TopicFilterType t) {
  return t == TopicFilterType::kMultiTag ? "MULTI_TAG" : "SINGLE_TAG";
}

// --- reading ---

// Reads typed fields of one JSON object; the first problem is kept, named by `where`.
class FieldReader {
 public:
  FieldReader(const JsonValue& object, std::string where) : object_(object), where_(std::move(where)) {
    if (!object.is_object()) fail("", "an object");
  }

  void read(std::string_view name, int32_t* out) {
    int64_t v = 0;
    if (!read_integer(name, &v)) return;
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      fail(name, "a 32-bit integer");
      return;
    }
    *out = static_cast<int32_t>(v);
  }
  void read(std::string_view name, int64_t* out) { read_integer(name, out); }
  void read(std::string_view name, bool* out) {
    const JsonValue* v = member(name);
    if (!v) return;
    if (!v->is_bool()) return fail(name, "true or false");
    *out = v->as_bool();
  }
  void read(std::string_view name, std::string* out) {
    const JsonValue* v = member(name);
    if (!v) return;
    if (!v->is_string()) return fail(name, "a string");
    *out = v->text();
  }

  const Status& status() const { return status_; }

 private:
  const JsonValue* member(std::string_view name) {
    if (!status_.is_ok()) return nullptr;
    const JsonValue* v = object_.find(name);
    return (v && !v->is_null()) ? v : nullptr;  // absent or null: keep the default
  }
  bool read_integer(std::string_view name, int64_t* out) {
    const JsonValue* v = member(name);
    if (!v) return false;
    auto n = v->as_int64();
    if (!n) {
      fail(name, "an integer");
      return false;
    }
    *out = *n;
    return true;
  }
  void fail(std::string_view name, std::string_view expected) {
    if (!status_.is_ok()) return;
    std::string at = where_;
    if (!name.empty()) at += (at.empty() ? "" : ".") + std::string(name);
    status_ = Status::invalid_argument(at + ": expected " + std::string(expected));
  }

  const JsonValue& object_;
  std::string where_;
  Status status_;
};

Status read_data_version(const JsonValue& root, DataVersion* out) {
  const JsonValue* v = root.find("dataVersion");
  if (!v || v->is_null()) return Status::ok();
  FieldReader r(*v, "dataVersion");
  r.read("timestamp", &out->timestamp);
  r.read("counter", &out->counter);
  return r.status();
}

// The member `name` of the root object: an object, or null when absent.
Result<const JsonValue*> table_of(const JsonValue& root, std::string_view name) {
  if (!root.is_object()) return Status::invalid_argument("expected a JSON object at the top");
  const JsonValue* t = root.find(name);
  if (!t || t->is_null()) return static_cast<const JsonValue*>(nullptr);
  if (!t->is_object()) return Status::invalid_argument(std::string(name) + ": expected an object");
  return t;
}

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

DataVersion new_data_version() { return DataVersion{wall_clock_ms(), 0}; }
DataVersion next_data_version(const DataVersion& v) { return DataVersion{wall_clock_ms(), v.counter + 1}; }

std::string encode_topics_file(const TopicsFile& file) {
  std::string out;
  out.reserve(64 + file.topics.size() * 160);
  ObjectWriter root(&out);
  root.key("topicConfigTable");
  ObjectWriter table(&out);
  for (const auto& [name, t] : file.topics) {
    table.key(name);
    ObjectWriter w(&out);
    w.field("topicName", std::string_view(t.topic_name));
    w.field("readQueueNums", int64_t{t.read_queue_nums});
    w.field("writeQueueNums", int64_t{t.write_queue_nums});
    w.field("perm", int64_t{t.perm});
    w.field("topicFilterType", std::string_view(filter_type_name(t.topic_filter_type)));
    w.field("topicSysFlag", int64_t{t.topic_sys_flag});
    w.field("order", t.order);
    w.close();
  }
  table.close();
  write_data_version(root, &out, file.data_version);
  root.close();
  return out;
}

Result<TopicsFile> decode_topics_file(const JsonValue& json) {
  TopicsFile file;
  auto table = table_of(json, "topicConfigTable");
  if (!table) return table.status();
  if (*table) {
    for (size_t i = 0; i < (*table)->size(); ++i) {
      const std::string& name = (*table)->keys()[i];
      TopicConfig t;
      t.topic_name = name;
      FieldReader r((*table)->values()[i], "topicConfigTable." + name);
      std::string filter_type = "SINGLE_TAG";
      r.read("readQueueNums", &t.read_queue_nums);
      r.read("writeQueueNums", &t.write_queue_nums);
      r.read("perm", &t.perm);
      r.read("topicFilterType", &filter_type);
      r.read("topicSysFlag", &t.topic_sys_flag);
      r.read("order", &t.order);
      TERN_RETURN_IF_ERROR(r.status());
      if (filter_type == "MULTI_TAG") {
        t.topic_filter_type = TopicFilterType::kMultiTag;
      } else if (filter_type != "SINGLE_TAG") {
        return Status::invalid_argument("topicConfigTable." + name + ".topicFilterType: expected SINGLE_TAG or MULTI_TAG");
      }
      file.topics[name] = std::move(t);
    }
  }
  TERN_RETURN_IF_ERROR(read_data_version(json, &file.data_version));
  return file;
}

std::string encode_subscription_groups_file(const SubscriptionGroupsFile& file) {
  std::string out;
  out.reserve(64 + file.groups.size() * 300);
  ObjectWriter root(&out);
  root.key("subscriptionGroupTable");
  ObjectWriter table(&out);
  for (const auto& [name, g] : file.groups) {
    table.key(name);
    ObjectWriter w(&out);
    w.field("groupName", std::string_view(g.group_name));
    w.field("consumeEnable", g.consume_enable);
    w.field("consumeFromMinEnable", g.consume_from_min_enable);
    w.field("consumeBroadcastEnable", g.consume_broadcast_enable);
    w.field("retryQueueNums", int64_t{g.retry_queue_nums});
    w.field("retryMaxTimes", int64_t{g.retry_max_times});
    w.field("brokerId", g.broker_id);
    w.field("whichBrokerWhenConsumeSlowly", g.which_broker_when_consume_slowly);
    w.field("notifyConsumerIdsChangedEnable", g.notify_consumer_ids_changed_enable);
    w.close();
  }
  table.close();
  write_data_version(root, &out, file.data_version);
  root.close();
  return out;
}

Result<SubscriptionGroupsFile> decode_subscription_groups_file(const JsonValue& json) {
  SubscriptionGroupsFile file;
  auto table = table_of(json, "subscriptionGroupTable");
  if (!table) return table.status();
  if (*table) {
    for (size_t i = 0; i < (*table)->size(); ++i) {
      const std::string& name = (*table)->keys()[i];
      SubscriptionGroupConfig g;
      g.group_name = name;
      FieldReader r((*table)->values()[i], "subscriptionGroupTable." + name);
      r.read("consumeEnable", &g.consume_enable);
      r.read("consumeFromMinEnable", &g.consume_from_min_enable);
      r.read("consumeBroadcastEnable", &g.consume_broadcast_enable);
      r.read("retryQueueNums", &g.retry_queue_nums);
      r.read("retryMaxTimes", &g.retry_max_times);
      r.read("brokerId", &g.broker_id);
      r.read("whichBrokerWhenConsumeSlowly", &g.which_broker_when_consume_slowly);
      r.read("notifyConsumerIdsChangedEnable", &g.notify_consumer_ids_changed_enable);
      TERN_RETURN_IF_ERROR(r.status());
      file.groups[name] = std::move(g);
    }
  }
  TERN_RETURN_IF_ERROR(read_data_version(json, &file.data_version));
  return file;
}

std::string offset_table_key(std::string_view topic, std::string_view group) {
  std::string key;
  key.reserve(topic.size() + 1 + group.size());
  key.append(topic).push_back('@');
  key.append(group);
  return key;
}

std::string encode_consumer_offsets_file(const OffsetTable& table) {
  std::string out;
  out.reserve(32 + table.size() * 64);
  ObjectWriter root(&out);
  root.key("offsetTable");
  ObjectWriter entries(&out);
  for (const auto& [key, queues] : table) {
    entries.key(key);
    ObjectWriter w(&out);
    for (const auto& [queue, offset] : queues) w.field(std::to_string(queue), offset);
    w.close();
  }
  entries.close();
  root.close();
  return out;
}

Result<OffsetTable> decode_consumer_offsets_file(const JsonValue& json) {
  OffsetTable table;
  auto entries = table_of(json, "offsetTable");
  if (!entries) return entries.status();
  if (!*entries) return table;
  for (size_t i = 0; i < (*entries)->size(); ++i) {
    const std::string& key = (*entries)->keys()[i];
    const JsonValue& queues = (*entries)->values()[i];
    const std::string where = "offsetTable." + key;
    size_t at = key.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == key.size()) {
      return Status::invalid_argument(where + ": expected a key of the form topic@group");
    }
    if (!queues.is_object()) return Status::invalid_argument(where + ": expected an object");
    auto& out = table[key];
    for (size_t q = 0; q < queues.size(); ++q) {
      const std::string& id_text = queues.keys()[q];
      int32_t queue_id = 0;
      auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), queue_id);
      if (ec != std::errc() || ptr != id_text.data() + id_text.size()) {
        return Status::invalid_argument(where + ": queue id " + id_text + " is not an integer");
      }
      auto offset = queues.values()[q].as_int64();
      if (!offset) return Status::invalid_argument(where + "." + id_text + ": expected an integer offset");
      out[queue_id] = *offset;
    }
  }
  return table;
}

std::string encode_timer_checkpoint_file(const TimerCheckpointFile& file) {
  std::string out;
  ObjectWriter root(&out);
  root.field("timerQueueOffset", file.timer_queue_offset);
  root.field("timerLogOffset", file.done_log_offset);
  root.close();
  return out;
}

std::string encode_delay_offsets_file(const DelayOffsetTable& table) {
  std::string out;
  ObjectWriter root(&out);
  root.key("offsetTable");
  ObjectWriter entries(&out);
  for (const auto& [level, offset] : table) entries.field(std::to_string(level), offset);
  entries.close();
  root.close();
  return out;
}

Result<TimerCheckpointFile> decode_timer_checkpoint_file(const JsonValue& json) {
  TimerCheckpointFile file;
  FieldReader r(json, "");
  r.read("timerQueueOffset", &file.timer_queue_offset);
  r.read("timerLogOffset", &file.done_log_offset);
  TERN_RETURN_IF_ERROR(r.status());
  if (file.timer_queue_offset < 0 || file.done_log_offset < 0) {
    return Status::invalid_argument("timerQueueOffset and timerLogOffset must not be negative");
  }
  return file;
}

Result<DelayOffsetTable> decode_delay_offsets_file(const JsonValue& json) {
  DelayOffsetTable table;
  auto entries = table_of(json, "offsetTable");
  if (!entries) return entries.status();
  if (!*entries) return table;
  for (size_t i = 0; i < (*entries)->size(); ++i) {
    const std::string& key = (*entries)->keys()[i];
    int32_t level = 0;
    auto [ptr, ec] = std::from_chars(key.data(), key.data() + key.size(), level);
    if (ec != std::errc() || ptr != key.data() + key.size() || level < 1) {
      return Status::invalid_argument("offsetTable: delay level " + key + " is not a positive integer");
    }
    auto offset = (*entries)->values()[i].as_int64();
    if (!offset || *offset < 0) {
      return Status::invalid_argument("offsetTable." + key + ": expected a non-negative integer offset");
    }
    table[level] = *offset;
  }
  return table;
}

}  // namespace tern::kernel
