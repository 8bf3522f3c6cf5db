// Device rules on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
// cgroup, as v2 has no devices.allow/deny files.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "cask/config.hpp"

namespace cask::cgroup {

// The program for `rules` with v1's meaning: the last rule that matches a request
// decides, and nothing matches by default (deny). An allow rule matches a request whose
// access ("rwm") it covers whole; a deny rule one that asks for any access it names.
std::vector<bpf_insn> DeviceProgram(const std::vector<DeviceRule>& rules);

// Loads the program for `rules` and attaches it to the cgroup directory `dir`, then
// detaches the programs attached there before (so an update replaces the rules).
void ApplyDeviceRules(const std::string& dir, const std::vector<DeviceRule>& rules);

}  // namespace cask::cgroup
