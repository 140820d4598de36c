// The broker's logs: one console sink and one rotating file (<logDir>/broker.log) shared
// by every named logger, each plugin getting its own name. Public code sees tern::Logger;
// spdlog stays behind this header.
//
// Thread-safety: LogSinks and the loggers it makes are safe to use from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tern/logger.h"
#include "tern/status.h"

namespace spdlog {
class logger;
namespace sinks {
class sink;
}
}  // namespace spdlog

namespace tern::kernel {

LogLevel parse_log_level(std::string_view name);  // "INFO" -> kInfo; unknown -> kInfo

class LogSinks {
 public:
  // Console only, for the time before the config is read.
  LogSinks();
  // Adds the rotating file <dir>/<file_name>; creates `dir`. IoError names the directory.
  Status add_rotating_file(const std::string& dir, const std::string& file_name, size_t max_size, size_t max_files);
  void set_level(LogLevel level);
  // A logger named `name` writing to every sink added so far and later.
  std::shared_ptr<Logger> make_logger(std::string name);
  void flush();

 private:
  std::shared_ptr<class SinkSet> sinks_;
};

}  // namespace tern::kernel
