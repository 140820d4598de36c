// The store crash test: acknowledged messages must survive a SIGKILL.
//
// Each round starts store_crash_child on the same store directory. The child puts messages
// with SYNC_FLUSH from several threads and prints one ACK line per put the store confirmed
// as fsynced. After a random 50-400 ms the test kills it with SIGKILL, collects the ACK lines
// of every round so far, opens the store in this process (recovery runs) and checks:
// - every acknowledged message reads back from its queue position, at the commit-log offset
//   it was acknowledged at, with a valid CRC and the body, topic, queue, tags and keys it
//   was put with (regenerated from the workload, crash_workload.h); read_record finds it,
//   and so does the key index (for the last two rounds' messages and a sample of older ones);
// - the consume queues and the commit log agree: every unit of every queue resolves to a
//   record that names that queue position, every record of the commit log is reachable
//   from its unit, each queue ends past its highest acknowledged offset, and every record
//   found (acknowledged or not) is a message the workload put, intact;
// - a put after recovery takes the queue's next offset (none is reused).
// Even rounds stop the store cleanly afterwards; odd rounds check a copy of the directory,
// so that the next child itself recovers from the crash state.
//
// TERN_CRASH_SEED=<n> repeats a run's kill timings and message contents; TERN_CRASH_ROUNDS
// changes the number of rounds (24).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "child_process.h"
#include "crash_workload.h"
#include "message_record.h"
#include "mmap_message_store.h"

#ifndef TERN_STORE_CRASH_CHILD
#error "TERN_STORE_CRASH_CHILD must name the store_crash_child executable"
#endif

namespace tern::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Position = std::tuple<std::string, int32_t, int64_t>;  // topic, queue id, queue offset
using AckMap = std::map<Position, CrashAck>;

constexpr int kDefaultRounds = 24;
constexpr size_t kProblemsShownPerRound = 20;

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::strtoull(v, nullptr, 10);
}

const char* to_string(GetStatus s) {
  switch (s) {
    case GetStatus::kFound: return "FOUND";
    case GetStatus::kNoMatchedMessage: return "NO_MATCHED_MESSAGE";
    case GetStatus::kMessageWasRemoving: return "MESSAGE_WAS_REMOVING";
    case GetStatus::kOffsetFoundNull: return "OFFSET_FOUND_NULL";
    case GetStatus::kOffsetOverflowBadly: return "OFFSET_OVERFLOW_BADLY";
    case GetStatus::kOffsetOverflowOne: return "OFFSET_OVERFLOW_ONE";
    case GetStatus::kOffsetTooSmall: return "OFFSET_TOO_SMALL";
    case GetStatus::kNoMatchedLogicQueue: return "NO_MATCHED_LOGIC_QUEUE";
    case GetStatus::kNoMessageInQueue: return "NO_MESSAGE_IN_QUEUE";
  }
  return "?";
}

std::string describe(const CrashAck& a) {
  return a.topic + ":" + std::to_string(a.queue_id) + "@" + std::to_string(a.queue_offset) + " (round " +
         std::to_string(a.round) + ", thread " + std::to_string(a.thread) + ", seq " + std::to_string(a.seq) +
         ", commit-log offset " + std::to_string(a.commit_log_offset) + ", body " + std::to_string(a.body_len) +
         " bytes)";
}

std::string describe(std::string_view topic, int32_t queue_id, int64_t queue_offset) {
  return std::string(topic) + ":" + std::to_string(queue_id) + "@" + std::to_string(queue_offset);
}

// One record read from the store at a queue position, as the test sees it.
struct ReadBack {
  GetStatus status = GetStatus::kNoMatchedLogicQueue;
  std::optional<StoredRecord> record;
  int64_t min_offset = 0, max_offset = 0;
};

