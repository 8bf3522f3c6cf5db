// The error channel of an OCI runtime (OCI-RUNTIME.md, section 3). The --log file is
// created at the start of every command, even one that then fails on its arguments;
// a failure writes exactly one error line to it (logrus's shape: JSON with
// --log-format json, else text) and the bare message to stderr. Without --log, stderr
// gets the text line. Success writes nothing.
#pragma once

#include <cask/unique_fd.hpp>

#include <exception>
#include <string>

class ErrorLog {
 public:
  // Finds --log and --log-format in argv (the last of each wins), before the parser
  // runs, so that an error in the arguments is logged too.
  static ErrorLog FromArgv(int argc, char** argv);

  void Error(const std::string& message) const;
  // For hooks that failed after the fact (poststart, poststop): logged, not fatal.
  void Warning(const std::string& message) const;

 private:
  void Write(const char* level, const std::string& message) const;
  cask::unique_fd file_;
  bool json_ = false;
};

// An error's message in the words runc's clients match: Go writes errno text in lower
// case ("permission denied"), and docker's exit 126 or 127 depends on it.
std::string ClientMessage(const std::exception& error);
