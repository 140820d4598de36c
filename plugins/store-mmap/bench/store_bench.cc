// store_bench: the store-mmap benchmark. One run prints, beside the machine's own limits:
//   1. ASYNC_FLUSH append (put_message: validation, CRC, append, dispatch, index) for
//      128 B, 1 KiB and 4 KiB bodies, against write(2) of the same bytes to a plain file;
//   2. SYNC_FLUSH group commit with 1, 8 and 64 synchronous writers, against a bare
//      write(1 KiB) + fdatasync loop, as messages per fsync;
//   3. a backlog of 10 million small messages in one queue: clean stop, restart with a
//      cold page cache (no rescan expected), and random reads across the whole queue.
// Every store uses the production geometry (1 GiB commit-log segments, 6,000,000-byte
// consume-queue files, default index) and messages carry TAGS and a 32-hex UNIQ_KEY as a
// RocketMQ producer sends them (--bare drops both). Everything runs in a fresh directory
// under --dir, checked for free space first and deleted at the end.
//
// Aims (the store-mmap issue): async 1 KiB >= 70% of raw write bandwidth; 64 sync writers
// >= 20 messages per fsync; the backlog restarts in seconds and reads any offset fast.
// Each section ends with an "aim:" line saying MET or MISSED.
//
// Run: cmake --preset release && cmake --build --preset release --target store_bench &&
//      build/release/bin/store_bench [--quick] [--dir D]      (--help lists every flag)
// Besides rates and latencies it prints, per message, the context switches and page
// faults of all threads (getrusage) and, for cold reads, the bytes read from the disk
// (/proc/self/io): the figures that explain a slow case.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <latch>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "message_record.h"
#include "mmap_message_store.h"
#include "store_config.h"
#include "tern/logger.h"
#include "tern/message.h"
#include "tern/store.h"

#ifndef TERN_BENCH_BUILD_TYPE
#define TERN_BENCH_BUILD_TYPE "unknown"
#endif

namespace tern::store_mmap {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kGiB = 1024 * kMiB;
constexpr int kAsyncTopics = 4;
constexpr int kAsyncQueuesPerTopic = 4;
constexpr size_t kBuildChunk = 4096;  // messages built (untimed) before each timed put loop

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
int64_t ns_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count();
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "store_bench: %s\n", why.c_str());
  std::exit(1);
}

// ---- options ----------------------------------------------------------------------------

struct Options {
  std::string parent_dir = "/tmp";
  bool keep = false;
  bool quick = false;
  bool bare = false;
  bool verbose = false;
  bool run_async = true, run_sync = true, run_backlog = true;
  std::vector<size_t> async_sizes{128, 1024, 4096};
  int64_t async_messages = 0;  // 0: per-size defaults
  int async_threads = 1;
  int repeat = 3;
  std::vector<int> sync_writers{1, 8, 64};
  double sync_seconds = 3;
  int64_t backlog = 10'000'000;
  size_t backlog_body = 100;
  int backlog_batch = 256;
  int reads = 1000;
};

void usage() {
  std::printf(
      "usage: store_bench [flags]\n"
      "  --dir D             parent directory for the run (default /tmp); a fresh\n"
      "                      store-bench-XXXXXX is made inside it and deleted at the end\n"
      "  --keep              do not delete the run directory\n"
      "  --quick             smaller run: 1/4 of the async messages, one run each, 1 s sync cases,\n"
      "                      a 1,000,000-message backlog\n"
      "  --sections LIST     any of async,sync,backlog (default all three)\n"
      "  --async-sizes LIST  body sizes for section 1 (default 128,1024,4096)\n"
      "  --async-messages N  messages per async case (default 3,000,000 / 1,000,000 / 300,000\n"
      "                      for bodies <= 256 B / <= 2 KiB / larger)\n"
      "  --async-threads T   producer threads in section 1 (default 1)\n"
      "  --repeat R          runs of each async case; the median run is shown, raw is the best\n"
      "                      of R (default 3; 1 with --quick)\n"
      "  --sync-writers LIST writer counts for section 2 (default 1,8,64)\n"
      "  --sync-seconds S    seconds per sync case and for the bare fsync loop (default 3)\n"
      "  --backlog N         messages in the backlog queue (default 10,000,000)\n"
      "  --backlog-body B    backlog body size in bytes (default 100)\n"
      "  --batch N           messages per put_messages batch when filling (default 256)\n"
      "  --reads N           random reads on the backlog (default 1000)\n"
      "  --bare              messages without TAGS and UNIQ_KEY (nothing to index)\n"
      "  --verbose           show the store's info log lines\n");
}

template <typename T>
T parse_number(std::string_view flag, std::string_view text) {
  std::string cleaned;
  for (char c : text) {
    if (c != '_' && c != ',') cleaned.push_back(c);
  }
  T value{};
  auto [ptr, ec] = std::from_chars(cleaned.data(), cleaned.data() + cleaned.size(), value);
  if (ec != std::errc() || ptr != cleaned.data() + cleaned.size()) {
    die("bad value '" + std::string(text) + "' for " + std::string(flag));
  }
  return value;
}

template <typename T>
std::vector<T> parse_list(std::string_view flag, std::string_view text) {
  std::vector<T> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    out.push_back(parse_number<T>(flag, text.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.empty()) die("empty list for " + std::string(flag));
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool backlog_set = false, sync_seconds_set = false, repeat_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) die("missing value for " + std::string(a));
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      usage();
      std::exit(0);
    } else if (a == "--dir") {
      o.parent_dir = value();
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--quick") {
      o.quick = true;
    } else if (a == "--bare") {
      o.bare = true;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else if (a == "--sections") {
      std::string_view list = value();
      o.run_async = o.run_sync = o.run_backlog = false;
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string_view name = list.substr(0, comma);
        if (name == "async") {
          o.run_async = true;
        } else if (name == "sync") {
          o.run_sync = true;
        } else if (name == "backlog") {
          o.run_backlog = true;
        } else {
          die("unknown section '" + std::string(name) + "' (async, sync, backlog)");
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
      if (!o.run_async && !o.run_sync && !o.run_backlog) die("--sections names none of async, sync, backlog");
    } else if (a == "--async-sizes") {
      o.async_sizes = parse_list<size_t>(a, value());
    } else if (a == "--async-messages") {
      o.async_messages = parse_number<int64_t>(a, value());
    } else if (a == "--repeat") {
      o.repeat = parse_number<int>(a, value());
      repeat_set = true;
    } else if (a == "--async-threads") {
      o.async_threads = parse_number<int>(a, value());
    } else if (a == "--sync-writers") {
      o.sync_writers = parse_list<int>(a, value());
    } else if (a == "--sync-seconds") {
      o.sync_seconds = parse_number<double>(a, value());
      sync_seconds_set = true;
    } else if (a == "--backlog") {
      o.backlog = parse_number<int64_t>(a, value());
      backlog_set = true;
    } else if (a == "--backlog-body") {
      o.backlog_body = parse_number<size_t>(a, value());
    } else if (a == "--batch") {
      o.backlog_batch = parse_number<int>(a, value());
    } else if (a == "--reads") {
      o.reads = parse_number<int>(a, value());
    } else {
      usage();
      die("unknown flag " + std::string(a));
    }
  }
  if (o.quick) {
    if (!backlog_set) o.backlog = 1'000'000;
    if (!sync_seconds_set) o.sync_seconds = 1;
    if (!repeat_set) o.repeat = 1;
  }
  if (o.async_threads < 1 || o.repeat < 1 || o.backlog < 1 || o.backlog_batch < 1 || o.reads < 0 || o.sync_seconds <= 0) {
    die("counts must be positive");
  }
  for (int w : o.sync_writers) {
    if (w < 1) die("--sync-writers values must be positive");
  }
  return o;
}