ReadBack read_position(MessageStore& store, std::string_view topic, int32_t queue_id, int64_t offset) {
  GetRequest req;
  req.topic = std::string(topic);
  req.queue_id = queue_id;
  req.offset = offset;
  req.max_count = 1;
  GetResult r = store.get_messages(req);
  ReadBack out;
  out.status = r.status;
  out.min_offset = r.min_offset;
  out.max_offset = r.max_offset;
  if (r.status == GetStatus::kFound && r.records.size() == 1) out.record = std::move(r.records.front());
  return out;
}

// What is wrong with `rec`, found at queue position (topic, queue_id, queue_offset); ""
// when it is an intact record of the workload. `ack`, when given, is the message that was
// acknowledged at that position.
std::string check_record(uint64_t seed, const StoredRecord& rec, std::string_view topic, int32_t queue_id,
                         int64_t queue_offset, const CrashAck* ack) {
  std::string where = "the record at commit-log offset " + std::to_string(rec.commit_log_offset);
  store_mmap::ParsedRecord p = store_mmap::parse_record(rec.data, rec.size, /*check_crc=*/true);
  if (p.kind != store_mmap::RecordKind::kMessage) {
    return where + " does not parse with its CRC checked: " +
           (p.kind == store_mmap::RecordKind::kBad ? p.problem.to_string() : std::string("not a message record"));
  }
  const store_mmap::RecordView& v = p.view;
  if (static_cast<uint32_t>(p.size) != rec.size) {
    return where + " is " + std::to_string(p.size) + " bytes but its unit says " + std::to_string(rec.size);
  }
  if (v.physical_offset != rec.commit_log_offset) {
    return where + " says it is at commit-log offset " + std::to_string(v.physical_offset);
  }
  if (v.topic != topic || v.queue_id != queue_id || v.queue_offset != queue_offset) {
    return where + " says it is " + describe(v.topic, v.queue_id, v.queue_offset);
  }
  auto id = parse_crash_body_header(v.body);
  if (!id) return where + " has a body the workload did not write";
  if (ack && (id->round != ack->round || id->thread != ack->thread || id->seq != ack->seq)) {
    return where + " holds round " + std::to_string(id->round) + ", thread " + std::to_string(id->thread) + ", seq " +
           std::to_string(id->seq) + " instead";
  }
  CrashMessage want = crash_message(seed, id->round, id->thread, id->seq);
  if (want.topic != topic || want.queue_id != queue_id) {
    return where + " holds a message put to " + want.topic + ":" + std::to_string(want.queue_id);
  }
  if (v.body != want.body) {
    size_t n = std::min(v.body.size(), want.body.size());
    size_t at = static_cast<size_t>(std::mismatch(v.body.begin(), v.body.begin() + static_cast<ptrdiff_t>(n),
                                                  want.body.begin())
                                        .first -
                                    v.body.begin());
    return where + " has a body of " + std::to_string(v.body.size()) + " bytes that differs from the " +
           std::to_string(want.body.size()) + " bytes put, from byte " + std::to_string(at);
  }
  PropertyMap props = decode_properties(v.properties);
  auto prop = [&props](std::string_view name) {
    auto it = props.find(name);
    return it == props.end() ? std::string("<absent>") : it->second;
  };
  if (prop(property::kTags) != want.tags || prop(property::kKeys) != want.keys) {
    return where + " has TAGS '" + prop(property::kTags) + "' and KEYS '" + prop(property::kKeys) + "', not '" +
           want.tags + "' and '" + want.keys + "'";
  }
  return "";
}

struct VerifyOutcome {
  std::vector<std::string> problems;
  int64_t queue_units = 0;       // units in all queues
  int64_t unacknowledged = 0;    // of which the child never confirmed (stored, killed before the answer)
  int64_t commit_log_records = 0;
  AckMap new_puts;               // the puts made after recovery, by position
};

