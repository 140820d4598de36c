// The commit-log record: RocketMQ 4.x's message layout, byte for byte (docs/commit-log-format.md),
// so that a pull response is a slice of the commit log. Encoding writes straight into the
// mapped segment; parsing reads a record in place and checks it.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tern/message.h"
#include "tern/status.h"

namespace tern::store_mmap {

inline constexpr int32_t kMessageMagicCode = -626843481;  // 0xDAA320A7
inline constexpr int32_t kBlankMagicCode = -875286124;    // 0xCBD43194: rest of the segment is unused
inline constexpr int32_t kBlankRecordMinSize = 8;         // total size + magic
inline constexpr size_t kMaxTopicLength = 127;            // the topic length is one signed byte
inline constexpr size_t kMaxPropertiesLength = 32767;     // the properties length is an int16

// RocketMQ's body CRC: CRC-32 (as zlib and java.util.zip.CRC32) masked to 31 bits.
int32_t body_crc32(std::string_view body);

// The offset message id: upper-case hex of store IP, store port (int32) and commit-log offset.
std::string make_offset_msg_id(const SocketAddress& store_host, int64_t commit_log_offset);

// Size in bytes of the record for `msg` with `properties_length` bytes of property text.
int32_t record_size(const MessageExt& msg, size_t properties_length);

// Writes the record for `msg` at `out` (record_size bytes). Uses msg's queue_offset,
// commit_log_offset, store_timestamp and body_crc as given.
void encode_record(const MessageExt& msg, std::string_view properties, uint8_t* out);

// Writes a blank record (the end-of-segment marker) of `size` bytes at `out`.
void encode_blank_record(int32_t size, uint8_t* out);

// A record read in place; the string_views point into the record's bytes.
struct RecordView {
  int32_t total_size = 0;
  int32_t body_crc = 0;
  int32_t queue_id = 0;
  int32_t flag = 0;
  int64_t queue_offset = 0;
  int64_t physical_offset = 0;
  int32_t sys_flag = 0;
  int64_t born_timestamp = 0;
  SocketAddress born_host;
  int64_t store_timestamp = 0;
  SocketAddress store_host;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
  std::string_view body;
  std::string_view topic;
  std::string_view properties;
};

enum class RecordKind {
  kMessage,  // a complete record whose lengths agree (and whose CRC matched, when checked)
  kBlank,    // the end-of-segment marker: continue at the next segment
  kEnd,      // zeros: nothing was written here yet
  kBad,      // torn or corrupt: see the Status
};

struct ParsedRecord {
  RecordKind kind = RecordKind::kEnd;
  RecordView view;         // kMessage only
  int32_t size = 0;        // bytes to skip: the record (kMessage, and kBad when `size_trusted`) or the blank
  bool size_trusted = false;  // kBad: the size field is plausible and the structure intact, only the CRC failed
  Status problem;          // kBad: what is wrong
};

// Parses the record at `data`, which has `available` bytes up to the end of the segment.
ParsedRecord parse_record(const uint8_t* data, size_t available, bool check_crc);

// Decodes a parsed record into a MessageExt (copies body, topic and properties).
MessageExt to_message(const RecordView& view);

// The value of property `name` in RocketMQ property text, without building a map ("" when
// absent): the dispatcher reads TAGS, KEYS and UNIQ_KEY of every record this way.
std::string_view find_property(std::string_view properties, std::string_view name);

// The store timestamp of the record at `data` (which must be a valid message record).
int64_t record_store_timestamp(const uint8_t* data);

}  // namespace tern::store_mmap
