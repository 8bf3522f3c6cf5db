// Device rules on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program built from the same
// rule list that v1 writes to devices.allow and devices.deny, with the same result.
//
// The list is first reduced the way the v1 kernel reduces it (as runc's emulator does),
// so that one config behaves alike on both versions: an "a" rule resets the default
// (allow or deny) and drops the exceptions, whatever its numbers and access; a rule
// whose action differs from the default adds an exception, or widens the access of
// the exception with the same type and numbers; a rule whose action is the default
// narrows only an exception with exactly its type and numbers. So later rules win, but
// as in v1 a rule cannot punch a hole into a wildcard exception ("allow c *:* rwm" then
// "deny c 1:3 rwm" under a default deny still allows c 1:3).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cask/config.hpp"

namespace cask::cgroup {

// What v1 keeps of a rule list: a default and exceptions to it.
struct DeviceFilter {
  struct Exception {
    char type = 'c';     // 'b' or 'c'
    int64_t major = -1;  // -1: any
    int64_t minor = -1;
    uint32_t access = 0;  // BPF_DEVCG_ACC_* bits
    bool operator==(const Exception&) const = default;
  };
  bool default_allow = false;
  std::vector<Exception> exceptions;
  bool operator==(const DeviceFilter&) const = default;
};

// Applies `rules` in order, starting from a default deny as runc does. (A new v1 cgroup
// starts from its parent's list instead, usually allow-all; lists that begin with an
// "a" rule, as the default config's does, come out the same on both.) Throws
// cask::Error naming devices[i] for a rule that v1 would refuse.
DeviceFilter ReduceDeviceRules(const std::vector<DeviceRule>& rules);

// The program: returns 1 (allow) or 0 for a bpf_cgroup_dev_ctx. Under a default deny a
// request is allowed by an exception that has all of its access bits; under a default
// allow it is denied by an exception that has any of them (the v1 kernel's checks).
std::vector<bpf_insn> DeviceProgram(const DeviceFilter& filter);

// Loads `program` and attaches it to cgroup2 directory `dir` (BPF_F_ALLOW_MULTI, as runc
// and crun do, so the programs of the cgroups above still apply), then detaches the
// device programs an earlier call attached there: the new one is in force before the
// old one goes, and in between both must allow. Throws cask::Error naming `dir`; a
// program the verifier refuses comes with the verifier's log.
void AttachDeviceProgram(const std::string& dir, const std::vector<bpf_insn>& program);

}  // namespace cask::cgroup
