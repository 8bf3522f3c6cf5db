#include <cask/defaults.hpp>
#include <cask/factory.hpp>
#include <cask/id.hpp>
#include <cask/namespaces.hpp>
#include <cask/state_json.hpp>
#include <cask/validate.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <fmt/format.h>

#include "cgroup/manager.hpp"
#include "host/cgroup_resources.hpp"
#include "host/crash_point.hpp"
#include "common/hooks.hpp"
#include "host/idmapped_mounts.hpp"
#include "host/init_binary.hpp"
#include "host/launch.hpp"
#include "host/proc.hpp"
#include "host/rfc3339.hpp"
#include "common/step_error.hpp"
#include "host/undo.hpp"
#include "net/net.hpp"

namespace cask {
namespace {

// Namespaces the host makes at clone time when nothing is joined. Init always unshares
// two itself: time, whose offsets must be written before anything enters it, and
// cgroup, which must be made after init is placed in its cgroup so that it is the root.
void PlanNamespaces(const Config& config, Bootstrap& b, unsigned long& clone_flags) {
  bool joins = std::any_of(config.namespaces.begin(), config.namespaces.end(),
                           [](const Namespace& ns) { return !ns.path.empty(); });
  for (const auto& ns : config.namespaces) {
    if (!ns.path.empty()) {
      b.join.push_back(ns);
    } else if (ns.type == NamespaceType::kTime || ns.type == NamespaceType::kCgroup || joins) {
      b.unshare_flags |= CloneFlag(ns.type);
    } else {
      clone_flags |= CloneFlag(ns.type);
    }
  }
  // The user namespace first: it owns the others.
  std::stable_partition(b.join.begin(), b.join.end(),
                        [](const Namespace& ns) { return ns.type == NamespaceType::kUser; });
  b.fork = joins && config.HasNamespace(NamespaceType::kPid);
  const Namespace* user = config.FindNamespace(NamespaceType::kUser);
  b.new_user_namespace = user != nullptr && user->path.empty();
}

// Why a memory limit may have stopped init before it was ready: the OOM killer killed
// it, or (v2: an exec charged past memory.max fails) the limit was hit; "" for neither,
// or where that cannot be read.
std::string MemoryLimitVerdict(const cgroup::Manager& cgroup) {
  try {
    if (cgroup.OomKillCount() > 0) return "the OOM killer ended it";
    const Stats stats = cgroup.GetStats();
    if (stats.memory && stats.memory->failcnt.value_or(0) > 0) return "it hit its memory limit";
  } catch (const Error&) {
  }
  return "";
}

}  // namespace

std::string InitArgs::DefaultInitPath() { return CASK_INIT_PATH; }

InitArgs::Spawn InitArgs::DefaultSpawn() {
  const char* spawn = std::getenv("CASK_INIT_SPAWN");
  return spawn != nullptr && std::string_view(spawn) == "fork-server" ? Spawn::kForkServer : Spawn::kExec;
}

int FactoryImpl::InitBinaryFd() const {
  std::lock_guard lock(init_binary_mutex);
  if (!init_binary) {
    InitBinary binary = OpenInitBinary(init.path, root + "/.init-layer");
    // A warning: each Factory of a one-container-per-run program pays a copy.
    if (!binary.copy_reason.empty()) Log("init binary " + init.path + ": a sealed copy: " + binary.copy_reason);
    init_binary = std::move(binary.fd);
  }
  return init_binary.get();
}

void FactoryImpl::Log(std::string_view line) const {
  std::lock_guard lock(mutex);
  if (logger) logger(line);
}

namespace {

// FNV-1a: names a cache file; the file holds the whole profile, which is compared.
std::string Fnv1a(const std::string& text) {
  uint64_t hash = 0xcbf29ce484222325;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001b3;
  char name[17];
  std::snprintf(name, sizeof(name), "%016llx", static_cast<unsigned long long>(hash));
  return name;
}

}  // namespace

// Compiled programs are also kept in <root>/.seccomp/ (not a container: no state.json),
// so that a program that makes one container per process (nsinit) compiles a profile once
// per machine, not once per container. The root is root's; a file whose profile differs
// from the one asked for is ignored and rewritten.
std::shared_ptr<const SealedSeccomp> FactoryImpl::CompiledSeccomp(const Seccomp& profile) const {
  const auto cached = [&]() -> std::shared_ptr<const SealedSeccomp> {
    for (const auto& [known, sealed] : seccomp_cache) {
      if (known == profile) return sealed;
    }
    return nullptr;
  };
  {
    std::lock_guard lock(mutex);
    if (auto sealed = cached()) return sealed;
  }
  // How CompileSeccomp compiles is in the key: a program that an older cask compiled (a
  // list where it now makes a tree) is not taken.
  const std::string key = "v2 " + json_detail::Write(profile).dump();
  const std::string dir = root + "/.seccomp";
  const std::string file = dir + "/" + Fnv1a(key);
  std::optional<SeccompProgram> program;
  if (std::ifstream in{file, std::ios::binary}) {
    // An entry that does not read back whole is a miss, rebuilt below: never fatal.
    program = FromCacheEntry(std::string(std::istreambuf_iterator<char>(in), {}), key);
  }
  if (!program) {
    // Compiled outside the lock: two threads may both compile a new profile, once.
    program = CompileSeccomp(profile);
    mkdir(dir.c_str(), 0700);
    // Per thread: two threads of one process may write the same entry at once.
    const std::string tmp = fmt::format("{}.{}.tmp", file, gettid());
    std::ofstream out(tmp, std::ios::binary);
    out << CacheEntry(key, *program);
    out.close();
    // A cache: best effort, but never a short entry in place.
    if (!out || rename(tmp.c_str(), file.c_str()) != 0) unlink(tmp.c_str());
  }
  auto sealed = std::make_shared<const SealedSeccomp>(SealProgram(*program));
  std::lock_guard lock(mutex);
  if (auto other = cached()) return other;  // another thread was first
  seccomp_cache.emplace_back(profile, sealed);
  return sealed;
}

void FactoryImpl::Track(const std::string& id, std::shared_ptr<ChildRecord> child) {
  std::lock_guard lock(mutex);
  // Forget children already reaped by their Process::Wait.
  std::erase_if(children, [](const auto& entry) {
    std::lock_guard child_lock(entry.second->mutex);
    return entry.second->status.has_value();
  });
  children.emplace(id, std::move(child));
}

void FactoryImpl::ReleaseMounts(const std::string& id) {
  unique_fd held;
  {
    std::lock_guard lock(mutex);
    auto it = held_mounts.find(id);
    if (it == held_mounts.end()) return;
    held = std::move(it->second);
    held_mounts.erase(it);
  }
}  // closed here, outside the lock: the unmounting takes a while

void FactoryImpl::ReapAll(const std::string& id) {
  std::vector<std::shared_ptr<ChildRecord>> mine;
  {
    std::lock_guard lock(mutex);
    auto [begin, end] = children.equal_range(id);
    for (auto it = begin; it != end; ++it) mine.push_back(it->second);
    children.erase(begin, end);
  }
  // Newest first: init, the oldest, cannot finish dying while an exec'd process of its
  // pid namespace (our child, by CLONE_PARENT) is an unreaped zombie.
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) (*it)->Wait();
}

