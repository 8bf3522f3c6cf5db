// The Container calls that work on its cgroups: Stats, Update, Pause and Resume.
#include <cask/container.hpp>
#include <cask/merge.hpp>
#include <cask/validate.hpp>
#include <fcntl.h>
#include <unistd.h>

#include "cgroup/manager.hpp"
#include "host/cgroup_resources.hpp"
#include "host/crash_point.hpp"
#include "host/factory_impl.hpp"
#include "host/proc.hpp"
#include "common/step_error.hpp"
#include "net/net.hpp"
#include "net/netns_thread.hpp"

namespace cask {
namespace {

void RequireStatus(const State& state, std::initializer_list<Status> allowed, const std::string& context) {
  for (Status status : allowed) {
    if (state.status == status) return;
  }
  throw Error(Errc::kBadState, context + ": the container is " + StatusName(state.status));
}

// Pause (to paused: freeze) and Resume (to running: thaw).
void FreezeTo(FactoryImpl& factory, const std::string& id, Status to) {
  bool pause = to == Status::kPaused;
  const std::string context = Quoted(pause ? "pause" : "resume", id);
  factory.UpdateState(id, [&](State& state) {
    RequireStatus(state, {pause ? Status::kRunning : Status::kPaused}, context);
    auto cgroup = cgroup::Manager::Load(state.cgroup_paths);
    const std::string mark = factory.StateDir(id) + "/" + kPausedMark;
    if (pause) {
      cgroup->Freeze();
      CrashPoint("pause:frozen");
      unique_fd made(open(mark.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
      if (!made) throw Error(errno, context + ": make " + mark);
    } else {
      cgroup->Thaw();
      CrashPoint("resume:thawed");
      if (unlink(mark.c_str()) != 0 && errno != ENOENT) throw Error(errno, context + ": remove " + mark);
    }
    state.status = to;
  });
}

}  // namespace

cask::Stats Container::Stats() const {
  cask::State state = factory_->ReadState(id_);
  cask::Stats stats = cgroup::Manager::Load(state.cgroup_paths)->GetStats();
  auto netns = state.namespace_paths.find("network");
  // A namespace that init made lives as long as init: without it, the path would name
  // whatever process has its pid now.
  const Namespace* network = state.config.FindNamespace(NamespaceType::kNet);
  bool own = network != nullptr && network->path.empty();
  if (netns != state.namespace_paths.end() &&
      (!own || IsSameLiveProcess(state.init_pid, state.init_start_time))) {
    try {
      net::RunInNetns(netns->second, [&] { stats.interfaces = net::ReadInterfaceStats(); });
    } catch (const StepError& e) {
      // Init is dying or dead (an exiting process has no namespaces before it is a
      // zombie): its network namespace went with it, and so did the counters.
      if (!own || e.error() != ENOENT) throw Error(Quoted("stats", id_), e);
    }
  }
  return stats;
}

void Container::Update(const Resources& resources) {
  const std::string context = Quoted("update", id_);
  ValidateResources(resources);
  cask::State updated = factory_->UpdateState(id_, [&](cask::State& state) {
    RequireStatus(state, {Status::kCreated, Status::kRunning, Status::kPaused}, context);
    // A new device list keeps the devices the config makes usable.
    Resources applied = resources;
    if (!applied.devices.empty()) {
      applied.devices = DeviceRulesWithDevices(std::move(applied.devices), state.config.devices);
    }
    try {
      cgroup::Manager::Load(state.cgroup_paths)->Set(applied);
      CrashPoint("update:applied");
    } catch (const Error& e) {
      throw Error(context, e);
    }
    Merge(state.config.cgroup.resources, resources);
  });
  config_.cgroup.resources = updated.config.cgroup.resources;
}

void Container::Pause() { FreezeTo(*factory_, id_, Status::kPaused); }

void Container::Resume() { FreezeTo(*factory_, id_, Status::kRunning); }

}  // namespace cask
