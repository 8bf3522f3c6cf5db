// The Factory makes Containers from a Config, keeps their state under a root directory
// and loads them again, from this process or another.
#pragma once

#include <cask/config.hpp>
#include <cask/container.hpp>
#include <cask/process.hpp>
#include <cask/run.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cask {

// Which binary runs as every container's init, and its arguments. The default is the
// helper installed with the library. A program may name itself instead
// (InitArgs{"/proc/self/exe", {"init"}}) and call cask::Init() first thing in main().
struct InitArgs {
  // How each init starts. kExec: a clone and an exec of the init binary for each init.
  // kForkServer: a helper process, started from the init binary at the Factory's first
  // spawn, clones every init, which then runs without an exec of its own: a container
  // pays one exec, its payload's. The helper is the host's child, holds no container's
  // fd after its clone, and ends with the Factory (or its host). README says what else
  // it changes and bench/RESULTS.md what it gains (little, with a small static init).
  enum class Spawn { kExec, kForkServer };

  std::string path = DefaultInitPath();
  std::vector<std::string> args = {"init"};
  Spawn spawn = DefaultSpawn();
  static std::string DefaultInitPath();
  // kExec, or kForkServer where the environment says CASK_INIT_SPAWN=fork-server.
  static Spawn DefaultSpawn();
};

using LogCallback = std::function<void(std::string_view line)>;

// A container that Factory::Recover removed, and why.
struct Recovered {
  std::string id;
  std::string reason;  // "its init has exited", "its Create died before it finished", ...
  bool operator==(const Recovered&) const = default;
};

class Factory {
 public:
  // Creates `root` (mode 0700) if needed. The init binary is opened at the first Create
  // or Exec (a read-only overlayfs view, or a sealed copy: SECURITY.md), which throws if
  // `init.path` cannot be read.
  static Factory New(const std::string& root, InitArgs init = {});

  // Creates a container whose init waits at the exec barrier (status created). The
  // payload is `process` (its pid and pipes are filled in), or config.process.
  Container Create(const std::string& id, const Config& config, Process& process);
  Container Create(const std::string& id, const Config& config);
  // Create and Start in one call.
  Container Run(const std::string& id, const Config& config, Process& process);

  // A whole run in a throwaway container: `process` with `input` as its stdin, its
  // output captured, under `limits`; the container is destroyed before it returns,
  // with everything that ran in it. A failed setup is a report (kSetupFailed), not an
  // exception. Safe to call from many threads at once.
  RunReport RunToCompletion(const Config& config, const ProcessConfig& process, const RunLimits& limits,
                            const std::string& input = {});
  // A container whose state cannot be read loads too: its State() throws what is wrong
  // (Errc::kCorruptState) and its Destroy removes what cask made for it.
  Container Load(const std::string& id) const;
  // Load, or none where no container has this id: without an exception, which a static
  // program pays 1 ms or more for at its first throw (the unwinder sorts its tables).
  std::optional<Container> Find(const std::string& id) const;
  // Destroys every container under the root that nothing will use again: whose init
  // has exited, whose Create died before it finished (its host killed), or whose state
  // cannot be read and whose cgroups hold no process. A container that another process
  // holds locked (a Create at work, a Pause) is left alone, so it is safe while other
  // hosts use the same root. Returns what it removed.
  std::vector<Recovered> Recover();
  std::vector<std::string> List() const;
  // The containers that have every label of `filter`, with the same value.
  std::vector<std::string> List(const Labels& filter) const;
  const std::string& Root() const;
  // Receives cask's log lines, including those init forwards from inside a container.
  void SetLogger(LogCallback logger);
  // A debug mode: the containers created from now on record where their time goes
  // (Container::Phases). It costs a few clock reads, and a Start that waits for the
  // payload's execve; off again, the Factory forgets every record it keeps.
  void RecordPhases(bool on);

 private:
  friend class Pool;
  explicit Factory(std::shared_ptr<FactoryImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<FactoryImpl> impl_;
};

}  // namespace cask
