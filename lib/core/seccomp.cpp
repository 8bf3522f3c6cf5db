#include "core/seccomp.hpp"

#include <seccomp.h>

#include <map>
#include <memory>

#include "core/step_error.hpp"

namespace cask {
namespace {

constexpr const char* kStep = "seccomp";

uint32_t Action(const std::string& name, std::optional<uint32_t> errno_ret) {
  const uint32_t err = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(err);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(err);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  ThrowStep(kStep, "unknown action \"" + name + "\"", EINVAL);
}

scmp_compare Operator(const std::string& name) {
  static const std::map<std::string, scmp_compare> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(name);
  if (it == kOps.end()) ThrowStep(kStep, "unknown operator \"" + name + "\"", EINVAL);
  return it->second;
}

uint32_t Architecture(const std::string& name) {
  // "SCMP_ARCH_X86_64" -> "x86_64", as seccomp_arch_resolve_name spells it.
  std::string bare = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  for (auto& c : bare) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint32_t arch = seccomp_arch_resolve_name(bare.c_str());
  if (arch == 0) ThrowStep(kStep, "unknown architecture \"" + name + "\"", EINVAL);
  return arch;
}

void Check(int rc, const std::string& what) {
  if (rc < 0) ThrowStep(kStep, what, -rc);
}

}  // namespace

void LoadSeccomp(const Seccomp& profile) {
  const uint32_t default_action = Action(profile.default_action, profile.default_errno_ret);
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(default_action), seccomp_release);
  if (!ctx) ThrowStep(kStep, "seccomp_init", EINVAL);
  // libseccomp would set no_new_privs on its own: whether it is set is the config's
  // choice, made by init (which loads the filter with CAP_SYS_ADMIN when it is not).
  Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "leave no_new_privs alone");
  for (const auto& arch : profile.architectures) {
    int rc = seccomp_arch_add(ctx.get(), Architecture(arch));
    if (rc != -EEXIST) Check(rc, "add architecture " + arch);
  }
  for (const auto& flag : profile.flags) {
    if (flag == "SECCOMP_FILTER_FLAG_LOG") {
      Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_LOG, 1), "set " + flag);
    } else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") {
      Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_SSB, 1), "set " + flag);
    } else if (flag != "SECCOMP_FILTER_FLAG_TSYNC") {
      ThrowStep(kStep, "unknown flag \"" + flag + "\"", EINVAL);
    }
  }
  for (const auto& rule : profile.syscalls) {
    const uint32_t action = Action(rule.action, rule.errno_ret);
    if (action == default_action) continue;  // libseccomp refuses a rule that changes nothing
    std::vector<scmp_arg_cmp> args;
    for (const auto& arg : rule.args) {
      args.push_back({arg.index, Operator(arg.op), arg.value, arg.value_two});
    }
    for (const auto& name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // not on this kernel or architecture
      Check(seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(args.size()), args.data()),
            "add rule for " + name);
    }
  }
  Check(seccomp_load(ctx.get()), "load the filter");
}

}  // namespace cask