int64_t async_messages_for(const Options& o, size_t body) {
  int64_t n = o.async_messages;
  if (n == 0) n = body <= 256 ? 3'000'000 : body <= 2048 ? 1'000'000 : 300'000;
  if (o.quick && o.async_messages == 0) n /= 4;
  return n;
}

// ---- formatting -------------------------------------------------------------------------

std::string grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string human_bytes(double b) {
  char buf[32];
  if (b >= kGiB) {
    std::snprintf(buf, sizeof buf, "%.2f GiB", b / kGiB);
  } else if (b >= kMiB) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", b / kMiB);
  } else if (b >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f B", b);
  }
  return buf;
}

std::string rate(double per_second) {
  char buf[32];
  if (per_second >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f M", per_second / 1e6);
  } else if (per_second >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1f k", per_second / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", per_second);
  }
  return buf;
}

std::string micros(double us) {
  char buf[32];
  if (us >= 10000) {
    std::snprintf(buf, sizeof buf, "%.1f ms", us / 1000);
  } else if (us >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f us", us);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f us", us);
  }
  return buf;
}

void heading(const std::string& title) {
  std::printf("\n== %s ", title.c_str());
  for (size_t i = title.size(); i < 92; ++i) std::putchar('=');
  std::printf("\n");
}

struct Latency {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;  // microseconds
};

Latency summarize(std::vector<int64_t>& ns) {
  Latency l;
  if (ns.empty()) return l;
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    size_t i = std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())));
    return static_cast<double>(ns[i]) / 1000.0;
  };
  l.p50 = at(0.50);
  l.p99 = at(0.99);
  l.p999 = at(0.999);
  l.max = static_cast<double>(ns.back()) / 1000.0;
  return l;
}

// ---- the machine ------------------------------------------------------------------------

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

std::string filesystem_type(const std::string& path) {
  struct statfs s {};
  if (::statfs(path.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs (fsync is free here: sync figures mean nothing)";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "magic 0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

struct DiskSpace {
  int64_t avail = 0;  // bytes an unprivileged writer may still use
  int64_t used = 0;
  double usage_percent(int64_t extra) const {  // as RetentionService::statvfs_usage computes it
    double u = static_cast<double>(used + extra);
    double usable = static_cast<double>(used + avail);
    return usable > 0 ? 100.0 * u / usable : 0;
  }
};

DiskSpace disk_space(const std::string& path) {
  struct statvfs v {};
  if (::statvfs(path.c_str(), &v) != 0) die("cannot statvfs " + path + ": " + std::strerror(errno));
  DiskSpace d;
  d.avail = static_cast<int64_t>(v.f_bavail) * static_cast<int64_t>(v.f_frsize);
  d.used = static_cast<int64_t>(v.f_blocks - v.f_bfree) * static_cast<int64_t>(v.f_frsize);
  return d;
}

// The read-ahead of the block device holding `path`: a cold mmap fault reads about this
// much around the faulting page, which decides how much a cold random read costs.
std::string read_ahead(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "unknown";
  std::string dev = "/sys/dev/block/" + std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
  for (const char* rel : {"/queue/read_ahead_kb", "/../queue/read_ahead_kb", "/bdi/read_ahead_kb"}) {
    std::ifstream in(dev + rel);
    std::string kb;
    if (in >> kb) return kb + " KiB";
  }
  return "unknown";
}

void print_machine(const Options& o) {
  struct utsname u {};
  ::uname(&u);
  struct sysinfo si {};
  ::sysinfo(&si);
  DiskSpace d = disk_space(o.parent_dir);
  std::printf("store_bench: store-mmap against the machine's limits\n");
  std::printf("  machine   : %ld cpus (nproc), %s, %s RAM\n", ::sysconf(_SC_NPROCESSORS_ONLN), cpu_model().c_str(),
              human_bytes(static_cast<double>(si.totalram) * si.mem_unit).c_str());
  std::printf("  kernel    : %s %s %s\n", u.sysname, u.release, u.machine);
  std::printf("  build     : %s (CMAKE_BUILD_TYPE), %s, g++ %s\n", TERN_BENCH_BUILD_TYPE,
#ifdef NDEBUG
              "NDEBUG",
#else
              "assertions on",
#endif
              __VERSION__);
  std::printf("  directory : %s on %s, %s free, device read-ahead %s\n", o.parent_dir.c_str(),
              filesystem_type(o.parent_dir).c_str(), human_bytes(static_cast<double>(d.avail)).c_str(),
              read_ahead(o.parent_dir).c_str());
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) == 3) {
    std::printf("  load      : %.2f %.2f %.2f before the run%s\n", load[0], load[1], load[2],
                load[0] >= 0.5 ? " (not idle: other work makes the figures noisier)" : "");
  }
  if (std::string_view(TERN_BENCH_BUILD_TYPE) != "Release") {
    std::printf("  WARNING   : not a Release build; figures are not representative\n");
  }
}

// ---- files ------------------------------------------------------------------------------

struct DirSize {
  int64_t allocated = 0;  // st_blocks * 512: what the disk holds
  int64_t apparent = 0;
  int files = 0;
};

DirSize dir_size(const std::string& path) {
  DirSize s;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (it->is_regular_file() && ::stat(it->path().c_str(), &st) == 0) {
      s.allocated += static_cast<int64_t>(st.st_blocks) * 512;
      s.apparent += st.st_size;
      ++s.files;
    }
  }
  return s;
}

