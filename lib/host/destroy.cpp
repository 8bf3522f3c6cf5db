// What removes containers: Container::Destroy, and Factory::Recover for those whose
// host is gone.
#include <cask/container.hpp>
#include <cask/factory.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>

#include "cgroup/manager.hpp"
#include "common/hooks.hpp"
#include "host/crash_point.hpp"
#include "host/factory_impl.hpp"
#include "host/proc.hpp"
#include "net/net.hpp"

namespace cask {

void FactoryImpl::Remove(const std::string& id, int locked_dir, const std::string& context) {
  State state = StateToDestroy(id, locked_dir, context);
  // No cgroup paths: a Create that died before it wrote them made none.
  auto cgroup = state.cgroup_paths.empty() ? nullptr : cgroup::Manager::Load(state.cgroup_paths);
  if (cgroup) cgroup->KillAll();
  if (state.init_pid > 0) {
    if (unique_fd pidfd = OpenInit(state)) syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
  }
  ReapAll(id);
  ReleaseMounts(id);
  CrashPoint("destroy:killed");
  if (cgroup) cgroup->Destroy();
  CrashPoint("destroy:cgroups-removed");
  for (const auto& network : state.config.networks) {
    if (network.type == "veth") net::DeleteLink(network.host_name, network.host_netns);
  }
  // The state first: an Events watcher tells the files removed after it from a Start's.
  // Without a directory (a link in its place), the link alone goes.
  std::error_code ec;
  if (locked_dir >= 0) std::filesystem::remove(StateDir(id) + "/state.json", ec);
  CrashPoint("destroy:state-removed");
  if (!ec) std::filesystem::remove_all(StateDir(id), ec);
  if (ec) throw Error(ec.value(), context + ": remove state directory");
  // As OCI says: a failing poststop hook is logged, and the destroy stands.
  RunHooksWarning(state.config.hooks.poststop, HookState(id, "stopped", 0, state.config), "poststop",
                  [&](const std::string& warning) { Log(context + ": " + warning); });
}

void Container::Destroy() {
  const std::string context = Quoted("destroy", id_);
  std::shared_ptr<PhaseLog> phases = factory_->PhaseLogOf(id_);
  Mark(phases, "destroy");
  // Under the state's lock: a Create, Pause or Update of it elsewhere finishes first,
  // and finds it gone after.
  unique_fd lock;
  try {
    lock = factory_->LockState(id_);
  } catch (const Error& e) {
    if (e.code() == Errc::kNotFound) {  // destroyed already, maybe from elsewhere
      factory_->ReleaseMounts(id_);
      return;
    }
    // A link or a file where the directory was: the cgroups are found from the id.
    if (e.code() != Errc::kCorruptState) throw;
    factory_->Log(context + ": " + e.what());
  }
  factory_->Remove(id_, lock.get(), context);
  Mark(phases, "destroyed");
}

namespace {

// Why Recover may remove the container whose state directory `dir` this holds locked,
// or "" when something may still use it.
std::string Unused(const FactoryImpl& factory, const std::string& id, int dir) {
  std::optional<State> state;
  try {
    state = factory.ReadStateFile(id, dir);
  } catch (const Error& e) {
    if (e.code() != Errc::kCorruptState) throw;
    const auto cgroups = factory.UnstatedCgroups(id, dir, true);
    if (!cgroups.empty() && !cgroup::Manager::Load(cgroups)->Pids().empty()) return "";
    return std::string(e.what()) + ", and no process is left in its cgroups";
  }
  // The lock is free: no Create holds it, so a state not yet created is a dead one's.
  if (!state) return "its Create died before it wrote the state";
  if (state->status == Status::kCreating) return "its Create died before it finished";
  if (!IsSameLiveProcess(state->init_pid, state->init_start_time)) return "its init has exited";
  return "";
}

}  // namespace

std::vector<Recovered> Factory::Recover() {
  std::vector<Recovered> removed;
  for (const std::string& id : List()) {
    const std::string context = "recover '" + id + "'";
    unique_fd dir(open(impl_->StateDir(id).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    // Held by another process (a Create at work, a Pause), or gone meanwhile.
    if (!dir || flock(dir.get(), LOCK_EX | LOCK_NB) != 0 || fstat(dir.get(), &st) != 0 || st.st_nlink == 0) continue;
    const std::string reason = Unused(*impl_, id, dir.get());
    if (reason.empty()) continue;
    impl_->Remove(id, dir.get(), context);
    removed.push_back({id, reason});  // said by the return value, not the log as well
  }
  return removed;
}

}  // namespace cask
