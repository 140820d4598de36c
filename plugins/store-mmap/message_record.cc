// RocketMQ's record layout (MessageDecoder / CommitLog.DefaultAppendMessageCallback):
// TOTALSIZE, MAGICCODE, BODYCRC, QUEUEID, FLAG, QUEUEOFFSET, PHYSICALOFFSET, SYSFLAG,
// BORNTIMESTAMP, BORNHOST (4|16 + 4), STORETIMESTAMP, STOREHOST (4|16 + 4),
// RECONSUMETIMES, PREPAREDTRANSACTIONOFFSET, BODYLEN+BODY, TOPICLEN(1)+TOPIC,
// PROPERTIESLEN(2)+PROPERTIES. Big-endian throughout.
#include "message_record.h"

#include <libdeflate.h>

#include <atomic>
#include <cstring>

namespace tern::store_mmap {
namespace {

void put32(uint8_t*& p, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  p[0] = static_cast<uint8_t>(u >> 24);
  p[1] = static_cast<uint8_t>(u >> 16);
  p[2] = static_cast<uint8_t>(u >> 8);
  p[3] = static_cast<uint8_t>(u);
  p += 4;
}
void put64(uint8_t*& p, int64_t v) {
  put32(p, static_cast<int32_t>(static_cast<uint64_t>(v) >> 32));
  put32(p, static_cast<int32_t>(static_cast<uint64_t>(v) & 0xFFFFFFFFu));
}
void put_bytes(uint8_t*& p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p += s.size();
}
void put_host(uint8_t*& p, const SocketAddress& a) {
  std::memcpy(p, a.ip.data(), a.ip_length);
  p += a.ip_length;
  put32(p, a.port);
}

int32_t get32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]);
}
int64_t get64(const uint8_t* p) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(get32(p))) << 32) |
                              static_cast<uint32_t>(get32(p + 4)));
}

int host_size(bool v6) { return (v6 ? 16 : 4) + 4; }

// Fixed part: everything but the two hosts, the body, topic and properties bytes.
constexpr int32_t kFixedSize = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 4 + 8 + 4 + 1 + 2;

// Reads fields in order while checking each read stays inside the record.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool ok() const { return ok_; }
  int32_t i32() { return need(4) ? (p_ += 4, get32(p_ - 4)) : 0; }
  int64_t i64() { return need(8) ? (p_ += 8, get64(p_ - 8)) : 0; }
  int32_t u8() { return need(1) ? *p_++ : 0; }
  int32_t i16() { return need(2) ? (p_ += 2, static_cast<int16_t>((p_[-2] << 8) | p_[-1])) : 0; }
  std::string_view bytes(int64_t n) {
    if (n < 0) ok_ = false;  // a negative length is corruption, not an empty field
    if (!ok_ || !need(static_cast<size_t>(n))) return {};
    std::string_view s(reinterpret_cast<const char*>(p_), static_cast<size_t>(n));
    p_ += n;
    return s;
  }
  SocketAddress host(bool v6) {
    SocketAddress a;
    a.ip_length = v6 ? 16 : 4;
    if (need(a.ip_length)) {
      std::memcpy(a.ip.data(), p_, a.ip_length);
      p_ += a.ip_length;
    }
    a.port = i32();
    return a;
  }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

 private:
  bool need(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) ok_ = false;
    return ok_;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace

int32_t body_crc32(std::string_view body) {
  // libdeflate's CRC-32 is zlib's (and java.util.zip.CRC32's) computed with carry-less
  // multiplication: about ten times faster per KiB, which matters on every put.
  uint32_t crc = libdeflate_crc32(0, body.data(), body.size());
  return static_cast<int32_t>(crc & 0x7FFFFFFF);
}

std::string make_offset_msg_id(const SocketAddress& store_host, int64_t commit_log_offset) {
  static const char* kHex = "0123456789ABCDEF";
  uint8_t raw[16 + 4 + 8];
  uint8_t* p = raw;
  put_host(p, store_host);
  put64(p, commit_log_offset);
  std::string out;
  out.reserve(static_cast<size_t>(p - raw) * 2);
  for (const uint8_t* q = raw; q < p; ++q) {
    out.push_back(kHex[*q >> 4]);
    out.push_back(kHex[*q & 15]);
  }
  return out;
}

int32_t record_size(const MessageExt& msg, size_t properties_length) {
  return kFixedSize + host_size(msg.sys_flag & sys_flag::kBornHostV6) + host_size(msg.sys_flag & sys_flag::kStoreHostV6) +
         static_cast<int32_t>(msg.body.size() + msg.topic.size() + properties_length);
}