std::vector<std::shared_ptr<ChildRecord>> FactoryImpl::Children(const std::string& id) const {
  std::lock_guard lock(mutex);
  std::vector<std::shared_ptr<ChildRecord>> mine;
  auto [begin, end] = children.equal_range(id);
  for (auto it = begin; it != end; ++it) mine.push_back(it->second);
  return mine;
}

Container FactoryImpl::Create(const std::string& id, const Config& config, Process& process,
                              unique_fd* start_channel) {
  auto phases = record_phases ? std::make_shared<PhaseLog>() : nullptr;
  Mark(phases, "create");
  ValidateId(id);
  config.Validate();
  ValidateProcess(process, "process");
  if (process.args.empty() && !start_channel) throw ConfigError("process.args", "no command to run");
  const std::string context = "create '" + id + "'";
  // Every error names the create, also one of a step deep down (a socketpair at the
  // fd limit).
  try {
    return Make(id, config, process, context, phases, start_channel);
  } catch (const ConfigError&) {
    throw;  // names its field, and stays a ConfigError
  } catch (const Error& e) {
    if (std::string_view(e.what()).starts_with(context)) throw;
    throw Error(context, e);
  }
}

Container FactoryImpl::Make(const std::string& id, const Config& config, Process& process,
                            const std::string& context, const std::shared_ptr<PhaseLog>& phases,
                            unique_fd* start_channel) {
  struct stat st {};
  if (stat(config.root.path.c_str(), &st) != 0) throw Error(errno, context + ": root.path " + config.root.path);
  if (!S_ISDIR(st.st_mode)) throw Error(ENOTDIR, context + ": root.path " + config.root.path);
  const std::string dir = StateDir(id);
  if (mkdir(dir.c_str(), 0711) != 0) {
    if (errno == EEXIST) throw Error(Errc::kExists, context + ": a container with this id exists");
    throw Error(errno, context + ": make state directory " + dir);
  }
  Undo undo;
  undo.Add([dir] { std::filesystem::remove_all(dir); });
  // Held until Create returns: a directory without state.json whose lock is free is
  // what a host that died just now left (Abandoned).
  unique_fd lock(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!lock || flock(lock.get(), LOCK_EX) != 0) throw Error(errno, context + ": lock state directory");
  // Empty and unlocked until just now, it may have been taken for a dead Create's.
  if (struct stat made {}; fstat(lock.get(), &made) != 0 || made.st_nlink == 0) {
    undo.Dismiss();  // the path is no longer this Create's
    throw Error(EAGAIN, context + ": the state directory was removed as it was made (by a Recover)");
  }
  CrashPoint("create:state-dir");
  // From here on, whatever Create makes is named in the state first, so that a host
  // that dies in the middle leaves a container that List shows and Destroy removes.
  const std::string cgroup_path = config.cgroup.path.empty() ? DefaultCgroupPath(id) : config.cgroup.path;
  State state;
  state.id = id;
  state.status = Status::kCreating;
  state.created = Rfc3339(std::chrono::system_clock::now());
  state.cgroup_paths = cgroup::Manager::PathsFor(cgroup_path);
  state.config = config;
  RecordCgroups(id, state.cgroup_paths);
  CrashPoint("create:recorded");
  WriteState(state);
  CrashPoint("create:state-written");
  const std::string fifo_path = dir + "/exec.fifo";
  // 0622 whatever the umask: init opens it for writing after it changed user.
  if (mkfifo(fifo_path.c_str(), 0622) != 0 || chmod(fifo_path.c_str(), 0622) != 0) {
    throw Error(errno, context + ": make exec fifo");
  }
  unique_fd fifo(open(fifo_path.c_str(), O_PATH | O_CLOEXEC));
  if (!fifo) throw Error(errno, context + ": open exec fifo");
  Mark(phases, "state");

  std::shared_ptr<cgroup::Manager> cgroup;
  try {
    cgroup = cgroup::Manager::Create(cgroup_path, CgroupResources(config));
  } catch (const Error& e) {
    throw Error(context, e);
  }
  undo.Add([cgroup] { cgroup->Destroy(); });
  CrashPoint("create:cgroup");
  Mark(phases, "cgroups");

  LaunchRequest request;
  request.context = context;
  request.phases = phases;
  request.fifo = std::move(fifo);
  request.idmapped_trees = MakeIdmappedTrees(config, context);
  request.cgroup_fd = cgroup->BirthFd();
  request.bootstrap.mode = Bootstrap::Mode::kCreate;
  request.bootstrap.id = id;
  request.bootstrap.config = config;
  request.bootstrap.process = process;
  request.bootstrap.process_at_start = start_channel != nullptr;
  PlanNamespaces(config, request.bootstrap, request.clone_flags);
  const auto write_id_maps = [&](pid_t pid) {
    WriteIdMap(pid, "uid_map", config.uid_mappings, context);
    WriteIdMap(pid, "gid_map", config.gid_mappings, context);
  };
  // A user namespace made at clone time gets its maps before init execs, so that init
  // execs as root of the namespace and keeps its capabilities there.
  if (request.bootstrap.new_user_namespace && (request.clone_flags & CLONE_NEWUSER) != 0) {
    request.before_exec = write_id_maps;
  }
  request.setup = [&](pid_t pid) {
    CrashPoint("create:spawned");
    if (request.bootstrap.new_user_namespace && !request.before_exec) write_id_maps(pid);
    if (!request.cgroup_fd) cgroup->Apply(pid);  // else init was born there
    for (const auto& network : config.networks) {
      if (network.type != "veth") continue;
      std::string netns = fmt::format("/proc/{}/ns/net", pid);
      unique_fd netns_fd(open(netns.c_str(), O_RDONLY | O_CLOEXEC));
      if (!netns_fd) throw Error(errno, context + ": open " + netns);
      try {
        net::CreateVeth(network, netns_fd.get());
      } catch (const StepError& e) {
        throw Error(context + ": network " + network.name, e);
      }
      undo.Add([network] { net::DeleteLink(network.host_name, network.host_netns); });
    }
    // prestart (deprecated by OCI) runs where create_runtime does, first, as runc does.
    try {
      const nlohmann::json hook_state = HookState(id, "creating", pid, config);
      RunHooks(config.hooks.prestart, hook_state, "prestart");
      RunHooks(config.hooks.create_runtime, hook_state, "create_runtime");
    } catch (const StepError& e) {
      throw Error(context, e);
    }
  };
  // Init's pid is on disk before init can be ready: a host that dies from here on leaves
  // a container that List shows and Destroy removes, never an init waiting unseen at
  // the barrier. Written while init mounts, so it costs no time. The status stays
  // creating until Create returns, so that Recover tells a Create that died after
  // init was ready from a container that is created and waits for its Start.
  request.setting_up = [&](pid_t pid) {
    state.init_pid = pid;
    state.init_start_time = ProcessStartTime(pid);
    for (const auto& ns : config.namespaces) {
      state.namespace_paths[std::string(NamespaceName(ns.type))] =
          ns.path.empty() ? fmt::format("/proc/{}/ns/{}", pid, ProcNsName(ns.type)) : ns.path;
    }
    WriteState(state);
    CrashPoint("create:setting-up");
  };
  std::shared_ptr<ChildRecord> child;
  try {
    child = Launch(*this, request, process);
  } catch (const Error& e) {
    // A memory limit below what init needs: the limit, not init, is to blame.
    const std::string verdict = e.code() == Errc::kInitFailed ? MemoryLimitVerdict(*cgroup) : "";
    if (verdict.empty()) throw;
    throw Error(e.code(), std::string(e.what()) + ": " + verdict + " (is cgroup.resources.memory.limit too low?)");
  }
  child->phases = phases;
  if (start_channel) {
    *start_channel = std::move(request.init_channel);
  } else if (phases) {
    std::lock_guard lock(phases->mutex);
    phases->init_channel = std::move(request.init_channel);
  }
  Track(id, child);
  CrashPoint("create:ready");
  state.status = Status::kCreated;
  WriteState(state);
  CrashPoint("create:created");
  undo.Dismiss();
  if (phases) {
    Mark(phases, "created");
    std::lock_guard lock(mutex);
    phase_logs[id] = phases;  // a log of an earlier container of this id goes
  }
  return MakeContainer(id, config);
}

