// The commands on a container that exists: state, list, kill, delete, pause, resume,
// ps; and spec.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "commands.hpp"

namespace {

bool Live(cask::Status status) { return status != cask::Status::kStopped; }

}  // namespace

cask::Container LoadContainer(const cask::Factory& factory, const std::string& id) {
  try {
    return factory.Load(id);
  } catch (const cask::Error& e) {
    if (e.code() == cask::Errc::kNotFound) throw CommandError("container does not exist");
    throw;
  }
}

int State(const cask::Factory& factory, const std::string& id) {
  std::cout << cask::oci::StateJson(LoadContainer(factory, id).State()) << std::flush;
  return 0;
}

int List(const cask::Factory& factory, const std::string& format) {
  std::vector<cask::State> states;
  for (const std::string& id : factory.List()) {
    try {
      states.push_back(factory.Load(id).State());
    } catch (const cask::Error& e) {
      // Gone between List and Load: left out. A broken state hides none of the others.
      if (e.code() != cask::Errc::kNotFound) std::cerr << "cask: list: " << e.what() << "\n";
    }
  }
  if (format == "json") {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& state : states) out.push_back(nlohmann::json::parse(cask::oci::StateJson(state)));
    std::cout << out.dump() << "\n";
    return 0;
  }
  if (format != "table") throw CommandError("--format: \"" + format + "\" is neither table nor json");
  std::printf("%-20s %-8s %-10s %-40s %-24s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (const auto& state : states) {
    const auto json = nlohmann::json::parse(cask::oci::StateJson(state));
    std::printf("%-20s %-8d %-10s %-40s %-24s %s\n", state.id.c_str(), json["pid"].get<int>(),
                json["status"].get<std::string>().c_str(), state.config.bundle.c_str(), state.created.c_str(),
                "root");
  }
  return 0;
}

int Kill(const cask::Factory& factory, const std::string& id, const std::string& signal_name, bool all) {
  const int signal = cask::SignalFromName(signal_name);
  cask::Container container = LoadContainer(factory, id);
  if (!Live(container.Status())) {
    // The shim sends `kill --all ID 9` after init has exited: nothing left is success.
    if (all) return 0;
    throw CommandError("container not running");
  }
  container.Signal(signal, all);
  return 0;
}

int Delete(const cask::Factory& factory, const std::string& id, bool force) {
  std::optional<cask::Container> container;
  try {
    container = LoadContainer(factory, id);
  } catch (const CommandError&) {
    if (!force) throw;
    return 0;  // gone is deleted
  }
  // Forced, the state is not read first: Destroy removes a container whose state is
  // broken too, from what cask recorded for it.
  if (!force) {
    const cask::Status status = container->Status();
    if (status == cask::Status::kRunning || status == cask::Status::kPaused) {
      throw CommandError("cannot delete container " + id + " that is not stopped: " + cask::StatusName(status));
    }
  }
  container->Destroy();
  return 0;
}

int Pause(const cask::Factory& factory, const std::string& id) {
  cask::Container container = LoadContainer(factory, id);
  if (container.Status() != cask::Status::kRunning) throw CommandError("container not running");
  container.Pause();
  return 0;
}

int Resume(const cask::Factory& factory, const std::string& id) {
  cask::Container container = LoadContainer(factory, id);
  if (container.Status() != cask::Status::kPaused) throw CommandError("container not paused");
  container.Resume();
  return 0;
}

int Ps(const cask::Factory& factory, const std::string& id, const std::string& format,
       const std::vector<std::string>& ps_args) {
  cask::Container container = LoadContainer(factory, id);
  const std::vector<pid_t> pids = Live(container.Status()) ? container.Processes() : std::vector<pid_t>{};
  if (format == "json") {
    std::cout << nlohmann::json(pids).dump() << "\n";
    return 0;
  }
  if (format != "table") throw CommandError("--format: \"" + format + "\" is neither table nor json");
  // The host's ps, keeping its header and the rows of the container's pids.
  std::string command = "ps";
  for (const auto& arg : ps_args.empty() ? std::vector<std::string>{"-ef"} : ps_args) {
    command += " '" + arg + "'";
  }
  FILE* ps = popen(command.c_str(), "r");
  if (ps == nullptr) throw cask::Error(errno, "ps: run " + command);
  char line[4096];
  int pid_column = -1;
  for (bool header = true; std::fgets(line, sizeof line, ps) != nullptr; header = false) {
    std::istringstream words(line);
    std::vector<std::string> fields{std::istream_iterator<std::string>(words), {}};
    if (header) {
      pid_column = static_cast<int>(std::find(fields.begin(), fields.end(), "PID") - fields.begin());
      std::cout << line;
      continue;
    }
    if (pid_column >= static_cast<int>(fields.size())) continue;
    const pid_t pid = std::atoi(fields[pid_column].c_str());
    if (std::binary_search(pids.begin(), pids.end(), pid)) std::cout << line;
  }
  if (pclose(ps) != 0 || pid_column < 0) throw CommandError("ps: " + command + " failed, or printed no PID column");
  return 0;
}

int Spec(const std::string& bundle, bool rootless) {
  const std::filesystem::path file = std::filesystem::path(bundle) / "config.json";
  if (std::filesystem::exists(file)) throw CommandError("File " + file.string() + " exists. Remove it first");
  cask::Config config = cask::DefaultConfig();
  config.root.path = "rootfs";
  config.process.terminal = true;  // as runc spec: for `cask run` at a terminal
  if (rootless) {
    // The caller's own ids as root inside; no network namespace of its own to set up.
    config.namespaces.push_back({cask::NamespaceType::kUser, ""});
    std::erase_if(config.namespaces, [](const cask::Namespace& ns) { return ns.type == cask::NamespaceType::kNet; });
    config.uid_mappings = {{0, static_cast<uint32_t>(geteuid()), 1}};
    config.gid_mappings = {{0, static_cast<uint32_t>(getegid()), 1}};
  }
  std::ofstream out(file);
  out << cask::oci::WriteSpec(config);
  if (!out.flush()) throw cask::Error(errno, "write " + file.string());
  return 0;
}