// Drops the store's clean pages from the page cache so that the restart and the first
// reads go to the disk (this process's files only; the machine's cache stays).
void evict_from_page_cache(const std::string& path) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

// What this process read from the storage layer (/proc/self/io read_bytes) and its
// major page faults: proof of how much of the store an operation touched.
struct IoCounters {
  int64_t read_bytes = 0;
  int64_t major_faults = 0;
};

IoCounters io_counters() {
  IoCounters c;
  std::ifstream in("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "read_bytes:") c.read_bytes = value;
  }
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  c.major_faults = ru.ru_majflt;
  return c;
}

// Context switches (voluntary: a thread slept, usually on a futex) and minor page faults
// of every thread of this process: how often the store's threads wake each other and how
// often writes fault on the mappings.
struct ThreadCounters {
  int64_t context_switches = 0;
  int64_t minor_faults = 0;
};

ThreadCounters thread_counters() {
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  return {static_cast<int64_t>(ru.ru_nvcsw), static_cast<int64_t>(ru.ru_minflt)};
}

void write_all(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("write to " + path + " failed: " + std::strerror(errno));
    data += w;
    n -= static_cast<size_t>(w);
  }
}

// The machine's limit for the async case: `bytes` written sequentially to a new plain file
// with write(2) in 1 MiB chunks (into the page cache), then fdatasync (to the disk).
struct RawWrite {
  double write_s = 0;       // write(2) calls only
  double write_sync_s = 0;  // write(2) calls and the final fdatasync
};

RawWrite raw_sequential_write(const std::string& path, int64_t bytes) {
  std::vector<char> chunk(static_cast<size_t>(kMiB));
  for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>('a' + i % 26);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) die("cannot create " + path + ": " + std::strerror(errno));
  RawWrite r;
  auto t0 = Clock::now();
  for (int64_t left = bytes; left > 0;) {
    size_t n = static_cast<size_t>(std::min<int64_t>(left, kMiB));
    write_all(fd, chunk.data(), n, path);
    left -= static_cast<int64_t>(n);
  }
  r.write_s = seconds_since(t0);
  if (::fdatasync(fd) != 0) die("fdatasync " + path + ": " + std::strerror(errno));
  r.write_sync_s = seconds_since(t0);
  ::close(fd);
  ::unlink(path.c_str());
  return r;
}

// The machine's limit for one synchronous writer: write(1 KiB) + fdatasync, repeated.
struct FsyncLoop {
  int64_t ops = 0;
  double seconds = 0;
  Latency latency;
  int64_t context_switches = 0;  // the loop's own: fdatasync sleeps on the I/O
};

FsyncLoop bare_fsync_loop(const std::string& path, size_t record, double seconds) {
  std::string data(record, 'f');
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) die("cannot create " + path + ": " + std::strerror(errno));
  std::vector<int64_t> ns;
  FsyncLoop r;
  ThreadCounters before = thread_counters();
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (Clock::now() < deadline) {
    auto t0 = Clock::now();
    write_all(fd, data.data(), data.size(), path);
    if (::fdatasync(fd) != 0) die("fdatasync " + path + ": " + std::strerror(errno));
    ns.push_back(ns_between(t0, Clock::now()));
  }
  r.seconds = seconds_since(start);
  r.context_switches = thread_counters().context_switches - before.context_switches;
  r.ops = static_cast<int64_t>(ns.size());
  r.latency = summarize(ns);
  ::close(fd);
  ::unlink(path.c_str());
  return r;
}

// ---- the store --------------------------------------------------------------------------

// Shows the store's warnings and errors (and its info lines with --verbose), and counts
// the errors: a benchmark that hit one says so in its result.
class BenchLogger final : public Logger {
 public:
  explicit BenchLogger(bool verbose) : verbose_(verbose) {}
  void log(LogLevel level, std::string_view message) override {
    if (level >= LogLevel::kError) errors_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "    [store %s] %.*s\n", level >= LogLevel::kError ? "ERROR" : level >= LogLevel::kWarn ? "warn" : "info",
                 static_cast<int>(message.size()), message.data());
  }
  bool should_log(LogLevel level) const override { return verbose_ || level >= LogLevel::kWarn; }
  int64_t errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  bool verbose_;
  std::mutex mutex_;
  std::atomic<int64_t> errors_{0};
};

// The broker's defaults (StoreConfig's), only the directories set.
StoreConfig bench_config(const std::string& root, FlushDiskType flush) {
  StoreConfig c = StoreConfig::under_root(root);
  c.flush_disk_type = flush;
  return c;
}

int64_t index_file_bytes(const StoreConfig& c) {  // index_file.h: header, slots, entries
  return 40 + int64_t{c.max_hash_slots} * 4 + int64_t{c.max_index_count} * 20;
}

// Builds messages as a RocketMQ producer sends them: a body whose first bytes are the
// sequence number (reads check it), TAGS, and a 32-hex-digit UNIQ_KEY.
class MessageFactory {
 public:
  MessageFactory(size_t body_size, bool bare) : bare_(bare), body_(body_size, 'm') {}

  MessageExt make(const std::string& topic, int32_t queue_id, int64_t seq) const {
    MessageExt m;
    m.topic = topic;
    m.queue_id = queue_id;
    m.body = body_;
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seq);
    (void)ec;
    size_t n = std::min(static_cast<size_t>(end - digits), m.body.size());
    std::memcpy(m.body.data(), digits, n);
    if (n < m.body.size()) m.body[n] = ' ';
    if (!bare_) {
      m.set_tags("TagA");
      m.set_property(property::kUniqueClientMessageId, uniq_key(seq));
    }
    m.born_timestamp = 1700000000000 + seq;
    m.born_host = SocketAddress{{10, 0, 0, 1}, 4, 50000};
    m.store_host = SocketAddress{{127, 0, 0, 1}, 4, 10911};
    return m;
  }

  // Bytes of the commit-log record of one message.
  int64_t record_bytes() const {
    MessageExt m = make("BenchTopic0", 0, 0);
    return record_size(m, encode_properties(m.properties).size());
  }

 private:
  static std::string uniq_key(int64_t seq) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string key = "7F000001A1B2C3D4E5F6";  // ip, pid, class-loader hash as the Java client
    for (int shift = 44; shift >= 0; shift -= 4) key.push_back(kHex[(static_cast<uint64_t>(seq) >> shift) & 15]);
    return key;
  }

  bool bare_;
  std::string body_;
};