// The checks of one round against a store that has just recovered.
VerifyOutcome verify(uint64_t seed, int round, store_mmap::MmapMessageStore& store, const AckMap& acked) {
  VerifyOutcome out;
  auto problem = [&out](std::string p) { out.problems.push_back(std::move(p)); };

  // 1. Queue → commit log: every unit of every queue resolves to an intact record of the
  // workload that names the unit's position; at an acknowledged position, to the very
  // message acknowledged there, which read_record and the key index find too.
  std::unordered_map<int64_t, Position> reached;  // commit-log offset → the unit pointing at it
  for (std::string_view topic_view : kCrashTopics) {
    const std::string topic(topic_view);
    for (int32_t q = 0; q < kCrashQueuesPerTopic; ++q) {
      int64_t min = store.min_offset(topic, q), max = store.max_offset(topic, q);
      if (min != 0) {
        problem("queue " + topic + ":" + std::to_string(q) + " starts at " + std::to_string(min) +
                " though retention never ran");
      }
      // Acknowledged positions the queue does not reach are lost.
      for (auto it = acked.lower_bound({topic, q, max}); it != acked.end() && std::get<0>(it->first) == topic &&
                                                          std::get<1>(it->first) == q;
           ++it) {
        problem("acknowledged message " + describe(it->second) + " is lost: its queue ends at offset " +
                std::to_string(max));
      }
      for (int64_t o = min; o < max; ++o) {
        ++out.queue_units;
        ReadBack rb = read_position(store, topic, q, o);
        auto it = acked.find({topic, q, o});
        const CrashAck* a = it == acked.end() ? nullptr : &it->second;
        if (!a) ++out.unacknowledged;
        auto what = [&] { return a ? "acknowledged message " + describe(*a) : "unit " + describe(topic, q, o); };
        if (!rb.record) {
          problem(what() + (a ? " is lost" : " is a hole") + ": get_messages answered " + to_string(rb.status) +
                  " (queue holds [" + std::to_string(rb.min_offset) + ", " + std::to_string(rb.max_offset) + "))");
          continue;
        }
        int64_t offset = rb.record->commit_log_offset;
        if (auto [r, inserted] = reached.try_emplace(offset, Position{topic, q, o}); !inserted) {
          problem(what() + ": its unit points at commit-log offset " + std::to_string(offset) + ", as does the unit of " +
                  describe(std::get<0>(r->second), std::get<1>(r->second), std::get<2>(r->second)));
        }
        if (a && offset != a->commit_log_offset) {
          problem(what() + " is lost: its queue unit points at commit-log offset " + std::to_string(offset) +
                  " instead");
          continue;
        }
        if (std::string why = check_record(seed, *rb.record, topic, q, o, a); !why.empty()) {
          problem(what() + (a ? " is damaged: " : ": ") + why);
          continue;
        }
        if (!a) continue;
        auto by_offset = store.read_record(a->commit_log_offset);
        if (!by_offset || by_offset->size != rb.record->size || by_offset->queue_offset != o) {
          problem(what() + ": read_record at its commit-log offset disagrees (" +
                  (by_offset ? "queue offset " + std::to_string(by_offset->queue_offset)
                             : by_offset.status().to_string()) +
                  ")");
        }
        // The key index is probed for the newest messages and a sample of the older ones: the
        // lookups are the dearest part of the check.
        if (a->round < round - 1 && a->seq % 8 != 0) continue;
        std::string key = crash_envelope(seed, a->round, a->thread, a->seq).key;
        auto hits = store.query_by_key(topic, key, 32, 0, INT64_MAX);
        bool indexed = hits && std::any_of(hits->records.begin(), hits->records.end(), [a](const StoredRecord& r) {
                         return r.commit_log_offset == a->commit_log_offset;
                       });
        if (!indexed) problem(what() + " is not found by its key " + key);
      }
    }
  }

  // 2. Commit log → queue: every record of the commit log is the one its unit points at.
  int64_t pos = store.min_commit_log_offset(), end = store.max_commit_log_offset();
  int64_t segment = crash_store_config("", FlushDiskType::kAsyncFlush).commit_log_segment_size;
  while (pos < end) {
    auto bytes = store.read_commit_log(pos, segment);
    if (!bytes || bytes->size == 0) {
      problem("commit log unreadable at " + std::to_string(pos) + " (end " + std::to_string(end) + ")");
      break;
    }
    // No CRC here: step 1 checked every record a unit reaches, and one no unit reaches fails below.
    store_mmap::ParsedRecord p = store_mmap::parse_record(bytes->data, bytes->size, false);
    if (p.kind == store_mmap::RecordKind::kBlank) {
      pos += p.size;
      continue;
    }
    if (p.kind != store_mmap::RecordKind::kMessage) {
      problem("commit log below its end " + std::to_string(end) + " holds no valid record at " + std::to_string(pos) +
              ": " + (p.kind == store_mmap::RecordKind::kBad ? p.problem.to_string() : "zeros"));
      break;
    }
    ++out.commit_log_records;
    Position want{std::string(p.view.topic), p.view.queue_id, p.view.queue_offset};
    auto it = reached.find(pos);
    if (it == reached.end() || it->second != want) {
      problem("the record at commit-log offset " + std::to_string(pos) + " (" +
              describe(p.view.topic, p.view.queue_id, p.view.queue_offset) + ") is not in its consume queue" +
              (it == reached.end() ? std::string(": no unit points at it")
                                   : ": the unit of " + describe(std::get<0>(it->second), std::get<1>(it->second),
                                                                 std::get<2>(it->second)) +
                                         " does"));
    }
    pos += p.size;
  }
  if (out.problems.empty() && out.commit_log_records != out.queue_units) {
    problem("the commit log holds " + std::to_string(out.commit_log_records) + " records but the queues " +
            std::to_string(out.queue_units) + " units");
  }

  // 3. A put after recovery takes each queue's next offset.
  int64_t seq = 0;
  for (std::string_view topic : kCrashTopics) {
    for (int32_t q = 0; q < kCrashQueuesPerTopic; ++q, ++seq) {
      int64_t next = store.max_offset(topic, q);
      CrashMessage c = crash_message(seed, round, kCrashVerifierThread, seq);
      auto put = store_mmap::testing::put_sync(
          store, store_mmap::testing::make_message(c.topic, c.queue_id, std::move(c.body), c.tags, c.keys));
      if (!put || put->messages.size() != 1) {
        problem("a put to " + c.topic + ":" + std::to_string(q) + " after recovery failed: " +
                (put ? std::string("no message in the answer") : put.status().to_string()));
        continue;
      }
      if (put->messages[0].queue_offset != next) {
        problem("a put to " + c.topic + ":" + std::to_string(q) + " after recovery got queue offset " +
                std::to_string(put->messages[0].queue_offset) + ", not the next one, " + std::to_string(next));
      }
      CrashAck a{c.topic, q, put->messages[0].queue_offset, put->messages[0].commit_log_offset, round,
                 kCrashVerifierThread, seq, static_cast<int64_t>(c.body_size)};
      out.new_puts[{a.topic, a.queue_id, a.queue_offset}] = a;
    }
  }
  if (!store.wait_dispatched(std::chrono::seconds(10))) problem("the new puts were not dispatched within 10 s");
  for (const auto& [p, a] : out.new_puts) {
    ReadBack rb = read_position(store, a.topic, a.queue_id, a.queue_offset);
    std::string why = !rb.record ? std::string("not found: ") + to_string(rb.status)
                                 : check_record(seed, *rb.record, a.topic, a.queue_id, a.queue_offset, &a);
    if (!why.empty()) problem("the put after recovery " + describe(a) + ": " + why);
  }
  return out;
}

