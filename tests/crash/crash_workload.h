// The store crash test's workload, shared by the writer child (store_crash_child.cc) and
// the checking parent (store_crash_test.cc) so that both derive the same messages:
// - the store configuration (small segments, so that commit-log and consume-queue files
//   roll over across rounds);
// - the message for (seed, round, thread, seq): topic, queue, tags, keys and a body of
//   varying size whose bytes are a pure function of those four numbers. The body starts
//   with a readable header naming them, so that any record found in the store, whether
//   acknowledged or not, can be regenerated and compared byte for byte;
// - the line protocol the child prints: `READY`, `RECOVERY ...`, `ACK ...`, `TIMEOUT ...`,
//   `ERROR ...`, `LOG ...`, one line per write(2), and its parser.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store_config.h"
#include "store_test_util.h"

namespace tern::testing {

inline constexpr std::array<std::string_view, 2> kCrashTopics = {"CrashTopicA", "CrashTopicB"};
inline constexpr int32_t kCrashQueuesPerTopic = 4;
inline constexpr int kCrashWriterThreads = 4;
// The parent's own puts after recovery carry this thread number; their seq picks the
// queue (topic index * kCrashQueuesPerTopic + queue id).
inline constexpr int kCrashVerifierThread = 99;

// The store as both processes open it. Retention is kept out of the way (the disk ratios
// are unreachable, files are never old enough): the test is about crashes, and a CI
// machine with a full disk must not delete or refuse what the test checks.
inline store_mmap::StoreConfig crash_store_config(const std::string& root, FlushDiskType flush) {
  store_mmap::StoreConfig c = store_mmap::testing::small_config(root);
  c.commit_log_segment_size = 256 * 1024;
  c.consume_queue_file_size = 200 * 20;
  c.max_message_size = 64 * 1024;
  c.max_hash_slots = 1024;
  c.max_index_count = 4096;
  c.flush_disk_type = flush;
  c.sync_flush_timeout = std::chrono::milliseconds(5000);
  c.disk_max_used_space_ratio = 101;
  c.disk_space_warning_ratio = 101;
  return c;
}

// splitmix64: a small, well-mixed, deterministic generator.
inline uint64_t crash_mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline uint64_t crash_hash(uint64_t seed, int round, int thread, int64_t seq, uint64_t salt) {
  uint64_t h = crash_mix(seed ^ salt);
  h = crash_mix(h ^ static_cast<uint64_t>(round));
  h = crash_mix(h ^ static_cast<uint64_t>(thread));
  return crash_mix(h ^ static_cast<uint64_t>(seq));
}

struct CrashMessage {
  std::string topic;
  int32_t queue_id = 0;
  std::string tags;
  std::string key;  // unique per message; KEYS holds it and a per-round key
  std::string keys;
  size_t body_size = 0;
  std::string body;  // empty from crash_envelope()
};

inline std::string crash_body_header(int round, int thread, int64_t seq) {
  return "crash r=" + std::to_string(round) + " t=" + std::to_string(thread) + " s=" + std::to_string(seq) + ";";
}

// Everything about the message `thread` of the child of `round` puts as its `seq`-th but
// its body bytes (cheap: the checks need it for every message, the body only once).
inline CrashMessage crash_envelope(uint64_t seed, int round, int thread, int64_t seq) {
  CrashMessage m;
  uint64_t h = crash_hash(seed, round, thread, seq, 0x7E57);
  if (thread == kCrashVerifierThread) {
    m.topic = std::string(kCrashTopics[static_cast<size_t>(seq / kCrashQueuesPerTopic) % kCrashTopics.size()]);
    m.queue_id = static_cast<int32_t>(seq % kCrashQueuesPerTopic);
  } else {
    m.topic = std::string(kCrashTopics[h % kCrashTopics.size()]);
    m.queue_id = static_cast<int32_t>((h >> 8) % kCrashQueuesPerTopic);
  }
  m.tags = "Tag" + std::to_string((h >> 16) % 5);
  m.key = "k-" + std::to_string(round) + "-" + std::to_string(thread) + "-" + std::to_string(seq);
  m.keys = m.key + " round-" + std::to_string(round);
  // One message in sixteen is large (4 KiB to 24 KiB, several pages); the rest carry up to
  // 1 KiB after the header.
  size_t extra = (h >> 24) % 16 == 0 ? 4096 + (h >> 32) % (20 * 1024) : (h >> 32) % 1024;
  m.body_size = crash_body_header(round, thread, seq).size() + extra;
  return m;
}

// The whole message: the envelope and a body that starts with crash_body_header() and goes
// on with pseudo-random bytes (any byte value).
inline CrashMessage crash_message(uint64_t seed, int round, int thread, int64_t seq) {
  CrashMessage m = crash_envelope(seed, round, thread, seq);
  m.body = crash_body_header(round, thread, seq);
  size_t at = m.body.size();
  m.body.resize(m.body_size);
  uint64_t state = crash_hash(seed, round, thread, seq, 0xB0D1);
  for (; at < m.body.size(); at += 8) {
    state = crash_mix(state);
    std::memcpy(m.body.data() + at, &state, std::min<size_t>(8, m.body.size() - at));
  }
  return m;
}

struct CrashMessageId {
  int round = 0;
  int thread = 0;
  int64_t seq = 0;
};

// Reads the header crash_body_header() wrote; nullopt when `body` does not start with one.
inline std::optional<CrashMessageId> parse_crash_body_header(std::string_view body) {
  auto field = [&body](std::string_view name, char end, auto& out) {
    if (body.substr(0, name.size()) != name) return false;
    body.remove_prefix(name.size());
    auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), out);
    if (ec != std::errc() || p == body.data() + body.size() || *p != end) return false;
    body.remove_prefix(static_cast<size_t>(p - body.data()) + 1);
    return true;
  };
  CrashMessageId id;
  if (!field("crash r=", ' ', id.round) || !field("t=", ' ', id.thread) || !field("s=", ';', id.seq)) return std::nullopt;
  return id;
}

