// Status and Result<T>: the outcome of an operation that can fail in an expected way
// (bad input, missing file, no route, disk full). Unexpected states are not reported
// through Status; they stop the process with TERN_CHECK (see check.h).
//
// A Status is cheap to return when it is OK (no allocation). A failed Status carries a
// code and a message meant for a person: it names the key, file or peer at fault.
//
// Statuses cross the plugin boundary, so a failed one owns a plain heap object that any
// side can copy and delete with inline code: no shared_ptr control block (whose virtual
// functions would live in the plugin and vanish when it is unloaded).
//
// Thread-safety: a Status or Result is a value; distinct objects may be used from any
// thread, a single object needs external synchronisation like any std type.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tern {

class [[nodiscard]] Status {
 public:
  // Codes are stable: plugins compare them across the ABI. Append only.
  enum class Code : int {
    kOk = 0,
    kInvalidArgument = 1,  // bad input from a client or an operator
    kNotFound = 2,         // a named thing does not exist
    kAlreadyExists = 3,
    kIoError = 4,          // the OS refused a read, write, mmap or fsync
    kCorruption = 5,       // bytes on disk or on the wire fail their checks
    kNotSupported = 6,
    kUnavailable = 7,      // temporarily unable (shutting down, disk over limit)
    kTimeout = 8,
    kPermissionDenied = 9,
    kResourceExhausted = 10,  // a size or count limit was passed
    kInternal = 11,           // a dependency failed unexpectedly (exception caught)
  };

  Status() = default;  // OK
  Status(const Status& other) : state_(other.state_ ? new State(*other.state_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) state_.reset(other.state_ ? new State(*other.state_) : nullptr);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status not_found(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status already_exists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status io_error(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status not_supported(std::string msg) { return {Code::kNotSupported, std::move(msg)}; }
  static Status unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status timeout(std::string msg) { return {Code::kTimeout, std::move(msg)}; }
  static Status permission_denied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status resource_exhausted(std::string msg) { return {Code::kResourceExhausted, std::move(msg)}; }
  static Status internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool is_ok() const { return state_ == nullptr; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  bool is_invalid_argument() const { return code() == Code::kInvalidArgument; }
  bool is_not_found() const { return code() == Code::kNotFound; }
  bool is_io_error() const { return code() == Code::kIoError; }
  bool is_corruption() const { return code() == Code::kCorruption; }
  bool is_unavailable() const { return code() == Code::kUnavailable; }
  bool is_timeout() const { return code() == Code::kTimeout; }
  bool is_resource_exhausted() const { return code() == Code::kResourceExhausted; }

  // The message alone ("" when OK).
  const std::string& message() const {
    static const std::string kEmpty;
    return state_ ? state_->message : kEmpty;
  }
  // "OK", or the code's name, a colon and the message.
  std::string to_string() const {
    if (!state_) return "OK";
    return std::string(code_name(state_->code)) + ": " + state_->message;
  }
  // Returns a copy whose message is prefixed by `context` and ": ".
  Status with_context(std::string_view context) const {
    if (!state_) return *this;
    return Status(state_->code, std::string(context) + ": " + state_->message);
  }

  static const char* code_name(Code code) {
    switch (code) {
      case Code::kOk: return "OK";
      case Code::kInvalidArgument: return "Invalid argument";
      case Code::kNotFound: return "Not found";
      case Code::kAlreadyExists: return "Already exists";
      case Code::kIoError: return "IO error";
      case Code::kCorruption: return "Corruption";
      case Code::kNotSupported: return "Not supported";
      case Code::kUnavailable: return "Unavailable";
      case Code::kTimeout: return "Timeout";
      case Code::kPermissionDenied: return "Permission denied";
      case Code::kResourceExhausted: return "Resource exhausted";
      case Code::kInternal: return "Internal error";
    }
    return "Unknown code";
  }

 private:
  struct State {
    Code code;
    std::string message;
  };
  Status(Code code, std::string msg) : state_(new State{code, std::move(msg)}) {}

  std::unique_ptr<State> state_;  // null when OK
};

// A value or a failed Status. Accessing value() of a failed Result is a bug and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).is_ok()) v_ = Status::internal("Result built from an OK Status without a value");
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }

 private:
  T& checked() {
    if (!is_ok()) {
      std::fprintf(stderr, "tern: value() of a failed Result: %s\n", status().to_string().c_str());
      std::abort();
    }
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace tern

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define TERN_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::tern::Status tern_status_ = (expr);   \
    if (!tern_status_.is_ok()) return tern_status_; \
  } while (0)

// Declares `var` (a reference) as the value of `expr`, a Result<T>, or returns its Status
// from the enclosing function when it failed.
#define TERN_ASSIGN_OR_RETURN(var, expr)                        \
  auto var##_result_ = (expr);                                  \
  if (!var##_result_.is_ok()) return var##_result_.status();    \
  auto& var = *var##_result_
