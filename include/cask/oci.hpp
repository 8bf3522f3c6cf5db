// OCI bundles: config.json (runtime-spec 1.0.2 to 1.2) to and from cask's Config, and
// the state as runc prints it.
//
//   cask::Container c = factory.Create(id, cask::oci::ReadBundle("/path/to/bundle"));
//
// Reading follows the spec: unknown properties are ignored; a property of the wrong
// type, and a setting cask cannot honour on this host (linux.intelRdt, an AppArmor
// profile or SELinux label, a seccomp listener, ...), is a ConfigError naming its JSON
// path ("linux.intelRdt: ..."), never dropped in silence. The process section gives
// the container-wide settings (capabilities, rlimits, noNewPrivileges, oomScoreAdj) to
// the Config, the rest to Config::process. Annotations are Config::labels. As runc
// does, an ambient capability that is not also permitted and inheritable is skipped
// (the kernel cannot raise it; `runc spec` writes such bundles), and a zero resource
// value means "not set".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cask/config.hpp"
#include "cask/state.hpp"

namespace cask {
struct Event;
}  // namespace cask

namespace cask::oci {

// The runtime-spec version cask writes into config.json, the state and hooks' input.
inline constexpr const char* kSpecVersion = "1.2.0";

// Reads DIR/config.json. A relative root.path is relative to DIR; Config::bundle is
// DIR, made absolute. Throws cask::Error when the file cannot be read.
Config ReadBundle(const std::string& dir);
// config.json's text, for a bundle in `bundle_dir` (absolute).
Config ParseSpec(std::string_view text, const std::string& bundle_dir);
// A runtime-spec `process` object (runc exec --process): every field it sets, including
// capabilities, rlimits, noNewPrivileges and oomScoreAdj, set in the ProcessConfig.
ProcessConfig ParseProcess(std::string_view text);
// A `linux.resources` object as `runc update --resources` reads it. Here and in
// config.json, resources are read as runc reads them: a zero limit, share, period or
// weight is not set (an update leaves it as it is), and a negative pids limit is none.
Resources ParseUpdate(std::string_view text);

// config.json for `config` (2-space indented). Throws ConfigError for what the spec
// cannot say: a process user given by name, a veth network.
std::string WriteSpec(const Config& config);

// The state as `runc state` prints it: ociVersion, id, pid (0 once stopped), status
// (created, running, paused or stopped: a container being created reads as created),
// bundle, rootfs, created, owner, annotations (left out when empty).
std::string StateJson(const State& state);

// An event as `runc events` prints it, one line: {"type":"stats","id":...,"data":{...}}
// in runc's stats shape, or {"type":"oom","id":...}. runc has no line for the other
// events: nullopt.
std::optional<std::string> EventJson(const Event& event);

// runtime-spec's features document (`cask features`): what this build and host support.
std::string FeaturesJson();

}  // namespace cask::oci