Factory Factory::New(const std::string& root, InitArgs init) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) throw Error(ec.value(), "make state root " + root);
  if (chmod(root.c_str(), 0700) != 0) throw Error(errno, "chmod state root " + root);
  auto impl = std::make_shared<FactoryImpl>();
  impl->root = std::filesystem::absolute(root).lexically_normal().string();
  impl->init = std::move(init);
  return Factory(std::move(impl));
}

Container Factory::Create(const std::string& id, const Config& config, Process& process) {
  return impl_->Create(id, config, process);
}

Container Factory::Create(const std::string& id, const Config& config) {
  Process process(config.process);
  return impl_->Create(id, config, process);
}

Container Factory::Run(const std::string& id, const Config& config, Process& process) {
  Container container = impl_->Create(id, config, process);
  try {
    container.Start();
  } catch (...) {
    container.Destroy();
    throw;
  }
  return container;
}

Container Factory::Load(const std::string& id) const {
  ValidateId(id);
  try {
    return impl_->MakeContainer(id, impl_->ReadState(id).config);
  } catch (const Error& e) {
    // Its State() says what is wrong, and its Destroy removes what cask made for it.
    if (e.code() != Errc::kCorruptState) throw;
  }
  return impl_->MakeContainer(id, DefaultConfig());
}

