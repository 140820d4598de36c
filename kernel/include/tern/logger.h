// Logger: how plugins and kernel services write to the broker's log (console and the
// rotating file under logDir). Each plugin gets a logger named after it.
//
// Messages are built by concatenating the arguments with operator<<, so plugins need no
// formatting library: `log.info("listening on ", addr, " with ", n, " threads")`.
//
// Thread-safety: all methods are safe to call from any thread.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace tern {

enum class LogLevel : int { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4, kCritical = 5 };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message) = 0;
  virtual bool should_log(LogLevel level) const = 0;

  template <typename... Args> void trace(const Args&... args) { write(LogLevel::kTrace, args...); }
  template <typename... Args> void debug(const Args&... args) { write(LogLevel::kDebug, args...); }
  template <typename... Args> void info(const Args&... args) { write(LogLevel::kInfo, args...); }
  template <typename... Args> void warn(const Args&... args) { write(LogLevel::kWarn, args...); }
  template <typename... Args> void error(const Args&... args) { write(LogLevel::kError, args...); }
  template <typename... Args> void critical(const Args&... args) { write(LogLevel::kCritical, args...); }

 private:
  template <typename... Args>
  void write(LogLevel level, const Args&... args) {
    if (!should_log(level)) return;
    std::ostringstream out;
    (out << ... << args);
    log(level, out.str());
  }
};

}  // namespace tern