void encode_record(const MessageExt& msg, std::string_view properties, uint8_t* out) {
  // The total size goes in last, behind a release fence: a process killed mid-copy leaves
  // a size of zero, which recovery reads as the end, never a record with a torn tail that
  // happens to add up (the CRC covers only the body).
  uint8_t* p = out + 4;
  put32(p, kMessageMagicCode);
  put32(p, msg.body_crc);
  put32(p, msg.queue_id);
  put32(p, msg.flag);
  put64(p, msg.queue_offset);
  put64(p, msg.commit_log_offset);
  put32(p, msg.sys_flag);
  put64(p, msg.born_timestamp);
  put_host(p, msg.born_host);
  put64(p, msg.store_timestamp);
  put_host(p, msg.store_host);
  put32(p, msg.reconsume_times);
  put64(p, msg.prepared_transaction_offset);
  put32(p, static_cast<int32_t>(msg.body.size()));
  put_bytes(p, msg.body);
  *p++ = static_cast<uint8_t>(msg.topic.size());
  put_bytes(p, msg.topic);
  *p++ = static_cast<uint8_t>(properties.size() >> 8);
  *p++ = static_cast<uint8_t>(properties.size());
  put_bytes(p, properties);
  std::atomic_thread_fence(std::memory_order_release);
  uint8_t* size_field = out;
  put32(size_field, record_size(msg, properties.size()));
}

void encode_blank_record(int32_t size, uint8_t* out) {
  put32(out, size);
  put32(out, kBlankMagicCode);
}

ParsedRecord parse_record(const uint8_t* data, size_t available, bool check_crc) {
  ParsedRecord r;
  if (available < static_cast<size_t>(kBlankRecordMinSize)) {
    r.kind = RecordKind::kEnd;  // not even room for a blank record: the segment is done
    return r;
  }
  int32_t total = get32(data);
  int32_t magic = get32(data + 4);
  if (total == 0 && magic == 0) return r;  // kEnd
  auto bad = [&](std::string why) {
    r.kind = RecordKind::kBad;
    r.problem = Status::corruption(std::move(why));
    return r;
  };
  if (magic == kBlankMagicCode) {
    if (total < kBlankRecordMinSize || static_cast<size_t>(total) != available) {
      return bad("blank record of " + std::to_string(total) + " bytes where " + std::to_string(available) + " remain");
    }
    r.kind = RecordKind::kBlank;
    r.size = total;
    return r;
  }
  if (magic != kMessageMagicCode) return bad("bad magic code " + std::to_string(magic));
  if (total < kFixedSize + 16 || static_cast<size_t>(total) > available) {
    return bad("record size " + std::to_string(total) + " out of range (" + std::to_string(available) + " bytes remain)");
  }
  Reader in(data, static_cast<size_t>(total));
  RecordView& v = r.view;
  v.total_size = in.i32();
  in.i32();  // magic
  v.body_crc = in.i32();
  v.queue_id = in.i32();
  v.flag = in.i32();
  v.queue_offset = in.i64();
  v.physical_offset = in.i64();
  v.sys_flag = in.i32();
  v.born_timestamp = in.i64();
  v.born_host = in.host(v.sys_flag & sys_flag::kBornHostV6);
  v.store_timestamp = in.i64();
  v.store_host = in.host(v.sys_flag & sys_flag::kStoreHostV6);
  v.reconsume_times = in.i32();
  v.prepared_transaction_offset = in.i64();
  v.body = in.bytes(in.i32());
  int32_t topic_length = in.u8();
  v.topic = in.bytes(topic_length > static_cast<int32_t>(kMaxTopicLength) ? -1 : topic_length);  // a signed byte
  v.properties = in.bytes(in.i16());
  if (!in.ok() || in.remaining() != 0) {
    return bad("record of " + std::to_string(total) + " bytes: field lengths do not add up");
  }
  r.size = total;
  if (check_crc && body_crc32(v.body) != v.body_crc) {
    r.size_trusted = true;
    return bad("body CRC mismatch (stored " + std::to_string(v.body_crc) + ", computed " +
               std::to_string(body_crc32(v.body)) + ")");
  }
  r.kind = RecordKind::kMessage;
  return r;
}

MessageExt to_message(const RecordView& v) {
  MessageExt m;
  m.topic = std::string(v.topic);
  m.flag = v.flag;
  m.properties = decode_properties(v.properties);
  m.body = std::string(v.body);
  m.queue_id = v.queue_id;
  m.queue_offset = v.queue_offset;
  m.commit_log_offset = v.physical_offset;
  m.store_size = v.total_size;
  m.sys_flag = v.sys_flag;
  m.body_crc = v.body_crc;
  m.born_timestamp = v.born_timestamp;
  m.born_host = v.born_host;
  m.store_timestamp = v.store_timestamp;
  m.store_host = v.store_host;
  m.reconsume_times = v.reconsume_times;
  m.prepared_transaction_offset = v.prepared_transaction_offset;
  m.msg_id = make_offset_msg_id(v.store_host, v.physical_offset);
  return m;
}

std::string_view find_property(std::string_view text, std::string_view name) {
  while (!text.empty()) {
    size_t end = text.find(property::kPropertySeparator);
    std::string_view pair = text.substr(0, end);
    size_t sep = pair.find(property::kNameValueSeparator);
    if (sep != std::string_view::npos && pair.substr(0, sep) == name) return pair.substr(sep + 1);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return {};
}

int64_t record_store_timestamp(const uint8_t* data) {
  int32_t sys = get32(data + 4 + 4 + 4 + 4 + 4 + 8 + 8);
  size_t at = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + static_cast<size_t>(host_size(sys & sys_flag::kBornHostV6));
  return get64(data + at);
}

}  // namespace tern::store_mmap
