// spdlog behind tern::Logger. A dist_sink lets loggers made before the log file is known
// (while the config is read) write to the file too once it is added.
#include "runtime/logging.h"

#include <filesystem>
#include <system_error>

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace tern::kernel {

class SinkSet {
 public:
  SinkSet() : dist_(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    dist_->add_sink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    dist_->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v");
  }
  std::shared_ptr<spdlog::sinks::dist_sink_mt> dist_;
  spdlog::level::level_enum level_ = spdlog::level::info;
};

namespace {

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kCritical: return spdlog::level::critical;
  }
  return spdlog::level::info;
}

class SpdLogger final : public Logger {
 public:
  SpdLogger(std::shared_ptr<SinkSet> sinks, std::string name)
      : sinks_(std::move(sinks)), logger_(std::make_shared<spdlog::logger>(std::move(name), sinks_->dist_)) {
    logger_->set_level(spdlog::level::trace);  // the sink set decides
    logger_->flush_on(spdlog::level::warn);
  }
  void log(LogLevel level, std::string_view message) override {
    logger_->log(to_spdlog(level), "{}", message);
  }
  bool should_log(LogLevel level) const override { return to_spdlog(level) >= sinks_->level_; }

 private:
  std::shared_ptr<SinkSet> sinks_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace

LogLevel parse_log_level(std::string_view name) {
  if (name == "TRACE") return LogLevel::kTrace;
  if (name == "DEBUG") return LogLevel::kDebug;
  if (name == "WARN") return LogLevel::kWarn;
  if (name == "ERROR") return LogLevel::kError;
  return LogLevel::kInfo;
}

LogSinks::LogSinks() : sinks_(std::make_shared<SinkSet>()) {}

Status LogSinks::add_rotating_file(const std::string& dir, const std::string& file_name, size_t max_size,
                                   size_t max_files) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::io_error("cannot create log directory " + dir + ": " + ec.message());
  try {
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(dir + "/" + file_name, max_size, max_files);
    file->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l [%n] [%t] %v");
    sinks_->dist_->add_sink(file);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::io_error("cannot open log file " + dir + "/" + file_name + ": " + e.what());
  }
  return Status::ok();
}

void LogSinks::set_level(LogLevel level) { sinks_->level_ = to_spdlog(level); }

std::shared_ptr<Logger> LogSinks::make_logger(std::string name) {
  return std::make_shared<SpdLogger>(sinks_, std::move(name));
}

void LogSinks::flush() { sinks_->dist_->flush(); }

}  // namespace tern::kernel
