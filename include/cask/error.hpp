// Errors thrown by the host API.
//
// cask::Error is a std::system_error carrying either an errno (generic_category) or a
// cask error code (cask::ErrorCategory()), and a message with context, such as
// "create 'web': mount proc on /proc: Operation not permitted".
#pragma once

#include <cstring>
#include <string>
#include <system_error>

namespace cask {

enum class Errc {
  kConfig = 1,    // the configuration is invalid
  kInvalidId,     // a container id is malformed
  kExists,        // a container with that id exists
  kNotFound,      // no container with that id
  kBadState,      // the operation is not allowed in the container's state
  kInitFailed,    // init died or broke the protocol
  kBadArchive,    // a tar stream is malformed, or holds what may not be extracted
  kCorruptState,  // a container's state file cannot be read or contradicts itself
};

}  // namespace cask

// Before any use: e.code() == cask::Errc::kNotFound compares as an error code.
template <>
struct std::is_error_code_enum<cask::Errc> : std::true_type {};

namespace cask {

inline const std::error_category& ErrorCategory() {
  class Category : public std::error_category {
   public:
    const char* name() const noexcept override { return "cask"; }
    std::string message(int code) const override {
      switch (static_cast<Errc>(code)) {
        case Errc::kConfig: return "invalid configuration";
        case Errc::kInvalidId: return "invalid container id";
        case Errc::kExists: return "container exists";
        case Errc::kNotFound: return "container not found";
        case Errc::kBadState: return "container is in the wrong state";
        case Errc::kInitFailed: return "container init failed";
        case Errc::kBadArchive: return "bad archive";
        case Errc::kCorruptState: return "container state is corrupt";
      }
      return "unknown cask error";
    }
  };
  static const Category category;
  return category;
}

inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), ErrorCategory()}; }

class Error : public std::system_error {
 public:
  // An errno error: the message gets ": <strerror>" appended.
  Error(int errno_value, const std::string& message)
      : std::system_error(errno_value, std::generic_category(),
                          message + ": " + std::strerror(errno_value)),
        what_(message + ": " + std::strerror(errno_value)) {}
  // A cask error: the message is complete as given.
  Error(Errc code, const std::string& message)
      : std::system_error(make_error_code(code), message), what_(message) {}
  // An error of any code whose message is complete as given (one a helper process sent).
  Error(std::error_code code, const std::string& message) : std::system_error(code, message), what_(message) {}
  // `error`, with `context` in front of its message: "update 'web': <message>".
  Error(const std::string& context, const Error& error)
      : std::system_error(error.code(), context + ": " + error.what()),
        what_(context + ": " + error.what()),
        step_(error.step_) {}

  const char* what() const noexcept override { return what_.c_str(); }
  // The step of container setup that failed ("mount", "exec", "create_runtime hook"),
  // kept through every context put in front; empty for an error of no step.
  const std::string& step() const { return step_; }

 protected:
  Error(const Error& error, std::string step) : Error(error) { step_ = std::move(step); }

 private:
  std::string what_;
  std::string step_;
};

// An invalid configuration. what() is "<json path>: <reason>".
class ConfigError : public Error {
 public:
  ConfigError(const std::string& path, const std::string& reason)
      : Error(Errc::kConfig, path.empty() ? reason : path + ": " + reason),
        path_(path),
        reason_(reason) {}
  const std::string& path() const { return path_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  std::string reason_;
};

}  // namespace cask
