// File and directory operations on cgroup filesystems. Each throws cask::Error naming
// the path (and for writes, the value).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cask::cgroup {

std::string ReadFile(const std::string& path);
// Empty when the file does not exist.
std::optional<std::string> ReadFileIfExists(const std::string& path);
void WriteFile(const std::string& path, const std::string& value);
bool Exists(const std::string& path);

// `dir`/`name` for a file name given by the user (Resources::unified); refuses names
// that would leave `dir`.
std::string UserFile(const std::string& dir, const std::string& name);

// A device as the io and blkio files name it: "8:0".
std::string DeviceKey(int64_t major, int64_t minor);

// mkdir -p; returns the directories it made, outermost first (`dir` last, if it is new).
std::vector<std::string> MakeDirs(const std::string& dir);

// rmdir of a cgroup with no processes and no sub-cgroups (or none at all): true when it
// is gone, false when it is busy.
bool RemoveIfEmpty(const std::string& dir);

// Adds the pids in `dir` and in its sub-cgroups to `pids`; a missing `dir` adds none.
void CollectPids(const std::string& dir, std::vector<pid_t>& pids);

// Sub-cgroups of `dir`, deepest first, `dir` last; none when `dir` does not exist.
std::vector<std::string> CgroupTree(const std::string& dir);

// Removes `dir` and its sub-cgroups, deepest first, retrying while the kernel still
// holds a dying process (EBUSY) for up to a few seconds. A missing `dir` is fine.
void RemoveTree(const std::string& dir);

// Removes directories made by MakeDirs, innermost first; one that someone else has
// filled since is left alone.
void RemoveMade(const std::vector<std::string>& made);

}  // namespace cask::cgroup
