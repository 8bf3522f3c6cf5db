// seccomp filters: compiled by the host with libseccomp, loaded by init with seccomp(2)
// as the last step before the payload's exec.
//
// libseccomp takes milliseconds to compile a profile the size of docker's, so the host
// compiles each profile once per Factory (FactoryImpl::CompiledSeccomp) and init, which
// runs once per container, only loads the program.
#pragma once

#include <cask/config.hpp>
#include <cask/unique_fd.hpp>
#include <linux/filter.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cask {

struct SeccompProgram {
  std::vector<sock_filter> code;  // classic BPF, as the kernel runs it
  unsigned flags = 0;             // SECCOMP_FILTER_FLAG_*
};

// Syscall names this kernel and architecture do not know are skipped, as runc does;
// unknown actions, operators, architectures and flags are errors (StepError "seccomp").
SeccompProgram CompileSeccomp(const Seccomp& profile);

// Whether this build's libseccomp knows the architecture ("SCMP_ARCH_X86_64").
bool KnowsArchitecture(const std::string& name);

// Loads the program into the calling thread (StepError "seccomp" on failure).
void LoadSeccomp(const SeccompProgram& program);

// How init gets a program: its instructions in a sealed memfd, made once per profile, and
// its flags in the bootstrap. Each container costs an fd passed, not a copy to encode.
struct SealedSeccomp {
  unique_fd code;
  unsigned flags = 0;
};
SealedSeccomp SealProgram(const SeccompProgram& program);  // throws cask::Error
// Init's side (StepError "seccomp" if the fd does not hold a program).
SeccompProgram ReadSealedProgram(int fd, unsigned flags);

// An entry of the on-disk cache: a header line, `key` (one line: the profile as compact
// JSON), the flags and the number of instructions, then the instructions as the kernel
// takes them. Read back without a parse, as a program that makes one container per
// process (nsinit) does each time.
std::string CacheEntry(const std::string& key, const SeccompProgram& program);
// The program of an entry made for `key`; none for another key's, a foreign or a broken one.
std::optional<SeccompProgram> FromCacheEntry(std::string_view entry, const std::string& key);

}  // namespace cask