std::unique_ptr<MmapMessageStore> start_store(const StoreConfig& config, BenchLogger& logger, double* start_seconds) {
  auto store = std::make_unique<MmapMessageStore>(config, logger);
  auto t0 = Clock::now();
  Status s = store->start();
  if (start_seconds) *start_seconds = seconds_since(t0);
  if (!s.is_ok()) die("store start failed: " + s.to_string());
  return store;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) std::fprintf(stderr, "store_bench: cannot remove %s: %s\n", path.c_str(), ec.message().c_str());
}

// ---- section 1: ASYNC_FLUSH append --------------------------------------------------------

struct AsyncCase {
  size_t body = 0;
  int64_t messages = 0;
  int64_t record_bytes = 0;
  double put_seconds = 0;   // time inside the put loops (message building excluded)
  Latency latency;
  double dispatch_lag_ms = 0;
  bool caught_up = false;
  double stop_seconds = 0;
  int64_t failures = 0;
  std::string first_error;
  ThreadCounters counters;  // during the puts, all threads
  RawWrite raw;             // the raw write of the same bytes, right after this run

  double rate() const { return static_cast<double>(messages) / put_seconds; }
  double store_mbs() const { return static_cast<double>(record_bytes) / 1e6 / put_seconds; }
  double raw_mbs() const { return static_cast<double>(record_bytes) / 1e6 / raw.write_s; }
  double raw_sync_mbs() const { return static_cast<double>(record_bytes) / 1e6 / raw.write_sync_s; }
};

struct PutTally {
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> failures{0};
  std::mutex mutex;
  std::string first_error;
  void add(const Result<PutResult>& r) {
    if (!r.is_ok()) {
      if (failures.fetch_add(1) == 0) {
        std::lock_guard lock(mutex);
        first_error = r.status().to_string();
      }
      return;
    }
    int64_t sum = 0;
    for (const auto& m : r->messages) sum += m.store_size;
    bytes.fetch_add(sum, std::memory_order_relaxed);
  }
};

AsyncCase run_async_case(const Options& o, const std::string& run_dir, size_t body, BenchLogger& logger) {
  AsyncCase c;
  c.body = body;
  c.messages = async_messages_for(o, body);
  std::string root = run_dir + "/async-" + std::to_string(body);
  ::sync();  // start from a quiet disk: no writeback left from the previous case
  auto store = start_store(bench_config(root, FlushDiskType::kAsyncFlush), logger, nullptr);
  MessageFactory factory(body, o.bare);
  std::vector<std::string> topics;
  for (int t = 0; t < kAsyncTopics; ++t) topics.push_back("BenchTopic" + std::to_string(t));

  PutTally tally;
  std::vector<std::vector<int64_t>> latencies(static_cast<size_t>(o.async_threads));
  std::vector<double> put_seconds(static_cast<size_t>(o.async_threads), 0);
  std::latch go(o.async_threads + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.async_threads; ++t) {
    threads.emplace_back([&, t] {
      auto& lat = latencies[static_cast<size_t>(t)];
      lat.reserve(static_cast<size_t>(c.messages / o.async_threads + 1));
      std::vector<MessageExt> chunk;
      chunk.reserve(kBuildChunk);
      int64_t busy_ns = 0;
      PutCallback done = [&tally](Result<PutResult> r) { tally.add(r); };
      go.arrive_and_wait();
      for (int64_t i = t; i < c.messages;) {
        chunk.clear();
        for (; i < c.messages && chunk.size() < kBuildChunk; i += o.async_threads) {
          int64_t q = i % (kAsyncTopics * kAsyncQueuesPerTopic);
          chunk.push_back(factory.make(topics[static_cast<size_t>(q % kAsyncTopics)],
                                       static_cast<int32_t>(q / kAsyncTopics), i));
        }
        auto loop_start = Clock::now();
        auto t0 = loop_start;
        for (auto& m : chunk) {
          store->put_message(std::move(m), done);
          auto t1 = Clock::now();
          lat.push_back(ns_between(t0, t1));
          t0 = t1;
        }
        busy_ns += ns_between(loop_start, t0);
      }
      put_seconds[static_cast<size_t>(t)] = static_cast<double>(busy_ns) / 1e9;
    });
  }
  ThreadCounters before = thread_counters();
  go.arrive_and_wait();
  for (auto& th : threads) th.join();
  ThreadCounters after = thread_counters();
  c.counters = {after.context_switches - before.context_switches, after.minor_faults - before.minor_faults};
  auto last_put = Clock::now();
  c.caught_up = store->wait_dispatched(std::chrono::seconds(120));
  c.dispatch_lag_ms = seconds_since(last_put) * 1000;
  auto stop_start = Clock::now();
  store->stop();
  c.stop_seconds = seconds_since(stop_start);
  store.reset();
  remove_tree(root);

  c.put_seconds = *std::max_element(put_seconds.begin(), put_seconds.end());
  std::vector<int64_t> all;
  all.reserve(static_cast<size_t>(c.messages));
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  c.latency = summarize(all);
  c.record_bytes = tally.bytes.load();
  c.failures = tally.failures.load();
  c.first_error = tally.first_error;

  ::sync();
  c.raw = raw_sequential_write(run_dir + "/raw-" + std::to_string(body), c.record_bytes);
  return c;
}

