#include "error_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>
#include <system_error>

namespace {

// RFC 3339 in seconds, as logrus writes it: containerd decodes it into a time.Time.
std::string Now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string TextLine(const char* level, const std::string& message) {
  return "time=\"" + Now() + "\" level=" + level + " msg=" + nlohmann::json(message).dump() + "\n";
}

void WriteAll(int fd, const std::string& text) {
  for (std::string_view rest = text; !rest.empty();) {
    const ssize_t n = write(fd, rest.data(), rest.size());
    if (n <= 0) return;  // nowhere left to report to
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

// The value of `--name V` or `--name=V` at argv[i], if that is what it holds.
bool TakeFlag(int argc, char** argv, int& i, std::string_view name, std::string& value) {
  const std::string_view token = argv[i];
  if (token == name && i + 1 < argc) {
    value = argv[++i];
    return true;
  }
  if (token.size() > name.size() && token.substr(0, name.size()) == name && token[name.size()] == '=') {
    value = token.substr(name.size() + 1);
    return true;
  }
  return false;
}

}  // namespace

ErrorLog ErrorLog::FromArgv(int argc, char** argv) {
  std::string path, format;
  // Global flags come before the subcommand, the first token that is not a flag.
  for (int i = 1; i < argc && argv[i][0] == '-'; ++i) {
    if (!TakeFlag(argc, argv, i, "--log", path) && !TakeFlag(argc, argv, i, "--log-format", format)) {
      // Global flags with a value of their own.
      std::string ignored;
      for (const char* flag : {"--root", "--criu", "--rootless"}) {
        if (TakeFlag(argc, argv, i, flag, ignored)) break;
      }
    }
  }
  ErrorLog log;
  log.json_ = format == "json";
  if (!path.empty()) log.file_.reset(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  return log;
}

void ErrorLog::Write(const char* level, const std::string& message) const {
  if (!file_) {
    WriteAll(STDERR_FILENO, TextLine(level, message));
    return;
  }
  WriteAll(file_.get(), json_ ? nlohmann::json{{"level", level}, {"msg", message}, {"time", Now()}}.dump() + "\n"
                              : TextLine(level, message));
}

void ErrorLog::Error(const std::string& message) const {
  Write("error", message);
  if (file_) WriteAll(STDERR_FILENO, message + "\n");
}

void ErrorLog::Warning(const std::string& message) const { Write("warning", message); }

std::string ClientMessage(const std::exception& error) {
  std::string message = error.what();
  const auto* system = dynamic_cast<const std::system_error*>(&error);
  if (system == nullptr || system->code().category() != std::generic_category()) return message;
  const std::string text = std::strerror(system->code().value());
  if (message.size() < text.size() || message.compare(message.size() - text.size(), text.size(), text) != 0) {
    return message;
  }
  for (size_t i = message.size() - text.size(); i < message.size(); ++i) {
    message[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[i])));
  }
  return message;
}
