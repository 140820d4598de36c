#include "fastjson.h"

#include <cctype>
#include <cstdint>
#include <string>

namespace tern::client::internal {

Result<JsonValue> parse_fastjson(std::string_view text) {
  // Rewrites object-keyed maps "{{k}:v,{k}:v}" as arrays "[{k},v,{k},v]", then parses.
  enum class Frame { kObject, kMap, kArray };
  std::vector<Frame> stack;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      out.append(text.substr(i, j + 1 - i));
      i = j;
      continue;
    }
    if (c == '{') {
      size_t j = i + 1;
      while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      bool map = j < text.size() && text[j] == '{';
      stack.push_back(map ? Frame::kMap : Frame::kObject);
      out.push_back(map ? '[' : '{');
    } else if (c == '[') {
      stack.push_back(Frame::kArray);
      out.push_back(c);
    } else if (c == '}' || c == ']') {
      if (stack.empty()) return Status::invalid_argument("unbalanced JSON at byte " + std::to_string(i));
      out.push_back(stack.back() == Frame::kMap ? ']' : c);
      stack.pop_back();
    } else if (c == ':' && !stack.empty() && stack.back() == Frame::kMap) {
      out.push_back(',');
    } else {
      out.push_back(c);
    }
  }
  return parse_json(out);
}

std::vector<std::pair<const JsonValue*, const JsonValue*>> map_entries(const JsonValue& map) {
  std::vector<std::pair<const JsonValue*, const JsonValue*>> out;
  if (map.is_array()) {
    for (size_t i = 0; i + 1 < map.size(); i += 2) out.emplace_back(&map.values()[i], &map.values()[i + 1]);
  }
  return out;
}

Result<std::map<MessageQueue, int64_t>> parse_offset_table(std::string_view body) {
  auto json = parse_fastjson(body);
  if (!json.is_ok()) return json.status();
  const JsonValue* table = json->is_object() ? json->find("offsetTable") : nullptr;
  if (table == nullptr) return Status::invalid_argument("the body has no offsetTable");
  std::map<MessageQueue, int64_t> out;
  for (const auto& [key, value] : map_entries(*table)) {
    const JsonValue* topic = key->is_object() ? key->find("topic") : nullptr;
    const JsonValue* broker = key->is_object() ? key->find("brokerName") : nullptr;
    const JsonValue* queue = key->is_object() ? key->find("queueId") : nullptr;
    auto queue_id = queue != nullptr ? queue->as_int64() : Result<int64_t>(Status::invalid_argument("no queueId"));
    if (topic == nullptr || !topic->is_string() || broker == nullptr || !broker->is_string() || !queue_id.is_ok() ||
        *queue_id < 0 || *queue_id > INT32_MAX) {
      return Status::invalid_argument("an offsetTable key is not a MessageQueue {topic, brokerName, queueId}");
    }
    auto offset = value->as_int64();
    if (!offset.is_ok()) return Status::invalid_argument("an offsetTable value is not an integer");
    out[MessageQueue{topic->text(), broker->text(), static_cast<int32_t>(*queue_id)}] = *offset;
  }
  return out;
}

}  // namespace tern::client::internal
