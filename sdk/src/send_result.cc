// SendResult's text form, as RocketMQ's SendResult.toString() prints it.
#include "tern/client/send_result.h"

namespace tern::client {

const char* to_string(SendStatus status) {
  switch (status) {
    case SendStatus::SEND_OK: return "SEND_OK";
    case SendStatus::FLUSH_DISK_TIMEOUT: return "FLUSH_DISK_TIMEOUT";
    case SendStatus::FLUSH_SLAVE_TIMEOUT: return "FLUSH_SLAVE_TIMEOUT";
    case SendStatus::SLAVE_NOT_AVAILABLE: return "SLAVE_NOT_AVAILABLE";
  }
  return "UNKNOWN";
}

std::string SendResult::to_string() const {
  return std::string("SendResult [sendStatus=") + client::to_string(send_status) + ", msgId=" + msg_id +
         ", offsetMsgId=" + offset_msg_id + ", messageQueue=MessageQueue [topic=" + message_queue.topic +
         ", brokerName=" + message_queue.broker_name + ", queueId=" + std::to_string(message_queue.queue_id) +
         "], queueOffset=" + std::to_string(queue_offset) + "]";
}

}  // namespace tern::client
