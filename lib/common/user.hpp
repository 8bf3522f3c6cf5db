// Users and groups inside the container: parsing its /etc/passwd and /etc/group, and
// resolving a Process's "user" and "additional_groups" to ids.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace cask {

struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

// The text of /etc/passwd and /etc/group. Malformed lines are skipped, as libc does.
std::vector<PasswdEntry> ParsePasswd(std::string_view text);
std::vector<GroupEntry> ParseGroup(std::string_view text);

struct ExecUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary
  std::string home = "/";
};

// Resolves "uid[:gid]" or "name[:group]" (empty: root) as runc does: a known user gets
// its primary group and the groups that list it as a member; `additional` (names or
// numbers) are added. Throws StepError("user", ...) naming what was not found.
ExecUser ResolveUser(const std::string& spec, const std::vector<std::string>& additional,
                     const std::vector<PasswdEntry>& passwd, const std::vector<GroupEntry>& group);

// ResolveUser against the /etc/passwd and /etc/group of the current root (inside the
// container). A missing file is no error: numeric ids need neither.
ExecUser LookUpUser(const std::string& spec, const std::vector<std::string>& additional);

// Becomes `user`: supplementary groups, then gid, then uid. Throws StepError("user", ...).
void SetUser(const ExecUser& user);

}  // namespace cask
