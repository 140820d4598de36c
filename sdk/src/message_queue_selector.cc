// The selectors RocketMQ ships: by hash of the argument, and random.
#include "tern/client/message_queue_selector.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>

namespace tern::client {
namespace {

// Java's hash of the argument for the types ordered sends use: an integer is its own
// hash (Long.hashCode folds the halves), a string's is String.hashCode, so a key lands
// on the same queue index as in a Java producer with SelectMessageQueueByHash.
std::optional<int32_t> java_hash(const std::any& arg) {
  auto fold = [](int64_t v) { return static_cast<int32_t>(v ^ (static_cast<uint64_t>(v) >> 32)); };
  if (const int* v = std::any_cast<int>(&arg)) return *v;
  if (const unsigned* v = std::any_cast<unsigned>(&arg)) return static_cast<int32_t>(*v);
  if (const long* v = std::any_cast<long>(&arg)) return fold(*v);
  if (const long long* v = std::any_cast<long long>(&arg)) return fold(*v);
  if (const unsigned long* v = std::any_cast<unsigned long>(&arg)) return fold(static_cast<int64_t>(*v));
  if (const unsigned long long* v = std::any_cast<unsigned long long>(&arg)) return fold(static_cast<int64_t>(*v));
  const std::string* s = std::any_cast<std::string>(&arg);
  std::string from_c;
  if (const char* const* c = std::any_cast<const char*>(&arg)) {
    from_c = *c;
    s = &from_c;
  }
  if (s != nullptr) {
    uint32_t h = 0;  // String.hashCode over UTF-16 units; ASCII keys match exactly
    for (unsigned char ch : *s) h = 31 * h + ch;
    return static_cast<int32_t>(h);
  }
  return std::nullopt;
}

}  // namespace

MessageQueueSelector select_message_queue_by_hash() {
  return [](const std::vector<MessageQueue>& mqs, const Message&, const std::any& arg) {
    auto h = java_hash(arg);
    int64_t value = h ? *h : 0;
    if (value < 0) value = -value;  // Math.abs; |INT_MIN| fits in int64
    return mqs[static_cast<size_t>(value % static_cast<int64_t>(mqs.size()))];
  };
}

MessageQueueSelector select_message_queue_by_random() {
  return [](const std::vector<MessageQueue>& mqs, const Message&, const std::any&) {
    static thread_local std::minstd_rand rng(std::random_device{}());
    return mqs[rng() % mqs.size()];
  };
}

}  // namespace tern::client
