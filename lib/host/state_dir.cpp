// A container's state directory, <root>/<id>: state.json, which every change rewrites,
// and cgroup.json, which Create writes once, before it makes any cgroup. The record is
// apart so that a broken state.json hides no cgroup from Destroy, and so that a
// state.json naming other cgroups than the record is refused instead of acted on.
#include <cask/config_json.hpp>
#include <cask/state_json.hpp>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cgroup/manager.hpp"
#include "common/text.hpp"
#include "host/factory_impl.hpp"
#include "host/proc.hpp"

namespace cask {
namespace {

constexpr char kStateFile[] = "state.json";
constexpr char kStateTmp[] = "state.json.tmp";
constexpr char kCgroupRecord[] = "cgroup.json";
constexpr char kExecFifo[] = "exec.fifo";

// The whole of `name` in the directory `dir`, never through a symbolic link; false with
// errno set where it cannot be read.
bool ReadIn(int dir, const char* name, std::string& text) {
  unique_fd fd(openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  return fd && ReadAllFrom(fd.get(), text);
}

// Why no Create of cask makes these directories, or "" when one may: each lies below
// /sys/fs/cgroup, without "..", and is not the root of its hierarchy (whose KillAll
// would end every process of the machine).
std::string ImplausibleCgroups(const std::map<std::string, std::string>& paths) {
  for (const auto& [hierarchy, dir] : paths) {
    const std::filesystem::path path(dir);
    // The v2 root is /sys/fs/cgroup itself; a v1 root (or "unified") one level below.
    const long root_depth = hierarchy.empty() ? 4 : 5;
    if (!dir.starts_with("/sys/fs/cgroup/") || path.lexically_normal() != path ||
        std::distance(path.begin(), path.end()) <= root_depth) {
      return "\"" + dir + "\" is no cgroup that cask makes";
    }
  }
  return "";
}

Error Corrupt(const std::string& id, const std::string& file, const std::string& reason) {
  return Error(Errc::kCorruptState, "read state of '" + id + "': " + file + ": " + reason);
}

}  // namespace

unique_fd FactoryImpl::OpenStateDir(const std::string& id) const {
  unique_fd dir(open(StateDir(id).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dir) return dir;
  if (errno == ENOENT) throw Error(Errc::kNotFound, "container '" + id + "' does not exist in " + root);
  if (errno == ENOTDIR || errno == ELOOP) {
    throw Error(Errc::kCorruptState, "read state of '" + id + "': " + StateDir(id) + " is not a directory");
  }
  throw Error(errno, "open state of '" + id + "'");
}

unique_fd FactoryImpl::LockState(const std::string& id) const {
  unique_fd dir = OpenStateDir(id);
  while (flock(dir.get(), LOCK_EX) != 0) {
    if (errno != EINTR) throw Error(errno, "lock state of '" + id + "'");
  }
  // Removed while this waited (a Destroy, or a Create undoing itself, held the lock).
  struct stat st {};
  if (fstat(dir.get(), &st) != 0 || st.st_nlink == 0) {
    throw Error(Errc::kNotFound, "container '" + id + "' does not exist in " + root);
  }
  return dir;
}

bool FactoryImpl::Abandoned(const std::string& id) const {
  if (id.empty() || id.front() == '.') return false;  // .seccomp, not a container
  unique_fd dir(open(StateDir(id).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  // Locked, it is a Create or a Destroy at work; free, its host died in one of them.
  if (!dir || flock(dir.get(), LOCK_EX | LOCK_NB) != 0) return false;
  // Nothing else is there: what a Create makes before the state, or a Destroy leaves
  // after it removed the state. Another directory in the root is none of cask's.
  std::error_code ec;
  for (std::filesystem::directory_iterator it(StateDir(id), ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename();
    if (name != kStateTmp && name != kCgroupRecord && name != kExecFifo && name != kPausedMark) return false;
  }
  return !ec;
}

void FactoryImpl::RecordCgroups(const std::string& id, const std::map<std::string, std::string>& paths) const {
  const std::string file = StateDir(id) + "/" + kCgroupRecord;
  const std::string text = nlohmann::json(paths).dump();
  unique_fd fd(open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw Error(errno, "create '" + id + "': write " + file);
  }
}

std::optional<std::map<std::string, std::string>> FactoryImpl::RecordedCgroups(const std::string& id,
                                                                               int dir) const {
  const std::string file = StateDir(id) + "/" + kCgroupRecord;
  std::string text;
  if (!ReadIn(dir, kCgroupRecord, text)) {
    if (errno == ENOENT) return std::nullopt;  // a state older than the record
    throw Corrupt(id, file, std::strerror(errno));
  }
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  std::map<std::string, std::string> paths;
  if (!json.is_object()) throw Corrupt(id, file, "not a JSON object");
  for (const auto& [hierarchy, dir_json] : json.items()) {
    if (!dir_json.is_string()) throw Corrupt(id, file, "\"" + hierarchy + "\" is not a string");
    paths[hierarchy] = dir_json.get<std::string>();
  }
  if (std::string why = ImplausibleCgroups(paths); !why.empty()) throw Corrupt(id, file, why);
  return paths;
}

std::optional<State> FactoryImpl::ReadStateFile(const std::string& id, int dir) const {
  const std::string file = StateDir(id) + "/" + kStateFile;
  std::string text;
  if (!ReadIn(dir, kStateFile, text)) {
    if (errno == ENOENT) return std::nullopt;
    throw Corrupt(id, file, std::strerror(errno));
  }
  State state;
  try {
    // Parse: a syntax error reads "invalid JSON: parse error at line 1, column 1: ...".
    state = StateFromJson(json_detail::Parse(text));
  } catch (const nlohmann::json::exception& e) {
    throw Corrupt(id, file, e.what());
  } catch (const Error& e) {
    throw Corrupt(id, file, e.what());
  }
  if (state.id != id) throw Corrupt(id, file, "it is the state of '" + state.id + "'");
  if (auto recorded = RecordedCgroups(id, dir)) {
    if (*recorded != state.cgroup_paths) {
      throw Corrupt(id, file, std::string("its cgroup_paths are not those that Create recorded in ") + kCgroupRecord);
    }
  } else if (std::string why = ImplausibleCgroups(state.cgroup_paths); !why.empty()) {
    throw Corrupt(id, file, "cgroup_paths: " + why);
  }
  return state;
}

State FactoryImpl::ReadState(const std::string& id) const {
  unique_fd dir = OpenStateDir(id);
  if (auto state = ReadStateFile(id, dir.get())) return *state;
  if (!Abandoned(id)) throw Error(Errc::kNotFound, "container '" + id + "' does not exist in " + root);
  State state;  // its Create wrote nothing yet: the directory is all there is
  state.id = id;
  state.status = Status::kCreating;
  return state;
}

std::map<std::string, std::string> FactoryImpl::UnstatedCgroups(const std::string& id, int dir, bool broken) const {
  try {
    if (auto recorded = RecordedCgroups(id, dir)) return *recorded;
  } catch (const Error& e) {
    if (e.code() != Errc::kCorruptState) throw;
    broken = true;
  }
  // No record: a Create that died before it wrote one made nothing; a broken state
  // older than the record had the id's default cgroup, unless its config named another.
  if (!broken) return {};
  return cgroup::Manager::PathsFor(DefaultCgroupPath(id));
}

State FactoryImpl::StateToDestroy(const std::string& id, int locked_dir, const std::string& context) const {
  State state;
  state.id = id;
  state.status = Status::kCreating;
  if (locked_dir < 0) {  // no directory to read
    state.cgroup_paths = cgroup::Manager::PathsFor(DefaultCgroupPath(id));
    return state;
  }
  bool broken = false;
  try {
    if (auto read = ReadStateFile(id, locked_dir)) return *read;
  } catch (const Error& e) {
    if (e.code() != Errc::kCorruptState) throw;
    Log(context + ": " + e.what() + "; removing the cgroups that cask recorded for it");
    broken = true;
  }
  // No state, and the lock held: a Create that died before it wrote the state, or a
  // broken state.
  state.cgroup_paths = UnstatedCgroups(id, locked_dir, broken);
  return state;
}

void FactoryImpl::WriteState(const State& state) const {
  std::string dir = StateDir(state.id);
  std::string tmp = dir + "/" + kStateTmp;
  std::string text = ToJson(state).dump(2);
  unique_fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      rename(tmp.c_str(), (dir + "/" + kStateFile).c_str()) != 0) {
    throw Error(errno, "write state of '" + state.id + "'");
  }
}

State FactoryImpl::CurrentState(const std::string& id) const {
  State state = ReadState(id);
  if (state.status == Status::kCreating) return state;  // Create has not finished
  if (!IsSameLiveProcess(state.init_pid, state.init_start_time)) {
    state.status = Status::kStopped;
  } else if (access((StateDir(id) + "/exec.fifo").c_str(), F_OK) == 0) {
    state.status = Status::kCreated;
  } else if (state.status != Status::kPaused) {
    state.status = Status::kRunning;
  }
  return state;
}

State FactoryImpl::UpdateState(const std::string& id, const std::function<void(State&)>& change) const {
  unique_fd lock = LockState(id);
  State state = CurrentState(id);
  change(state);
  WriteState(state);
  return state;
}

}  // namespace cask