std::optional<Container> Factory::Find(const std::string& id) const {
  ValidateId(id);
  struct stat st {};
  if (lstat(impl_->StateDir(id).c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
  try {
    return Load(id);
  } catch (const Error& e) {
    if (e.code() != Errc::kNotFound) throw;  // removed meanwhile
  }
  return std::nullopt;
}

std::vector<std::string> Factory::List() const {
  std::vector<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator(impl_->root)) {
    if (!entry.is_directory()) continue;
    const std::string id = entry.path().filename().string();
    if (std::filesystem::exists(entry.path() / "state.json") || impl_->Abandoned(id)) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

const std::string& Factory::Root() const { return impl_->root; }

void Factory::SetLogger(LogCallback logger) {
  std::lock_guard lock(impl_->mutex);
  impl_->logger = std::move(logger);
}

void Factory::RecordPhases(bool on) {
  std::lock_guard lock(impl_->mutex);
  impl_->record_phases = on;
  if (!on) impl_->phase_logs.clear();
}

std::shared_ptr<PhaseLog> FactoryImpl::PhaseLogOf(const std::string& id) const {
  std::lock_guard lock(mutex);
  auto it = phase_logs.find(id);
  return it == phase_logs.end() ? nullptr : it->second;
}

}  // namespace cask
