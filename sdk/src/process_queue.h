// ProcessQueue: the messages pulled from one queue that poll() has not returned yet, in
// queue order, and where the next pull starts (RocketMQ's ProcessQueue as the lite pull
// consumer uses it), plus the state of that queue's pull loop, which the consumer keeps.
// (The push consumer has its own, PushConsumerImpl::ProcessQueue.)
//
// Thread-safety: none; the lite pull consumer guards every ProcessQueue with its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "tern/client/message.h"

namespace tern::client::internal {

class ProcessQueue {
 public:
  explicit ProcessQueue(MessageQueue mq) : mq_(std::move(mq)) {}

  const MessageQueue& mq() const { return mq_; }

  // Where the next pull starts; -1 until the start offset is known.
  int64_t pull_offset() const { return pull_offset_; }
  void set_pull_offset(int64_t offset) { pull_offset_ = offset; }

  // Appends a pull's messages (those the subscription kept, in queue order) and moves the
  // pull offset to the pull's next begin offset.
  void put(std::vector<MessageExt> msgs, int64_t next_begin_offset);
  // Moves up to `max` messages from the front to `out`; how many it moved.
  size_t take(size_t max, std::vector<MessageExt>* out);
  // A seek: drops the buffer and pulls from `offset` next; how many messages it dropped.
  size_t reset(int64_t offset);

  // The offset after the last message taken: the first buffered message's, else the pull
  // offset (so messages the client filtered out count as taken); -1 while unknown. What a
  // commit stores.
  int64_t consume_offset() const { return buffer_.empty() ? pull_offset_ : buffer_.front().queue_offset; }

  size_t count() const { return buffer_.size(); }
  int64_t body_bytes() const { return body_bytes_; }
  bool empty() const { return buffer_.empty(); }

  // The pull loop's state, kept by the consumer. A seek or a drop starts a new epoch;
  // answers to pulls of an older epoch are discarded. `pulling`: a pull of this epoch is
  // in flight or scheduled (at most one per queue).
  uint64_t epoch = 0;
  bool pulling = false;
  bool paused = false;
  bool dropped = false;

 private:
  MessageQueue mq_;
  std::deque<MessageExt> buffer_;
  int64_t pull_offset_ = -1;
  int64_t body_bytes_ = 0;
};

}  // namespace tern::client::internal