// What the child printed in one round.
struct ChildReport {
  std::vector<CrashAck> acks;
  int timeouts = 0;
  std::string recovery;  // what the child's recovery did
  bool recovery_truncated = false;
  std::vector<std::string> problems;
};

ChildReport parse_child_output(const std::string& output, uint64_t seed, int round) {
  ChildReport r;
  // Only whole lines: the kill may cut the last one short, and a cut ACK promised nothing.
  std::string_view text(output);
  text = text.substr(0, text.rfind('\n') == std::string_view::npos ? 0 : text.rfind('\n') + 1);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.starts_with("ACK ")) {
      auto a = parse_crash_ack(line);
      if (!a) {
        r.problems.push_back("malformed ACK line: " + std::string(line));
        continue;
      }
      CrashMessage want = crash_envelope(seed, a->round, a->thread, a->seq);
      if (a->round != round || want.topic != a->topic || want.queue_id != a->queue_id ||
          static_cast<int64_t>(want.body_size) != a->body_len) {
        r.problems.push_back("ACK line disagrees with the workload: " + std::string(line));
        continue;
      }
      r.acks.push_back(*a);
    } else if (line.starts_with("TIMEOUT ")) {
      ++r.timeouts;
    } else if (line.starts_with("RECOVERY ")) {
      auto f = split_crash_line(line);
      if (f.size() != 6) {
        r.problems.push_back("malformed RECOVERY line: " + std::string(line));
        continue;
      }
      r.recovery = "from " + std::string(f[1]) + " to " + std::string(f[2]) + ", " + std::string(f[3]) +
                   " records re-read, " + std::string(f[4]) + " skipped, " +
                   (f[5] == "-1" ? std::string("nothing truncated") : "torn tail dropped at " + std::string(f[5]));
      r.recovery_truncated = f[5] != "-1";
    } else if (line == "READY") {
    } else if (line.starts_with("LOG ")) {
      // Levels 4 and 5 are error and critical: the store saw something it should not.
      if (line.size() > 4 && line[4] >= '4') r.problems.push_back("the child's store logged: " + std::string(line));
    } else {
      r.problems.push_back("the child printed: " + std::string(line));  // ERROR, START_FAILED, a sanitizer report
    }
  }
  return r;
}

