#include "common/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <map>
#include <memory>

#include "cask/unique_fd.hpp"

#include "common/seal.hpp"
#include "common/step_error.hpp"

namespace cask {
namespace {

constexpr const char* kSeccompStep = "seccomp";

uint32_t Action(const std::string& name, std::optional<uint32_t> errno_ret) {
  const uint32_t err = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(err);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(err);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  ThrowStep(kSeccompStep, "unknown action \"" + name + "\"", EINVAL);
}

scmp_compare Operator(const std::string& name) {
  static const std::map<std::string, scmp_compare> kOps = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  auto it = kOps.find(name);
  if (it == kOps.end()) ThrowStep(kSeccompStep, "unknown operator \"" + name + "\"", EINVAL);
  return it->second;
}

uint32_t ResolveArchitecture(const std::string& name) {
  // "SCMP_ARCH_X86_64" -> "x86_64", as seccomp_arch_resolve_name spells it.
  std::string bare = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  for (auto& c : bare) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(bare.c_str());
}

uint32_t Architecture(const std::string& name) {
  uint32_t arch = ResolveArchitecture(name);
  if (arch == 0) ThrowStep(kSeccompStep, "unknown architecture \"" + name + "\"", EINVAL);
  return arch;
}

void Check(int rc, const std::string& what) {
  if (rc < 0) ThrowStep(kSeccompStep, what, -rc);
}

// The program libseccomp generates, read back through a memfd (libseccomp 2.5 exports
// only to an fd).
std::vector<sock_filter> Export(scmp_filter_ctx ctx) {
  unique_fd memfd(memfd_create("cask-seccomp", MFD_CLOEXEC));
  if (!memfd) ThrowErrno(kSeccompStep, "memfd_create");
  Check(seccomp_export_bpf(ctx, memfd.get()), "export the filter");
  off_t size = lseek(memfd.get(), 0, SEEK_END);
  if (size < 0 || size % sizeof(sock_filter) != 0) ThrowStep(kSeccompStep, "exported filter has a bad size", EINVAL);
  std::vector<sock_filter> code(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(memfd.get(), code.data(), static_cast<size_t>(size), 0) != size) ThrowErrno(kSeccompStep, "read the filter");
  return code;
}

}  // namespace

bool KnowsArchitecture(const std::string& name) { return ResolveArchitecture(name) != 0; }

SeccompProgram CompileSeccomp(const Seccomp& profile) {
  const uint32_t default_action = Action(profile.default_action, profile.default_errno_ret);
  std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(default_action), seccomp_release);
  if (!ctx) ThrowStep(kSeccompStep, "seccomp_init", EINVAL);
  SeccompProgram program;
  for (const auto& arch : profile.architectures) {
    int rc = seccomp_arch_add(ctx.get(), Architecture(arch));
    if (rc != -EEXIST) Check(rc, "add architecture " + arch);
  }
  for (const auto& flag : profile.flags) {
    if (flag == "SECCOMP_FILTER_FLAG_LOG") {
      program.flags |= SECCOMP_FILTER_FLAG_LOG;
    } else if (flag == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") {
      program.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    } else if (flag == "SECCOMP_FILTER_FLAG_TSYNC") {
      program.flags |= SECCOMP_FILTER_FLAG_TSYNC;
    } else {
      ThrowStep(kSeccompStep, "unknown flag \"" + flag + "\"", EINVAL);
    }
  }
  int rules = 0;
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
      ++rules;
    }
  }
  // A binary tree of syscall numbers, not a list: the kernel runs the filter for every
  // syscall number when it loads it (its action cache), which for the default profile
  // took 0.75-0.9 ms as a list and 0.3-0.5 ms as a tree (bench/RESULTS.md). Not for a
  // few rules, where a list is as good: libseccomp before 2.5.5 got empty trees wrong.
  if (rules >= 8) Check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2), "ask for a binary tree");
  program.code = Export(ctx.get());
  return program;
}

// No no_new_privs here: whether it is set is the config's choice, made by init (which
// loads the filter while it has CAP_SYS_ADMIN when it is not set).
void LoadSeccomp(const SeccompProgram& program) {
  sock_fprog fprog{static_cast<unsigned short>(program.code.size()),
                   const_cast<sock_filter*>(program.code.data())};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, program.flags, &fprog) != 0) {
    ThrowErrno(kSeccompStep, "load the filter");
  }
}

SealedSeccomp SealProgram(const SeccompProgram& program) {
  return {SealedBytes("cask-seccomp", program.code.data(), program.code.size() * sizeof(sock_filter)),
          program.flags};
}

SeccompProgram ReadSealedProgram(int fd, unsigned flags) {
  struct stat st {};
  if (fstat(fd, &st) != 0) ThrowErrno(kSeccompStep, "stat the program");
  const auto size = static_cast<size_t>(st.st_size);
  if (size == 0 || size % sizeof(sock_filter) != 0 || size / sizeof(sock_filter) > BPF_MAXINSNS) {
    ThrowStep(kSeccompStep, "the program's fd holds " + std::to_string(size) + " bytes", EINVAL);
  }
  SeccompProgram program;
  program.flags = flags;
  program.code.resize(size / sizeof(sock_filter));
  if (pread(fd, program.code.data(), size, 0) != static_cast<ssize_t>(size)) {
    ThrowErrno(kSeccompStep, "read the program");
  }
  return program;
}

namespace {
constexpr std::string_view kCacheHeader = "cask seccomp cache 1\n";
}  // namespace

std::string CacheEntry(const std::string& key, const SeccompProgram& program) {
  std::string entry = std::string(kCacheHeader) + key + "\n" + std::to_string(program.flags) + " " +
                      std::to_string(program.code.size()) + "\n";
  entry.append(reinterpret_cast<const char*>(program.code.data()), program.code.size() * sizeof(sock_filter));
  return entry;
}

std::optional<SeccompProgram> FromCacheEntry(std::string_view entry, const std::string& key) {
  if (!entry.starts_with(kCacheHeader)) return std::nullopt;
  entry.remove_prefix(kCacheHeader.size());
  if (!entry.starts_with(key) || entry.substr(key.size(), 1) != "\n") return std::nullopt;
  entry.remove_prefix(key.size() + 1);
  SeccompProgram program;
  size_t count = 0;
  // "FLAGS COUNT\n": each number whole, then the count's instructions, no byte more or less.
  const auto number = [&entry](auto& value, char end) {
    const auto [last, error] = std::from_chars(entry.data(), entry.data() + entry.size(), value);
    if (error != std::errc() || last == entry.data() || last == entry.data() + entry.size() || *last != end) {
      return false;
    }
    entry.remove_prefix(static_cast<size_t>(last - entry.data()) + 1);
    return true;
  };
  if (!number(program.flags, ' ') || !number(count, '\n')) return std::nullopt;
  if (count == 0 || count > BPF_MAXINSNS || entry.size() != count * sizeof(sock_filter)) return std::nullopt;
  program.code.resize(count);
  std::memcpy(program.code.data(), entry.data(), entry.size());
  return program;
}

}  // namespace cask