// One acknowledged put as the child reports it.
struct CrashAck {
  std::string topic;
  int32_t queue_id = 0;
  int64_t queue_offset = 0;
  int64_t commit_log_offset = 0;
  int round = 0;
  int thread = 0;
  int64_t seq = 0;
  int64_t body_len = 0;
};

inline std::string format_crash_ack(const CrashAck& a) {
  return "ACK " + a.topic + " " + std::to_string(a.queue_id) + " " + std::to_string(a.queue_offset) + " " +
         std::to_string(a.commit_log_offset) + " " + std::to_string(a.round) + " " + std::to_string(a.thread) + " " +
         std::to_string(a.seq) + " " + std::to_string(a.body_len) + "\n";
}

// Splits `line` (without its newline) on single spaces.
inline std::vector<std::string_view> split_crash_line(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    size_t sp = line.find(' ');
    out.push_back(line.substr(0, sp));
    if (sp == std::string_view::npos) return out;
    line.remove_prefix(sp + 1);
  }
}

// Parses an `ACK` line (without its newline); nullopt when it is not a well-formed one.
inline std::optional<CrashAck> parse_crash_ack(std::string_view line) {
  auto f = split_crash_line(line);
  if (f.size() != 9 || f[0] != "ACK") return std::nullopt;
  CrashAck a;
  a.topic = std::string(f[1]);
  auto num = [](std::string_view s, auto& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!num(f[2], a.queue_id) || !num(f[3], a.queue_offset) || !num(f[4], a.commit_log_offset) ||
      !num(f[5], a.round) || !num(f[6], a.thread) || !num(f[7], a.seq) || !num(f[8], a.body_len)) {
    return std::nullopt;
  }
  return a;
}

}  // namespace tern::testing
