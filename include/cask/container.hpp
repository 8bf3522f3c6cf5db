// A container made by a Factory. A Container is a handle: copying it is cheap, and it
// never destroys the container on its own (a container outlives its host; Factory::Load
// picks it up again). ScopedContainer destroys on scope exit, for test harnesses.
#pragma once

#include <cask/config.hpp>
#include <cask/phases.hpp>
#include <cask/process.hpp>
#include <cask/state.hpp>
#include <cask/stats.hpp>

#include <signal.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cask {

struct FactoryImpl;

class Container {
 public:
  const std::string& Id() const { return id_; }
  const cask::Config& Config() const { return config_; }
  // Reads the state directory and the kernel: a container whose init has died, or
  // whose init pid now belongs to another process, reads as stopped.
  cask::State State() const;
  cask::Status Status() const { return State().status; }

  // Releases init from the exec barrier: it execs the payload. Works from any process.
  void Start();
  // Runs another process in the running container, in all of its namespaces and its
  // cgroup. `process` gets its pid and pipes.
  void Exec(Process& process);
  // Sends a signal to init, or with all=true to every process in the container. SIGKILL
  // to a paused container thaws it too, so that its processes die.
  void Signal(int signal, bool all = false);
  // Every pid in the container's cgroup and its sub-cgroups, sorted.
  std::vector<pid_t> Processes() const;
  // Resource usage from the container's cgroups, and the counters of every interface in
  // its network namespace (when it has one of its own), read from inside it.
  cask::Stats Stats() const;
  // Writes the limits that `resources` sets into the cgroups of a created, running or
  // paused container, leaving the others as they are; the state records the merged
  // limits (merge.hpp). A value the kernel refuses is an error naming the file.
  void Update(const Resources& resources);
  // Freezes every process of a running container (the state says paused) until Resume.
  void Pause();
  void Resume();
  // Sends `signal` to every process (a paused container is resumed, so that they can
  // act on it), waits up to `grace` for init to end, then kills all. Returns how init
  // ended where this process can tell (it started init, or the kernel tells any
  // process: Linux 6.15); the container is stopped, not destroyed.
  std::optional<ExitStatus> Stop(std::chrono::milliseconds grace, int signal = SIGTERM);
  // Labels, as garden's properties, kept in the state directory: SetLabels sets every
  // one or, when a key or value is refused (ConfigError naming it), none. Writers in
  // other processes lose no change (the state's lock). Removing a missing key is no error.
  cask::Labels Labels() const;
  void SetLabels(const cask::Labels& labels);
  void SetLabel(const std::string& key, const std::string& value) { SetLabels({{key, value}}); }
  void RemoveLabel(const std::string& key);

  // Files in and out, as garden's StreamIn and StreamOut, of a created, running or
  // paused container. A pipe given as `tar_fd` is widened to 1 MiB if it is narrower,
  // so that the stream need not stop every 64 KiB. `path` is absolute, as the container sees it (its mounts
  // included); `user` ("name", "uid[:gid]", empty for root) is resolved in the
  // container's /etc/passwd and does the reading and writing. A helper process stands
  // in the container's root to do it, so no name and no symlink leads outside.
  // StreamIn extracts the tar read from `tar_fd` (ustar, pax or GNU; no compression)
  // into the directory `path`, made if missing; an entry with '..', an absolute name,
  // a path through a symlink or a device node is refused (Errc::kBadArchive), and
  // entries before it stay extracted. Owners are kept when `user` is root.
  void StreamIn(const std::string& path, int tar_fd, const std::string& user = "");
  // Writes a pax tar of the file or tree at `path` to `tar_fd`, its entries named from
  // the last component of `path` ("." for "/"); symlinks are archived as links, owners
  // as numbers. It returns when the archive is whole: a pipe needs a reader meanwhile.
  void StreamOut(const std::string& path, int tar_fd, const std::string& user = "");

  // Kills every process, reaps what this process can, removes the cgroup and the state
  // directory. Calling it again is not an error. It waits for a Create, Pause or Update
  // of the container in another process to end. Where the state cannot be read (see
  // Errc::kCorruptState), it removes the cgroups that Create recorded apart from the
  // state (or, for a state older than that record, the id's default cgroup, cask-ID).
  void Destroy();

  // The marks of this container's life (cask/phases.hpp) when its Factory created it
  // while recording phases; none otherwise. Read after Destroy, they include it, and
  // the Factory forgets them.
  cask::Phases Phases() const;

 private:
  friend struct FactoryImpl;
  friend class Events;
  Container(std::shared_ptr<FactoryImpl> factory, std::string id, cask::Config config)
      : factory_(std::move(factory)), id_(std::move(id)), config_(std::move(config)) {}
  std::shared_ptr<FactoryImpl> factory_;
  std::string id_;
  cask::Config config_;
};

// Destroys its container when it goes out of scope.
class ScopedContainer {
 public:
  explicit ScopedContainer(Container container) : container_(std::move(container)) {}
  ScopedContainer(const ScopedContainer&) = delete;
  ScopedContainer& operator=(const ScopedContainer&) = delete;
  ~ScopedContainer();
  Container* operator->() { return &container_; }
  Container& operator*() { return container_; }

 private:
  Container container_;
};

}  // namespace cask
