// store_crash_child: the writer half of the store crash test (store_crash_test.cc).
//
//   store_crash_child <store root> <round> <seed>
//
// Opens the store under <store root> with SYNC_FLUSH, prints what recovery found and
// `READY`, then puts messages from kCrashWriterThreads threads until it is killed. Each put
// that the store answers OK with durability kStored (fsynced) is reported on stdout as one
// `ACK <topic> <queue> <queue offset> <commit-log offset> <round> <thread> <seq> <body len>`
// line: the parent treats exactly those messages as promised and checks them after the
// SIGKILL. A FLUSH_DISK_TIMEOUT answer is no promise and prints `TIMEOUT ...`; a failed put
// prints `ERROR ...`; store log lines print as `LOG ...`.
//
// Every line is written with one write(2) on fd 1 under one mutex, so lines never
// interleave; a SIGKILL can at worst cut the last line short, and the parent ignores a
// line without its newline.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crash_workload.h"
#include "mmap_message_store.h"

namespace tern::testing {
namespace {

std::mutex output_mutex;

// Writes `line` (ending in '\n') to stdout in one piece.
void emit(const std::string& line) {
  std::lock_guard lock(output_mutex);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(4);  // the parent is gone or the disk is full: no point going on
    p += n;
    left -= static_cast<size_t>(n);
  }
}

class LineLogger final : public Logger {
 public:
  void log(LogLevel level, std::string_view message) override {
    std::string line = "LOG " + std::to_string(static_cast<int>(level)) + " ";
    for (char c : message) line.push_back(c == '\n' ? ' ' : c);
    line.push_back('\n');
    emit(line);
  }
  bool should_log(LogLevel level) const override { return level >= LogLevel::kInfo; }
};

void write_messages(store_mmap::MmapMessageStore& store, uint64_t seed, int round, int thread) {
  for (int64_t seq = 0;; ++seq) {
    CrashMessage c = crash_message(seed, round, thread, seq);
    size_t body_len = c.body.size();
    MessageExt m = store_mmap::testing::make_message(c.topic, c.queue_id, std::move(c.body), c.tags, c.keys);
    std::promise<void> answered;
    store.put_message(std::move(m), [&](Result<PutResult> r) {
      std::string what = " " + c.topic + " " + std::to_string(c.queue_id) + " ";
      if (!r) {
        emit("ERROR" + what + std::to_string(round) + " " + std::to_string(thread) + " " + std::to_string(seq) + " " +
             r.status().to_string() + "\n");
      } else if (r->durability != PutResult::Durability::kStored || r->messages.size() != 1) {
        emit("TIMEOUT" + what + std::to_string(r->messages.empty() ? -1 : r->messages[0].queue_offset) + " " +
             std::to_string(round) + " " + std::to_string(thread) + " " + std::to_string(seq) + "\n");
      } else {
        CrashAck a;
        a.topic = c.topic;
        a.queue_id = c.queue_id;
        a.queue_offset = r->messages[0].queue_offset;
        a.commit_log_offset = r->messages[0].commit_log_offset;
        a.round = round;
        a.thread = thread;
        a.seq = seq;
        a.body_len = static_cast<int64_t>(body_len);
        emit(format_crash_ack(a));
      }
      answered.set_value();
    });
    answered.get_future().wait();
  }
}

template <typename T>
bool parse_arg(const char* s, T& out) {
  std::string_view v(s);
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

int run(int argc, char** argv) {
  int round = 0;
  uint64_t seed = 0;
  if (argc != 4 || !parse_arg(argv[2], round) || !parse_arg(argv[3], seed)) {
    std::fprintf(stderr, "usage: %s <store root> <round> <seed>\n", argv[0]);
    return 2;
  }
  // Die with the test: a parent that crashed must not leave a writer behind.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) return 3;

  LineLogger logger;
  store_mmap::MmapMessageStore store(crash_store_config(argv[1], FlushDiskType::kSyncFlush), logger);
  if (Status s = store.start(); !s.is_ok()) {
    emit("START_FAILED " + s.to_string() + "\n");
    return 1;
  }
  const store_mmap::RecoveryReport& rr = store.recovery_report();
  emit("RECOVERY " + std::to_string(rr.from) + " " + std::to_string(rr.end) + " " + std::to_string(rr.records) + " " +
       std::to_string(rr.skipped.size()) + " " + std::to_string(rr.truncated ? rr.truncated->first : -1) + "\n");
  emit("READY\n");

  std::vector<std::thread> writers;
  for (int t = 0; t < kCrashWriterThreads; ++t) {
    writers.emplace_back([&store, seed, round, t] { write_messages(store, seed, round, t); });
  }
  // Runs until killed; the limit only guards against a parent that never sends the signal.
  std::this_thread::sleep_for(std::chrono::minutes(2));
  emit("GAVE_UP never killed\n");
  std::_Exit(5);
}

}  // namespace
}  // namespace tern::testing

int main(int argc, char** argv) { return tern::testing::run(argc, argv); }
