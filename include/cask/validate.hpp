// Config::Validate() and Config::Problems() (config.hpp) find every contradiction in a
// Config before anything is created, each a ConfigError naming the field by its JSON
// path (config_json.hpp). Their bodies are in lib/host/validate.cpp; this header has
// the checks of single parts and the seccomp names that cask takes.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "cask/config.hpp"
#include "cask/error.hpp"

namespace cask {
namespace validate_detail {

// The seccomp names cask takes (runtime-spec spells them as libseccomp does).
// SCMP_ACT_NOTIFY is left out: cask has no seccomp listener to hand the fd to.
inline constexpr std::array<std::string_view, 8> kSeccompActions = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
    "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG"};
// libseccomp's names, as seccomp.cpp hands them to seccomp_arch_resolve_name.
inline constexpr std::array<std::string_view, 23> kSeccompArchitectures = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB"};
inline constexpr std::array<std::string_view, 3> kSeccompFlags = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
inline constexpr std::array<std::string_view, 7> kSeccompOperators = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

// Throws a ConfigError naming the field (its path below "seccomp") when a profile is
// malformed; seccomp_json.hpp calls it for profiles read from OCI JSON.
void ValidateSeccomp(const Seccomp& seccomp);

}  // namespace validate_detail

// Checks resources on their own (Container::Update); `at` prefixes error paths.
void ValidateResources(const Resources& resources, const std::string& at = "resources");

// Checks a process on its own (Exec); `path` prefixes error paths ("process").
void ValidateProcess(const ProcessConfig& process, const std::string& path);

}  // namespace cask