void section_async(const Options& o, const std::string& run_dir, BenchLogger& logger) {
  heading("1. ASYNC_FLUSH append vs raw sequential write(2)");
  std::printf("put_message from %d thread(s) over %d topics x %d queues; messages %s; production geometry.\n",
              o.async_threads, kAsyncTopics, kAsyncQueuesPerTopic,
              o.bare ? "bare (no properties)" : "with TAGS and UNIQ_KEY (indexed)");
  std::printf("store rate = messages / time inside the put loops (building messages is excluded). raw = the same\n"
              "record bytes written to a new plain file with write(2) in 1 MiB chunks (page cache), and then\n"
              "fdatasync'ed (raw+sync: on disk). Each case runs %d time(s): the median store run is shown, and\n"
              "raw is the best of the %d raw runs (the machine's limit).\n",
              o.repeat, o.repeat);
  struct Row {
    AsyncCase median;
    double slowest = 0, fastest = 0;
    RawWrite best_raw;
  };
  std::vector<Row> rows;
  for (size_t body : o.async_sizes) {
    std::printf("  running %zu B bodies: %s messages x %d ...", body, grouped(async_messages_for(o, body)).c_str(), o.repeat);
    std::vector<AsyncCase> runs;
    for (int r = 0; r < o.repeat; ++r) {
      runs.push_back(run_async_case(o, run_dir, body, logger));
      std::printf(" %s/s", rate(runs.back().rate()).c_str());
    }
    std::printf("\n");
    std::sort(runs.begin(), runs.end(), [](const AsyncCase& a, const AsyncCase& b) { return a.rate() < b.rate(); });
    Row row;
    row.slowest = runs.front().rate();
    row.fastest = runs.back().rate();
    row.best_raw = runs.front().raw;
    for (const auto& r : runs) {
      if (r.raw.write_s < row.best_raw.write_s) row.best_raw.write_s = r.raw.write_s;
      if (r.raw.write_sync_s < row.best_raw.write_sync_s) row.best_raw.write_sync_s = r.raw.write_sync_s;
    }
    row.median = runs[runs.size() / 2];
    row.median.raw = row.best_raw;
    rows.push_back(std::move(row));
  }
  std::printf("\n%6s %10s %7s %12s %10s | %9s %9s | %9s %9s | %s\n", "body", "messages", "record", "store msg/s",
              "store MB/s", "raw MB/s", "store/raw", "raw+sync", "store/r+s", "store msg/s over the runs");
  for (const auto& row : rows) {
    const AsyncCase& c = row.median;
    std::printf("%5zuB %10s %6lldB %12s %10.0f | %9.0f %8.0f%% | %9.0f %8.0f%% | %s .. %s\n", c.body,
                grouped(c.messages).c_str(), static_cast<long long>(c.record_bytes / std::max<int64_t>(1, c.messages)),
                rate(c.rate()).c_str(), c.store_mbs(), c.raw_mbs(), 100 * c.store_mbs() / c.raw_mbs(), c.raw_sync_mbs(),
                100 * c.store_mbs() / c.raw_sync_mbs(), rate(row.slowest).c_str(), rate(row.fastest).c_str());
  }
  std::printf("\n%6s %9s %9s %9s %9s | %12s %10s %7s | %10s %10s\n", "body", "put p50", "p99", "p99.9", "max",
              "dispatch lag", "clean stop", "failed", "ctx sw/msg", "faults/msg");
  for (const auto& row : rows) {
    const AsyncCase& c = row.median;
    double msgs = static_cast<double>(c.messages);
    std::printf("%5zuB %9s %9s %9s %9s | %9.1f ms%s %8.2f s %7s | %10.3f %10.3f\n", c.body, micros(c.latency.p50).c_str(),
                micros(c.latency.p99).c_str(), micros(c.latency.p999).c_str(), micros(c.latency.max).c_str(),
                c.dispatch_lag_ms, c.caught_up ? " " : "!", c.stop_seconds, grouped(c.failures).c_str(),
                static_cast<double>(c.counters.context_switches) / msgs,
                static_cast<double>(c.counters.minor_faults) / msgs);
    if (c.failures > 0) std::printf("       first failure: %s\n", c.first_error.c_str());
  }
  std::printf("(MB = 10^6 bytes of commit-log records. dispatch lag: from the last put returning until the consume\n"
              " queues and index held every message; '!' = not caught up within 120 s. ctx sw/msg and faults/msg:\n"
              " voluntary context switches and minor page faults of all threads during the puts, per message.)\n");
  for (const auto& row : rows) {
    if (row.median.body == 1024) {
      double ratio = row.median.store_mbs() / row.median.raw_mbs();
      std::printf("aim: async 1 KiB >= 70%% of raw write bandwidth: %.0f%% of write(2) (%.0f%% of write+fdatasync) -> %s\n",
                  100 * ratio, 100 * row.median.store_mbs() / row.median.raw_sync_mbs(), ratio >= 0.70 ? "MET" : "MISSED");
    }
  }
}

// ---- section 2: SYNC_FLUSH group commit ---------------------------------------------------

struct SyncCase {
  int writers = 0;
  int64_t messages = 0;
  double seconds = 0;
  Latency latency;
  uint64_t fsyncs = 0;
  int64_t timeouts = 0;
  int64_t failures = 0;
  std::string first_error;
  ThreadCounters counters;  // during the run, all threads
};

// One writer's wait for its put's callback (which runs on the group-commit thread).
struct Waiter {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  bool ok = false;
  bool timeout = false;
  std::string error;
};

SyncCase run_sync_case(const Options& o, const std::string& run_dir, int writers, BenchLogger& logger) {
  SyncCase c;
  c.writers = writers;
  std::string root = run_dir + "/sync-" + std::to_string(writers);
  ::sync();
  auto store = start_store(bench_config(root, FlushDiskType::kSyncFlush), logger, nullptr);
  MessageFactory factory(1024, o.bare);
  std::vector<std::string> topics;
  for (int t = 0; t < kAsyncTopics; ++t) topics.push_back("SyncTopic" + std::to_string(t));
  // Warm up: the first put creates the segment, the queue files and the index file.
  {
    Waiter w;
    store->put_message(factory.make(topics[0], 0, 0), [&w](Result<PutResult>) {
      std::lock_guard lock(w.mutex);
      w.ready = true;
      w.cv.notify_one();
    });
    std::unique_lock lock(w.mutex);
    w.cv.wait_for(lock, std::chrono::seconds(10), [&] { return w.ready; });
  }
  std::vector<std::vector<int64_t>> latencies(static_cast<size_t>(writers));
  std::vector<int64_t> timeouts(static_cast<size_t>(writers), 0), failures(static_cast<size_t>(writers), 0);
  std::vector<std::string> errors(static_cast<size_t>(writers));
  std::latch go(writers + 1);
  Clock::time_point deadline;
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      auto& lat = latencies[static_cast<size_t>(t)];
      const std::string& topic = topics[static_cast<size_t>(t % kAsyncTopics)];
      int32_t queue = (t / kAsyncTopics) % kAsyncQueuesPerTopic;
      Waiter w;
      go.arrive_and_wait();
      for (int64_t seq = 1; Clock::now() < deadline; ++seq) {
        MessageExt m = factory.make(topic, queue, seq);
        {
          std::lock_guard lock(w.mutex);
          w.ready = false;
        }
        auto t0 = Clock::now();
        store->put_message(std::move(m), [&w](Result<PutResult> r) {
          std::lock_guard lock(w.mutex);
          w.ok = r.is_ok();
          w.timeout = r.is_ok() && r->durability != PutResult::Durability::kStored;
          if (!r.is_ok()) w.error = r.status().to_string();
          w.ready = true;
          w.cv.notify_one();
        });
        std::unique_lock lock(w.mutex);
        w.cv.wait(lock, [&] { return w.ready; });
        lat.push_back(ns_between(t0, Clock::now()));
        if (!w.ok) {
          if (failures[static_cast<size_t>(t)]++ == 0) errors[static_cast<size_t>(t)] = w.error;
        } else if (w.timeout) {
          ++timeouts[static_cast<size_t>(t)];
        }
      }
    });
  }
  uint64_t fsyncs_before = store->fsync_count();
  ThreadCounters counters_before = thread_counters();
  auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.sync_seconds));
  go.arrive_and_wait();
  for (auto& th : threads) th.join();
  c.seconds = seconds_since(start);
  c.fsyncs = store->fsync_count() - fsyncs_before;
  ThreadCounters counters_after = thread_counters();
  c.counters = {counters_after.context_switches - counters_before.context_switches,
                counters_after.minor_faults - counters_before.minor_faults};
  store->stop();
  store.reset();
  remove_tree(root);

  std::vector<int64_t> all;
  for (int t = 0; t < writers; ++t) {
    auto& l = latencies[static_cast<size_t>(t)];
    all.insert(all.end(), l.begin(), l.end());
    c.timeouts += timeouts[static_cast<size_t>(t)];
    c.failures += failures[static_cast<size_t>(t)];
    if (c.first_error.empty()) c.first_error = errors[static_cast<size_t>(t)];
  }
  c.messages = static_cast<int64_t>(all.size());
  c.latency = summarize(all);
  return c;
}

