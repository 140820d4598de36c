// ChildProcess: runs a program for an integration test, with stdout and stderr captured
// to a file, and lets the test wait for output, signal it and collect its exit status.
// A child still running when the object dies is killed with SIGKILL, so a failing test
// never leaves a server behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tern::testing {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with its arguments in `cwd`. Aborts the test run on failure.
  ChildProcess(const std::vector<std::string>& argv, const std::string& cwd);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // True once `text` appears in the output; false at the timeout or if the child exits first.
  bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout);
  std::string output() const;
  void signal(int signo);
  // The exit code, or 128 + signal number if a signal ended it; nullopt at the timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string output_path_;
  std::optional<int> status_;
};

struct RunResult {
  int exit_code;
  std::string output;
};

// Runs a program to completion (killing it after `timeout`).
RunResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A TCP port on 127.0.0.1 that was free a moment ago (0 if none could be had). Another
// process may take it before the caller binds it; tests that start servers on it retry or
// accept the rare failure.
int free_port();

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `content` to path()/name and returns its full path.
  std::string write_file(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace tern::testing
