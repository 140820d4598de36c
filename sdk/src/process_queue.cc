#include "process_queue.h"

namespace tern::client::internal {

void ProcessQueue::put(std::vector<MessageExt> msgs, int64_t next_begin_offset) {
  for (auto& m : msgs) {
    body_bytes_ += static_cast<int64_t>(m.body.size());
    buffer_.push_back(std::move(m));
  }
  pull_offset_ = next_begin_offset;
}

size_t ProcessQueue::take(size_t max, std::vector<MessageExt>* out) {
  size_t n = 0;
  while (n < max && !buffer_.empty()) {
    body_bytes_ -= static_cast<int64_t>(buffer_.front().body.size());
    out->push_back(std::move(buffer_.front()));
    buffer_.pop_front();
    ++n;
  }
  return n;
}

size_t ProcessQueue::reset(int64_t offset) {
  const size_t n = buffer_.size();
  buffer_.clear();
  body_bytes_ = 0;
  pull_offset_ = offset;
  return n;
}

}  // namespace tern::client::internal