void section_sync(const Options& o, const std::string& run_dir, BenchLogger& logger) {
  heading("2. SYNC_FLUSH group commit vs a bare write+fdatasync loop");
  std::printf("each writer puts 1 KiB messages synchronously (waits for the callback before the next put)\n"
              "for %.1f s; fsyncs = the group commit's fdatasync calls during the run.\n",
              o.sync_seconds);
  std::printf("  running the bare loop: write(1 KiB) + fdatasync on a plain file ...\n");
  ::sync();
  FsyncLoop bare = bare_fsync_loop(run_dir + "/bare-fsync", 1024, o.sync_seconds);
  double bare_rate = static_cast<double>(bare.ops) / bare.seconds;
  std::vector<SyncCase> cases;
  for (int w : o.sync_writers) {
    std::printf("  running %d writer(s) ...\n", w);
    cases.push_back(run_sync_case(o, run_dir, w, logger));
  }
  std::printf("\n%-26s %9s %9s %9s %9s %9s %9s %10s %9s %10s\n", "", "msgs/s", "p50", "p99", "max", "fsyncs",
              "fsyncs/s", "msgs/fsync", "vs bare/s", "ctx sw/msg");
  std::printf("%-26s %9s %9s %9s %9s %9s %9s %10s %9s %10.2f\n", "bare write+fdatasync (1)", rate(bare_rate).c_str(),
              micros(bare.latency.p50).c_str(), micros(bare.latency.p99).c_str(), micros(bare.latency.max).c_str(),
              grouped(bare.ops).c_str(), rate(bare_rate).c_str(), "1.0", "1.00x",
              static_cast<double>(bare.context_switches) / std::max<double>(1, static_cast<double>(bare.ops)));
  for (const auto& c : cases) {
    double msgs_rate = static_cast<double>(c.messages) / c.seconds;
    char label[32];
    std::snprintf(label, sizeof label, "store, %d writer%s", c.writers, c.writers == 1 ? "" : "s");
    char per_fsync[32];
    std::snprintf(per_fsync, sizeof per_fsync, "%.1f",
                  c.fsyncs ? static_cast<double>(c.messages) / static_cast<double>(c.fsyncs) : 0.0);
    char vs[32];
    std::snprintf(vs, sizeof vs, "%.2fx", msgs_rate / bare_rate);
    std::printf("%-26s %9s %9s %9s %9s %9s %9s %10s %9s %10.2f\n", label, rate(msgs_rate).c_str(),
                micros(c.latency.p50).c_str(), micros(c.latency.p99).c_str(), micros(c.latency.max).c_str(),
                grouped(static_cast<int64_t>(c.fsyncs)).c_str(),
                rate(static_cast<double>(c.fsyncs) / c.seconds).c_str(), per_fsync, vs,
                static_cast<double>(c.counters.context_switches) / std::max<double>(1, static_cast<double>(c.messages)));
    if (c.timeouts > 0 || c.failures > 0) {
      std::printf("%-26s %s FLUSH_DISK_TIMEOUT, %s failed%s%s\n", "", grouped(c.timeouts).c_str(),
                  grouped(c.failures).c_str(), c.first_error.empty() ? "" : ": ", c.first_error.c_str());
    }
  }
  std::printf("(vs bare/s: store messages per second / bare fdatasyncs per second, the one-writer limit.\n"
              " ctx sw/msg: voluntary context switches of all threads per message (the bare loop's are its\n"
              " fdatasync sleeps); a writer's wait for its callback adds 1.)\n");
  for (const auto& c : cases) {
    if (c.writers == 64) {
      double per = c.fsyncs ? static_cast<double>(c.messages) / static_cast<double>(c.fsyncs) : 0;
      std::printf("aim: 64 sync writers >= 20 messages per fsync: %.1f -> %s\n", per, per >= 20 ? "MET" : "MISSED");
    }
  }
}

// ---- section 3: backlog -------------------------------------------------------------------

struct BacklogEstimate {
  int64_t commit_log = 0, consume_queue = 0, index = 0;
  int64_t total() const { return commit_log + consume_queue + index; }
};

int64_t round_up(int64_t v, int64_t unit) { return (v + unit - 1) / unit * unit; }

BacklogEstimate estimate_store(const StoreConfig& c, int64_t messages, int64_t record_bytes, int queues, bool indexed) {
  BacklogEstimate e;
  // +1 segment: a batch that does not fit rolls to a new segment; +1 MiB of slack per
  // segment for the blank records.
  e.commit_log = round_up(messages * record_bytes + kMiB, c.commit_log_segment_size) + c.commit_log_segment_size;
  int64_t cq_file = c.consume_queue_file_size - c.consume_queue_file_size % 20;
  e.consume_queue = queues * round_up(messages / queues * 20 + 20, cq_file);
  int64_t per_index_file = c.max_index_count - 1;
  e.index = indexed ? round_up(messages, per_index_file) / per_index_file * index_file_bytes(c) : 0;
  return e;
}

struct ReadPass {
  Latency latency;
  int correct = 0;
  std::string first_problem;
  IoCounters io;
};

