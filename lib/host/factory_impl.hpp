// The Factory's shared state, which its Containers hold on to.
#pragma once

#include <cask/factory.hpp>
#include <cask/state.hpp>
#include <cask/unique_fd.hpp>

#include "common/seccomp.hpp"
#include "host/fork_server.hpp"
#include "host/phase_log.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cask {

// The context of a Container error: "start 'web'".
inline std::string Quoted(const std::string& verb, const std::string& id) {
  return verb + " '" + id + "'";
}

// A file in the state directory while the container is paused: made by Pause, removed
// by Resume, so that an Events watcher sees each of them by name (events.cpp).
inline constexpr char kPausedMark[] = "paused";

// The cgroup of a container whose config names none, beside the caller's own.
inline std::string DefaultCgroupPath(const std::string& id) { return "cask-" + id; }

// A process this Factory started (an init or an exec'd process): its pidfd, and its
// exit status once reaped, by whoever comes first: Process::Wait or Destroy.
struct ChildRecord {
  pid_t pid = -1;
  unique_fd pidfd;
  std::mutex mutex;
  std::optional<ExitStatus> status;
  std::shared_ptr<PhaseLog> phases;  // a container's init while phases are recorded: "exit"
  ExitStatus Wait();
};

struct ProcessAccess {
  static void Attach(Process& process, std::shared_ptr<ChildRecord> child) {
    process.child_ = std::move(child);
  }
  static void SetPipes(Process& process, unique_fd in, unique_fd out, unique_fd err) {
    process.in_pipe_ = std::move(in);
    process.out_pipe_ = std::move(out);
    process.err_pipe_ = std::move(err);
  }
  static void SetConsole(Process& process, unique_fd master) { process.console_ = std::move(master); }
  static std::shared_ptr<ChildRecord> Child(const Process& process) { return process.child_; }
};

struct FactoryImpl : std::enable_shared_from_this<FactoryImpl> {
  std::string root;
  InitArgs init;
  // init's binary as every spawn executes it (init_binary.hpp), opened at the first
  // spawn: a Factory that only reads, signals or destroys (`cask state`, `nsinit list`)
  // never pays for it.
  int InitBinaryFd() const;

  mutable std::mutex mutex;  // guards logger, children, phase_logs, held_mounts and seccomp_cache
  LogCallback logger;
  std::multimap<std::string, std::shared_ptr<ChildRecord>> children;  // by container id
  std::atomic<bool> record_phases{false};
  // By container id: those created while recording, kept after Destroy until read.
  std::map<std::string, std::shared_ptr<PhaseLog>> phase_logs;
  // By container id: the mount namespaces of a Pool's containers, held from their
  // create to their Destroy. Init's exit then leaves its mount tree to Destroy, whose
  // unmounting (an RCU grace period) was most of the time from a payload's exit to its
  // reaping (bench/RESULTS.md).
  std::map<std::string, unique_fd> held_mounts;
  // Few profiles per Factory, compared whole: cheaper than a key made from each.
  mutable std::vector<std::pair<Seccomp, std::shared_ptr<const SealedSeccomp>>> seccomp_cache;
  mutable std::mutex init_binary_mutex;  // a copy is slow: not under `mutex`
  mutable unique_fd init_binary;
  mutable ForkServer fork_server;  // InitArgs::Spawn::kForkServer

  void Log(std::string_view line) const;
  std::shared_ptr<PhaseLog> PhaseLogOf(const std::string& id) const;
  // The profile compiled once for this Factory (StepError "seccomp" if it does not compile).
  std::shared_ptr<const SealedSeccomp> CompiledSeccomp(const Seccomp& profile) const;
  std::string StateDir(const std::string& id) const { return root + "/" + id; }

