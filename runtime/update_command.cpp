// update: new limits from --resources (a file, or - for stdin) and runc's single-value
// flags, which override the file's values. Both become one linux.resources object, read
// as runc reads it (oci::ParseUpdate: zero leaves a value as it is).
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "commands.hpp"

namespace {

enum class Kind { kSize, kUnsigned, kSigned, kText };

struct UpdateFlag {
  const char* name;
  const char* section;  // in linux.resources
  const char* field;
  Kind kind;
};

// runc's flags (update.go) and where each lands in linux.resources.
constexpr UpdateFlag kFlags[] = {
    {"memory", "memory", "limit", Kind::kSize},
    {"memory-reservation", "memory", "reservation", Kind::kSize},
    {"memory-swap", "memory", "swap", Kind::kSize},
    {"kernel-memory", "memory", "kernel", Kind::kSize},
    {"kernel-memory-tcp", "memory", "kernelTCP", Kind::kSize},
    {"cpu-period", "cpu", "period", Kind::kUnsigned},
    {"cpu-quota", "cpu", "quota", Kind::kSigned},
    {"cpu-share", "cpu", "shares", Kind::kUnsigned},
    {"cpu-rt-period", "cpu", "realtimePeriod", Kind::kUnsigned},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", Kind::kSigned},
    {"cpuset-cpus", "cpu", "cpus", Kind::kText},
    {"cpuset-mems", "cpu", "mems", Kind::kText},
    {"pids-limit", "pids", "limit", Kind::kSigned},
    {"blkio-weight", "blockIO", "weight", Kind::kUnsigned},
};

// A size as runc reads one (docker's RAMInBytes): "1024", "64m", "1.5g", "2GiB", binary
// multiples; "-1" is unlimited.
int64_t ParseSize(const std::string& flag, const std::string& text) {
  if (text == "-1") return -1;
  static const std::regex kSize(R"(^(\d+(\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$)");
  std::smatch match;
  if (!std::regex_match(text, match, kSize)) {
    throw CommandError("--" + flag + ": invalid size \"" + text + "\" (a number of bytes, or with k, m, g, t or p)");
  }
  const std::string units = "kmgtp";
  const double multiplier =
      match[3].matched ? std::pow(1024.0, units.find(static_cast<char>(std::tolower(match[3].str()[0]))) + 1) : 1;
  return static_cast<int64_t>(std::stod(match[1].str()) * multiplier);
}

nlohmann::json FlagValue(const UpdateFlag& flag, const std::string& text) {
  try {
    size_t used = 0;
    switch (flag.kind) {
      case Kind::kSize:
        return ParseSize(flag.name, text);
      case Kind::kText:
        return text;
      case Kind::kSigned: {
        const int64_t value = std::stoll(text, &used);
        if (used == text.size()) return value;
        break;
      }
      case Kind::kUnsigned: {
        const uint64_t value = std::stoull(text, &used);
        if (used == text.size() && text.find('-') == std::string::npos) return value;
        break;
      }
    }
  } catch (const std::logic_error&) {  // stoll's invalid_argument and out_of_range
  }
  throw CommandError(std::string("--") + flag.name + ": invalid number \"" + text + "\"");
}

std::string ReadInput(const std::string& file) {
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) throw cask::Error(errno, "--resources: open " + file);
    text << in.rdbuf();
  }
  return text.str();
}

}  // namespace

void AddUpdateOptions(CLI::App* update, UpdateOptions& options) {
  update->add_option("--resources,-r", options.resources_file, "linux.resources JSON: a file, or - for stdin");
  for (const UpdateFlag& flag : kFlags) {
    update->add_option(std::string("--") + flag.name, options.flags[flag.name],
                       std::string("linux.resources.") + flag.section + "." + flag.field);
  }
  update->add_option("--l3-cache-schema", options.intel_rdt, "Intel RDT: not supported");
  update->add_option("--mem-bw-schema", options.intel_rdt, "Intel RDT: not supported");
  update->add_option("id", options.id)->required();
}

int Update(const cask::Factory& factory, const UpdateOptions& options) {
  cask::Container container = LoadContainer(factory, options.id);
  if (!options.intel_rdt.empty()) throw CommandError("--l3-cache-schema, --mem-bw-schema: cask has no Intel RDT support");
  nlohmann::json resources = nlohmann::json::object();
  if (!options.resources_file.empty()) {
    try {
      resources = nlohmann::json::parse(ReadInput(options.resources_file));
    } catch (const nlohmann::json::parse_error& e) {
      throw CommandError("--resources: " + std::string(e.what()));
    }
  }
  bool any_flag = false;
  for (const UpdateFlag& flag : kFlags) {
    const std::string& text = options.flags.at(flag.name);
    if (text.empty()) continue;
    any_flag = true;
    if (!resources.is_object()) break;  // ParseUpdate says what is wrong with it
    resources[flag.section][flag.field] = FlagValue(flag, text);
  }
  if (options.resources_file.empty() && !any_flag) {
    throw CommandError("update: give the new limits with --resources FILE (or - for stdin), or with flags such as --memory");
  }
  container.Update(cask::oci::ParseUpdate(resources.dump()));
  return 0;
}
