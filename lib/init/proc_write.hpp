// Writes to /proc files (sysctls, /proc/self/oom_score_adj) that are checked to be on
// procfs first, so a rootfs that bind-mounted something over /proc cannot catch them.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cask {

// Writes `value` to /proc/<path_under_proc> ("sys/net/ipv4/ip_forward",
// "self/oom_score_adj"), resolved beneath /proc without magic links, after checking
// with fstatfs that both /proc and the opened file are on procfs. Throws
// StepError("proc", ...).
void WriteProcFile(const std::string& path_under_proc, std::string_view value);

// Sets each sysctl ("net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward). A key with
// '/' or ".." is refused. Throws StepError("sysctl", ...) naming the key.
void ApplySysctl(const std::map<std::string, std::string>& sysctl);

}  // namespace cask