ReadPass random_reads(MmapMessageStore& store, const std::string& topic, const std::vector<int64_t>& offsets) {
  ReadPass p;
  std::vector<int64_t> ns;
  ns.reserve(offsets.size());
  IoCounters before = io_counters();
  for (int64_t offset : offsets) {
    GetRequest req;
    req.topic = topic;
    req.queue_id = 0;
    req.offset = offset;
    req.max_count = 1;
    auto t0 = Clock::now();
    GetResult r = store.get_messages(req);
    ns.push_back(ns_between(t0, Clock::now()));
    std::string problem;
    if (r.status != GetStatus::kFound || r.records.size() != 1) {
      problem = "status " + std::to_string(static_cast<int>(r.status)) + " with " + std::to_string(r.records.size()) +
                " records";
    } else if (r.records[0].queue_offset != offset) {
      problem = "returned queue offset " + std::to_string(r.records[0].queue_offset);
    } else {
      ParsedRecord parsed = parse_record(r.records[0].data, r.records[0].size, true);
      std::string expected = std::to_string(offset) + " ";
      if (parsed.kind != RecordKind::kMessage) {
        problem = "record does not parse: " + parsed.problem.to_string();
      } else if (parsed.view.queue_offset != offset) {
        problem = "record holds queue offset " + std::to_string(parsed.view.queue_offset);
      } else if (parsed.view.body.substr(0, expected.size()) != expected) {
        problem = "body does not start with its sequence number";
      }
    }
    if (problem.empty()) {
      ++p.correct;
    } else if (p.first_problem.empty()) {
      p.first_problem = "offset " + std::to_string(offset) + ": " + problem;
    }
  }
  IoCounters after = io_counters();
  p.io.read_bytes = after.read_bytes - before.read_bytes;
  p.io.major_faults = after.major_faults - before.major_faults;
  p.latency = summarize(ns);
  return p;
}

void section_backlog(const Options& o, const std::string& run_dir, BenchLogger& logger) {
  heading("3. Backlog: " + grouped(o.backlog) + " messages in one queue");
  std::string root = run_dir + "/backlog";
  StoreConfig config = bench_config(root, FlushDiskType::kAsyncFlush);
  const std::string topic = "BacklogTopic";
  MessageFactory factory(o.backlog_body, o.bare);
  std::printf("%zu B bodies, put_messages batches of %d, ASYNC_FLUSH; %s commit-log segments, %s consume-queue files.\n",
              o.backlog_body, o.backlog_batch, human_bytes(static_cast<double>(config.commit_log_segment_size)).c_str(),
              grouped(config.consume_queue_file_size).c_str());
  ::sync();
  auto store = start_store(config, logger, nullptr);

  PutTally tally;
  PutCallback done = [&tally](Result<PutResult> r) { tally.add(r); };
  auto fill_start = Clock::now();
  auto last_report = fill_start;
  int64_t last_count = 0;
  std::vector<MessageExt> batch;
  for (int64_t i = 0; i < o.backlog;) {
    batch.clear();
    batch.reserve(static_cast<size_t>(o.backlog_batch));
    for (; i < o.backlog && static_cast<int>(batch.size()) < o.backlog_batch; ++i) batch.push_back(factory.make(topic, 0, i));
    store->put_messages(std::move(batch), done);
    batch = {};
    if (tally.failures.load() > 0) die("backlog fill failed at message " + grouped(i) + ": " + tally.first_error);
    auto now = Clock::now();
    if (now - last_report >= std::chrono::seconds(3)) {
      double interval = std::chrono::duration<double>(now - last_report).count();
      std::printf("  fill: %s / %s messages (%.0f%%), %s msgs/s now, %s msgs/s overall, %s dispatched\n",
                  grouped(i).c_str(), grouped(o.backlog).c_str(), 100.0 * static_cast<double>(i) / static_cast<double>(o.backlog),
                  rate(static_cast<double>(i - last_count) / interval).c_str(),
                  rate(static_cast<double>(i) / seconds_since(fill_start)).c_str(),
                  grouped(store->max_offset(topic, 0)).c_str());
      last_report = now;
      last_count = i;
    }
  }
  double fill_s = seconds_since(fill_start);
  auto last_put = Clock::now();
  bool caught_up = store->wait_dispatched(std::chrono::seconds(300));
  double lag_ms = seconds_since(last_put) * 1000;
  auto stop_start = Clock::now();
  store->stop();
  double stop_s = seconds_since(stop_start);
  store.reset();

  DirSize total = dir_size(root);
  DirSize cl = dir_size(config.commit_log_dir), cq = dir_size(config.consume_queue_dir), ix = dir_size(config.index_dir);
  evict_from_page_cache(root);

  IoCounters before = io_counters();
  double start_s = 0;
  store = start_store(config, logger, &start_s);
  IoCounters after = io_counters();
  const RecoveryReport& rec = store->recovery_report();
  int64_t min = store->min_offset(topic, 0), max = store->max_offset(topic, 0);

  std::vector<int64_t> offsets;
  std::mt19937_64 rng(20261122);
  std::uniform_int_distribution<int64_t> pick(0, o.backlog - 1);
  if (o.reads > 0) offsets.push_back(0);
  if (o.reads > 1) offsets.push_back(o.backlog - 1);
  while (static_cast<int>(offsets.size()) < o.reads) offsets.push_back(pick(rng));
  std::shuffle(offsets.begin(), offsets.end(), rng);
  ReadPass cold = random_reads(*store, topic, offsets);
  ReadPass warm = random_reads(*store, topic, offsets);
  store->stop();
  store.reset();

  double mb = static_cast<double>(tally.bytes.load()) / 1e6;
  std::printf("\n");
  std::printf("  %-22s %s messages in %.1f s: %s msgs/s, %.0f MB/s of records (%lld B each)\n", "fill",
              grouped(o.backlog).c_str(), fill_s, rate(static_cast<double>(o.backlog) / fill_s).c_str(), mb / fill_s,
              static_cast<long long>(tally.bytes.load() / o.backlog));
  std::printf("  %-22s %.1f ms after the last put%s\n", "dispatch caught up", lag_ms, caught_up ? "" : " (NOT within 300 s)");
  std::printf("  %-22s %.2f s (final flush and checkpoint)\n", "clean stop", stop_s);
  std::printf("  %-22s %s on disk (%s apparent) in %d files: commit log %s, consume queue %s, index %s\n", "store size",
              human_bytes(static_cast<double>(total.allocated)).c_str(), human_bytes(static_cast<double>(total.apparent)).c_str(),
              total.files, human_bytes(static_cast<double>(cl.allocated)).c_str(),
              human_bytes(static_cast<double>(cq.allocated)).c_str(), human_bytes(static_cast<double>(ix.allocated)).c_str());
  std::printf("  %-22s %.0f ms from start() to ready, page cache evicted first; read %s from disk, %lld major faults\n",
              "restart (cold)", start_s * 1000, human_bytes(static_cast<double>(after.read_bytes - before.read_bytes)).c_str(),
              static_cast<long long>(after.major_faults - before.major_faults));
  std::printf("  %-22s %s records re-read (scan from commit-log offset %s to %s); queue [%s, %s)%s\n", "recovery",
              grouped(rec.records).c_str(), grouped(rec.from).c_str(), grouped(rec.end).c_str(), grouped(min).c_str(),
              grouped(max).c_str(), max == o.backlog && min == 0 ? "" : "  <-- WRONG: expected [0, backlog)");
  auto print_reads = [&](const char* label, const ReadPass& p) {
    std::printf("  %-22s p50 %s, p99 %s, max %s; %d/%zu correct; read %s from disk, %lld major faults\n", label,
                micros(p.latency.p50).c_str(), micros(p.latency.p99).c_str(), micros(p.latency.max).c_str(), p.correct,
                offsets.size(), human_bytes(static_cast<double>(p.io.read_bytes)).c_str(),
                static_cast<long long>(p.io.major_faults));
    if (!p.first_problem.empty()) std::printf("  %-22s first wrong read: %s\n", "", p.first_problem.c_str());
  };
  std::printf("  random get_messages(max_count 1) at %zu offsets across [0, %s), first and last included:\n",
              offsets.size(), grouped(o.backlog).c_str());
  print_reads("  reads, cold cache", cold);
  print_reads("  reads, warm (again)", warm);
  bool reads_ok = cold.correct == static_cast<int>(offsets.size()) && warm.correct == static_cast<int>(offsets.size());
  bool restart_ok = start_s < 5 && rec.records <= o.backlog_batch;
  std::printf("aim: restart in seconds without a rescan: %.2f s, %s records re-read -> %s\n", start_s,
              grouped(rec.records).c_str(), restart_ok ? "MET" : "MISSED");
  std::printf("aim: reads at any offset, fast and right: cold p99 %s, warm p99 %s, %s -> %s\n",
              micros(cold.latency.p99).c_str(), micros(warm.latency.p99).c_str(),
              reads_ok ? "all correct" : "SOME WRONG", reads_ok && cold.latency.p99 < 50000 ? "MET" : "MISSED");
  if (!o.keep) remove_tree(root);
}