  // The state directory (state_dir.cpp). Each throws Error(kNotFound) when there is no
  // such container, and Error(kCorruptState) naming the file and what is wrong with it
  // when its state cannot be read, is a link, or names cgroups other than its record.
  unique_fd OpenStateDir(const std::string& id) const;
  // The directory, under an exclusive flock: writers in different processes (Pause,
  // Update, an Events watcher, Destroy) take turns, and none loses another's change.
  unique_fd LockState(const std::string& id) const;
  // A state directory without state.json, with nothing but what Create makes before it
  // (or Destroy leaves after it), whose lock nobody holds: its host died in a Create
  // before it wrote the state, or in a Destroy after it removed it.
  bool Abandoned(const std::string& id) const;
  // cgroup.json: the cgroups Create will make, written once before it makes them.
  void RecordCgroups(const std::string& id, const std::map<std::string, std::string>& paths) const;
  // The record (none for a state older than it), from the state directory `dir`.
  std::optional<std::map<std::string, std::string>> RecordedCgroups(const std::string& id, int dir) const;
  // state.json from `dir`; none when there is none.
  std::optional<State> ReadStateFile(const std::string& id, int dir) const;
  // An abandoned directory reads as a container in status creating with nothing else
  // in its state.
  State ReadState(const std::string& id) const;
  // The cgroups of a container without a readable state (`broken`: one is there) in
  // `dir`: its record, or where that is missing from a broken state or unreadable, the
  // id's default cgroup; none for a Create that died before it wrote the record.
  std::map<std::string, std::string> UnstatedCgroups(const std::string& id, int dir, bool broken) const;
  // What Destroy removes, read under the lock `locked_dir`: the state, or where it is
  // missing or broken, the cgroups of the record (or else of the id's default path),
  // never those that a broken state names.
  State StateToDestroy(const std::string& id, int locked_dir, const std::string& context) const;
  // Atomically: a temporary file, renamed over the old one. No fsync: the state describes
  // processes, which do not outlive the machine either (OCI: keep it on a tmpfs).
  void WriteState(const State& state) const;
  // The state with its status brought up to date from the kernel.
  State CurrentState(const std::string& id) const;
  // CurrentState, `change`, WriteState, under LockState.
  State UpdateState(const std::string& id, const std::function<void(State&)>& change) const;

  Container MakeContainer(const std::string& id, const Config& config) {
    return Container(shared_from_this(), id, config);
  }
  // With `start_channel` (a Pool's): init takes its process's args, env, cwd and stdio
  // after the barrier, from the socket that is left there (Bootstrap::process_at_start).
  Container Create(const std::string& id, const Config& config, Process& process,
                   unique_fd* start_channel = nullptr);
  // Create's work once its input is valid.
  Container Make(const std::string& id, const Config& config, Process& process, const std::string& context,
                 const std::shared_ptr<PhaseLog>& phases, unique_fd* start_channel);
  // Container::Start once the state said created and init lives (`pidfd`), under the
  // state's lock `lock`: lets init past the exec fifo.
  void Release(const std::string& id, int pidfd, unique_fd lock, const std::string& context) const;
  // After a Start: the poststart hooks, whose failure is logged (the start stands).
  void Poststart(const std::string& id, const Config& config, pid_t init_pid, const std::string& context) const;
  // What Destroy does once it holds the state's lock `locked_dir` (-1: no directory, a
  // link in its place): kills, reaps, removes the cgroups, the veths and the directory.
  void Remove(const std::string& id, int locked_dir, const std::string& context);
  void Track(const std::string& id, std::shared_ptr<ChildRecord> child);
  // Closes the held_mounts of the container, if any: its mounts are unmounted now.
  void ReleaseMounts(const std::string& id);
  // Reaps every process of this container that this Factory started (after a kill).
  void ReapAll(const std::string& id);
  // The processes of this container that this Factory started and nobody reaped yet,
  // oldest (init) first.
  std::vector<std::shared_ptr<ChildRecord>> Children(const std::string& id) const;
};

}  // namespace cask