std::string last_lines(const std::string& text, int n) {
  size_t at = text.size();
  for (int i = 0; i <= n && at != std::string::npos && at > 0; ++i) at = text.rfind('\n', at - 1);
  return at == std::string::npos ? text : text.substr(at + 1);
}

size_t count_files(const std::filesystem::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file()) ++n;
  }
  return n;
}

std::string describe_recovery(const store_mmap::RecoveryReport& r) {
  std::ostringstream s;
  s << "from " << r.from << " to " << r.end << ", " << r.records << " records re-read, " << r.skipped.size()
    << " skipped, ";
  if (r.truncated) {
    s << "torn tail dropped at " << r.truncated->first << " (" << r.truncated->second << ")";
  } else {
    s << "nothing truncated";
  }
  return s.str();
}

TEST(StoreCrashTest, AcknowledgedMessagesSurviveSigkill) {
  const uint64_t seed = env_number("TERN_CRASH_SEED", std::random_device{}() * 0x100000001ull ^ std::random_device{}());
  const int rounds = static_cast<int>(env_number("TERN_CRASH_ROUNDS", kDefaultRounds));
  std::cout << "[crash] seed " << seed << ", " << rounds << " rounds (repeat with TERN_CRASH_SEED=" << seed << ")"
            << std::endl;
  RecordProperty("seed", std::to_string(seed));

  TempDir dir;
  const std::string root = dir.path() + "/store";
  const std::string copy_root = dir.path() + "/store-copy";
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> run_ms(50, 400);
  AckMap acked;
  int64_t total_timeouts = 0, total_truncated = 0, total_reread = 0, child_truncated = 0;
  auto started = Clock::now();

  for (int round = 0; round < rounds; ++round) {
    const int run_for = run_ms(rng);
    const bool stop_cleanly = round % 2 == 0;

    ChildProcess child({TERN_STORE_CRASH_CHILD, root, std::to_string(round), std::to_string(seed)}, dir.path());
    ASSERT_TRUE(child.wait_for_output("READY\n", std::chrono::seconds(60)))
        << "round " << round << ": the child did not become ready; its output ends:\n"
        << last_lines(child.output(), 30);
    std::this_thread::sleep_for(std::chrono::milliseconds(run_for));
    child.signal(SIGKILL);
    auto code = child.wait(std::chrono::seconds(30));
    ASSERT_TRUE(code.has_value()) << "round " << round << ": the child did not die of SIGKILL within 30 s";
    std::string output = child.output();
    ASSERT_EQ(*code, 128 + SIGKILL) << "round " << round << ": the child ended before the kill; its output ends:\n"
                                    << last_lines(output, 30);

    ChildReport report = parse_child_output(output, seed, round);
    std::vector<std::string> problems = report.problems;
    for (const CrashAck& a : report.acks) {
      auto [it, inserted] = acked.try_emplace({a.topic, a.queue_id, a.queue_offset}, a);
      if (!inserted) {
        problems.push_back("queue offset reused: " + describe(a) + " was acknowledged at the position of " +
                           describe(it->second) + ", acknowledged before; that one was lost");
      }
    }
    total_timeouts += report.timeouts;
    if (report.recovery_truncated) ++child_truncated;

    // Check the directory itself (then stop cleanly), or a copy of it (the directory stays
    // as the kill left it, and the next child recovers it).
    std::string check_root = root;
    if (!stop_cleanly) {
      std::filesystem::remove_all(copy_root);
      std::filesystem::copy(root, copy_root, std::filesystem::copy_options::recursive);
      check_root = copy_root;
    }
    VerifyOutcome outcome;
    std::string recovery;
    auto check_started = Clock::now();
    {
      store_mmap::testing::RecordingLogger logger;
      store_mmap::MmapMessageStore store(crash_store_config(check_root, FlushDiskType::kAsyncFlush), logger);
      Status started_status = store.start();
      ASSERT_TRUE(started_status.is_ok()) << "round " << round << ": the store does not start after the kill: "
                                          << started_status.to_string();
      const store_mmap::RecoveryReport& rr = store.recovery_report();
      recovery = describe_recovery(rr);
      total_reread += rr.records;
      if (rr.truncated) ++total_truncated;
      for (const auto& skipped : rr.skipped) {
        problems.push_back("recovery kept a corrupt record at commit-log offset " + std::to_string(skipped.offset) +
                           " out of its queue: " + skipped.problem);
      }
      outcome = verify(seed, round, store, acked);
    }  // stop(): a clean shutdown
    auto check_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - check_started).count();
    if (stop_cleanly) {
      acked.insert(outcome.new_puts.begin(), outcome.new_puts.end());
    } else {
      std::filesystem::remove_all(copy_root);
    }
    problems.insert(problems.end(), outcome.problems.begin(), outcome.problems.end());

    std::cout << "[crash] round " << round << ": killed after " << run_for << " ms, " << report.acks.size()
              << " acknowledged (" << acked.size() << " in all), " << report.timeouts
              << " flush timeouts; the child's recovery: " << report.recovery << "; recovery after the kill: "
              << recovery << "; "
              << outcome.queue_units << " queue units (" << outcome.unacknowledged << " never acknowledged), "
              << outcome.commit_log_records << " commit-log records, checked in " << check_ms << " ms; "
              << (stop_cleanly ? "stopped cleanly" : "left crashed for the next child") << std::endl;

    for (size_t i = 0; i < problems.size() && i < kProblemsShownPerRound; ++i) {
      ADD_FAILURE() << "round " << round << ": " << problems[i];
    }
    ASSERT_TRUE(problems.empty()) << "round " << round << ": " << problems.size()
                                  << " problems (first ones above); repeat with TERN_CRASH_SEED=" << seed;
  }

  auto secs = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << "[crash] done: " << rounds << " rounds in " << secs << " s, " << acked.size()
            << " acknowledged messages checked, " << total_timeouts << " flush timeouts, " << total_reread
            << " records re-read by recovery after the kills, " << total_truncated
            << " torn tails dropped by it and " << child_truncated << " by the children; the store holds "
            << count_files(root + "/commitlog") << " commit-log segments and " << count_files(root + "/consumequeue")
            << " consume-queue files" << std::endl;
  EXPECT_GT(acked.size(), static_cast<size_t>(rounds)) << "too few acknowledged messages to mean anything";
}

}  // namespace
}  // namespace tern::testing
