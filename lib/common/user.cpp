#include "common/user.hpp"

#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/step_error.hpp"
#include "common/text.hpp"

namespace cask {
namespace {

std::optional<uint32_t> ParseId(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

const GroupEntry* FindGroup(const std::vector<GroupEntry>& group, const std::string& name_or_id) {
  auto id = ParseId(name_or_id);
  for (const auto& g : group) {
    if (id ? g.gid == *id : g.name == name_or_id) return &g;
  }
  return nullptr;
}

gid_t GroupId(const std::vector<GroupEntry>& group, const std::string& name_or_id,
              const std::string& what) {
  if (auto id = ParseId(name_or_id)) return *id;
  if (const GroupEntry* g = FindGroup(group, name_or_id)) return g->gid;
  ThrowStep("user", "unknown " + what + " \"" + name_or_id + "\" (not in the container's /etc/group)",
            ENOENT);
}

}  // namespace

std::vector<PasswdEntry> ParsePasswd(std::string_view text) {
  std::vector<PasswdEntry> entries;
  for (std::string_view line : TextLines(text)) {
    auto f = SplitText(line, ':');
    if (f.size() < 7 || f[0].empty()) continue;
    auto uid = ParseId(f[2]);
    auto gid = ParseId(f[3]);
    if (!uid || !gid) continue;
    entries.push_back({std::string(f[0]), *uid, *gid, std::string(f[5])});
  }
  return entries;
}

std::vector<GroupEntry> ParseGroup(std::string_view text) {
  std::vector<GroupEntry> entries;
  for (std::string_view line : TextLines(text)) {
    auto f = SplitText(line, ':');
    if (f.size() < 4 || f[0].empty()) continue;
    auto gid = ParseId(f[2]);
    if (!gid) continue;
    std::vector<std::string> members;
    for (std::string_view m : SplitText(f[3], ',')) {
      if (!m.empty()) members.emplace_back(m);
    }
    entries.push_back({std::string(f[0]), *gid, std::move(members)});
  }
  return entries;
}

ExecUser ResolveUser(const std::string& spec, const std::vector<std::string>& additional,
                     const std::vector<PasswdEntry>& passwd, const std::vector<GroupEntry>& group) {
  ExecUser user;
  const auto colon = spec.find(':');
  std::optional<std::string> group_part;
  if (colon != std::string::npos) group_part = spec.substr(colon + 1);
  const std::string given = spec.substr(0, colon);
  const std::string user_part = given.empty() ? std::string("0") : given;  // none given: root
  const PasswdEntry* entry = nullptr;
  auto uid = ParseId(user_part);
  for (const auto& p : passwd) {
    if (uid ? p.uid == *uid : p.name == user_part) {
      entry = &p;
      break;
    }
  }
  if (!uid && entry == nullptr) {
    ThrowStep("user", "unknown user \"" + user_part + "\" (not in the container's /etc/passwd)",
              ENOENT);
  }
  user.uid = entry ? entry->uid : *uid;
  user.gid = entry ? entry->gid : 0;
  if (entry) user.home = entry->home;
  if (group_part) {
    user.gid = GroupId(group, *group_part, "group");
  } else if (entry) {
    for (const auto& g : group) {
      if (std::find(g.members.begin(), g.members.end(), entry->name) != g.members.end()) {
        user.groups.push_back(g.gid);
      }
    }
  }
  for (const auto& name : additional) user.groups.push_back(GroupId(group, name, "additional group"));
  std::sort(user.groups.begin(), user.groups.end());
  user.groups.erase(std::unique(user.groups.begin(), user.groups.end()), user.groups.end());
  return user;
}

ExecUser LookUpUser(const std::string& spec, const std::vector<std::string>& additional) {
  std::string passwd, group;
  ReadWholeFile("/etc/passwd", passwd);
  ReadWholeFile("/etc/group", group);
  return ResolveUser(spec, additional, ParsePasswd(passwd), ParseGroup(group));
}

void SetUser(const ExecUser& user) {
  // setgroups is denied in a user namespace whose setgroups file says so; with no
  // supplementary groups asked for, that is not an error.
  if (setgroups(user.groups.size(), user.groups.data()) != 0 && !(errno == EPERM && user.groups.empty())) {
    ThrowErrno("user", "setgroups");
  }
  if (setresgid(user.gid, user.gid, user.gid) != 0) {
    ThrowErrno("user", "setresgid " + std::to_string(user.gid));
  }
  if (setresuid(user.uid, user.uid, user.uid) != 0) {
    ThrowErrno("user", "setresuid " + std::to_string(user.uid));
  }
}

}  // namespace cask
