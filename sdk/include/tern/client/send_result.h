// SendResult: what a broker answered to a send (RocketMQ's SendResult), and SendStatus.
// The status is the broker's: SEND_OK, or a stored message whose flush or replication
// did not finish in time (FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT) or that has no slave
// to replicate to (SLAVE_NOT_AVAILABLE). A refused send is an exception (mq_client_exception.h),
// never a status.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "tern/client/message.h"

namespace tern::client {

// RocketMQ's names, so that a RocketMQ user's habits (and log greps) carry over.
enum class SendStatus {
  SEND_OK,
  FLUSH_DISK_TIMEOUT,
  FLUSH_SLAVE_TIMEOUT,
  SLAVE_NOT_AVAILABLE,
};

// "SEND_OK", ...
const char* to_string(SendStatus status);

struct SendResult {
  SendStatus send_status = SendStatus::SEND_OK;
  // The client's unique id (UNIQ_KEY); for a batch, the ids joined by ','.
  std::string msg_id;
  // The broker's id: store host + commit-log offset, hex; for a batch, joined by ','.
  std::string offset_msg_id;
  MessageQueue message_queue;  // where it was stored
  int64_t queue_offset = 0;    // its consume-queue offset (the first one, for a batch)
  std::string transaction_id;
  std::string region_id;
  bool trace_on = true;

  // "SendResult [sendStatus=SEND_OK, msgId=..., offsetMsgId=..., messageQueue=MessageQueue [...], queueOffset=N]"
  std::string to_string() const;
};

}  // namespace tern::client