// ---- main ---------------------------------------------------------------------------------

// Refuses a run that would not fit, or that would push the disk past the store's
// diskMaxUsedSpaceRatio (where retention starts deleting segments mid-benchmark).
void check_free_space(const Options& o) {
  StoreConfig c = bench_config("/", FlushDiskType::kAsyncFlush);
  int64_t need = 0;
  std::string biggest;
  if (o.run_async) {
    for (size_t body : o.async_sizes) {
      int64_t n = async_messages_for(o, body);
      int64_t rec = MessageFactory(body, o.bare).record_bytes();
      int64_t store = estimate_store(c, n, rec, kAsyncTopics * kAsyncQueuesPerTopic, !o.bare).total();
      int64_t raw = n * rec;  // written after the store's directory is deleted
      if (std::max(store, raw) > need) {
        need = std::max(store, raw);
        biggest = "async " + std::to_string(body) + " B";
      }
    }
  }
  if (o.run_sync) {
    // A few seconds of sync puts stay well inside the first segment.
    int64_t store = c.commit_log_segment_size + (o.bare ? 0 : index_file_bytes(c)) + 16 * c.consume_queue_file_size;
    if (store > need) {
      need = store;
      biggest = "sync";
    }
  }
  if (o.run_backlog) {
    int64_t rec = MessageFactory(o.backlog_body, o.bare).record_bytes();
    int64_t store = estimate_store(c, o.backlog, rec, 1, !o.bare).total();
    if (store > need) {
      need = store;
      biggest = "backlog";
    }
  }
  need += kGiB;  // slack: the raw files, the page cache's writeback, the checkpoint
  DiskSpace d = disk_space(o.parent_dir);
  std::printf("  space     : the largest section (%s) needs about %s; %s free; disk %.0f%% used now, %.0f%% at peak\n",
              biggest.c_str(), human_bytes(static_cast<double>(need)).c_str(), human_bytes(static_cast<double>(d.avail)).c_str(),
              d.usage_percent(0), d.usage_percent(need));
  if (need > d.avail) {
    die("not enough free space in " + o.parent_dir + ": the " + biggest + " section needs about " +
        human_bytes(static_cast<double>(need)) + " and " + human_bytes(static_cast<double>(d.avail)) +
        " is free. Use --dir on a bigger disk, --quick, or a smaller --backlog / --async-messages.");
  }
  if (d.usage_percent(need) >= c.disk_max_used_space_ratio) {
    die("this run would take the disk of " + o.parent_dir + " to " + std::to_string(static_cast<int>(d.usage_percent(need))) +
        "% used, past diskMaxUsedSpaceRatio " + std::to_string(c.disk_max_used_space_ratio) +
        "% where the store's retention deletes segments. Use --dir on a bigger disk, --quick, or a smaller --backlog.");
  }
}

int run(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they happen, even when piped
  Options o = parse_options(argc, argv);
  std::error_code ec;
  fs::create_directories(o.parent_dir, ec);
  if (ec) die("cannot create " + o.parent_dir + ": " + ec.message());
  print_machine(o);
  check_free_space(o);
  std::string tmpl = (fs::path(o.parent_dir) / "store-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) die("cannot create a directory in " + o.parent_dir + ": " + std::strerror(errno));
  const std::string run_dir = tmpl;
  std::printf("  run dir   : %s (%s at the end)\n", run_dir.c_str(), o.keep ? "kept" : "deleted");
  BenchLogger logger(o.verbose);
  auto started = Clock::now();
  if (o.run_async) section_async(o, run_dir, logger);
  if (o.run_sync) section_sync(o, run_dir, logger);
  if (o.run_backlog) section_backlog(o, run_dir, logger);
  if (!o.keep) remove_tree(run_dir);
  std::printf("\nstore_bench finished in %.0f s; %lld store error line(s).\n", seconds_since(started),
              static_cast<long long>(logger.errors()));
  return logger.errors() == 0 ? 0 : 2;
}

}  // namespace
}  // namespace tern::store_mmap

int main(int argc, char** argv) { return tern::store_mmap::run(argc, argv); }
