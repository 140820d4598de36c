// encode_message_record (contract in message_record_encoder.h).
#include "message_record_encoder.h"

#include <algorithm>
#include <cstdint>

namespace tern::remoting {
namespace {

constexpr int32_t kMessageMagicCode = -626843481;  // RocketMQ's MESSAGE_MAGIC_CODE (v1)

void put32(std::string& out, int32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((static_cast<uint32_t>(v) >> shift) & 0xFF));
}
void put64(std::string& out, int64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((static_cast<uint64_t>(v) >> shift) & 0xFF));
}
void put_host(std::string& out, const SocketAddress& host) {
  out.append(reinterpret_cast<const char*>(host.ip.data()), host.ip_length);
  put32(out, host.port);
}

}  // namespace

std::string encode_message_record(const MessageExt& m) {
  const std::string properties = encode_properties(m.properties).substr(0, 32767);
  const std::string_view topic = std::string_view(m.topic).substr(0, 127);
  int32_t sys_flag = m.sys_flag & ~(sys_flag::kBornHostV6 | sys_flag::kStoreHostV6);
  if (m.born_host.ip_length == 16) sys_flag |= sys_flag::kBornHostV6;
  if (m.store_host.ip_length == 16) sys_flag |= sys_flag::kStoreHostV6;
  std::string out;
  out.reserve(128 + m.body.size() + topic.size() + properties.size());
  put32(out, 0);  // TOTALSIZE, filled in below
  put32(out, kMessageMagicCode);
  put32(out, m.body_crc);
  put32(out, m.queue_id);
  put32(out, m.flag);
  put64(out, m.queue_offset);
  put64(out, m.commit_log_offset);
  put32(out, sys_flag);
  put64(out, m.born_timestamp);
  put_host(out, m.born_host);
  put64(out, m.store_timestamp);
  put_host(out, m.store_host);
  put32(out, m.reconsume_times);
  put64(out, m.prepared_transaction_offset);
  put32(out, static_cast<int32_t>(m.body.size()));
  out.append(m.body);
  out.push_back(static_cast<char>(topic.size()));
  out.append(topic);
  out.push_back(static_cast<char>((properties.size() >> 8) & 0xFF));
  out.push_back(static_cast<char>(properties.size() & 0xFF));
  out.append(properties);
  const auto total = static_cast<uint32_t>(out.size());
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>((total >> (24 - 8 * i)) & 0xFF);
  return out;
}

}  // namespace tern::remoting
