// Import of OCI seccomp profiles: the runtime-spec's `linux.seccomp` object, the form
// runc, crun and `podman --security-opt seccomp=FILE` take:
//
//   {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
//    "architectures": ["SCMP_ARCH_X86_64"], "flags": ["SECCOMP_FILTER_FLAG_LOG"],
//    "syscalls": [{"names": ["keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
//                  "args": [{"index": 0, "value": 1, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]}
//
// The keys are the camel-case spellings of the Seccomp fields, so the reader is
// config_json.hpp's, over the same Describe() descriptions, with the keys renamed. Reading is as
// strict as there, and the profile is validated on the way in: a wrong type, an unknown
// key, a missing defaultAction, an unknown action, operator, architecture or flag throws
// ConfigError naming the JSON path ("syscalls[3].action: unknown action ..."). Syscall
// names are not checked here: names this kernel or architecture lacks are skipped when
// the filter is loaded, as runc does. Docker's own profile format (archMap, includes,
// excludes) is not this format; its effect is DefaultSeccompProfile().
#pragma once

#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cask/config.hpp"
#include "cask/config_json.hpp"
#include "cask/error.hpp"
#include "cask/validate.hpp"

namespace cask {
namespace seccomp_json_detail {

// "default_errno_ret" -> "defaultErrnoRet"; also turns cask error paths into OCI ones.
inline std::string CamelCase(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '_' && i + 1 < name.size() &&
        std::islower(static_cast<unsigned char>(name[i + 1]))) {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(name[++i])));
    } else {
      out += name[i];
    }
  }
  return out;
}

}  // namespace seccomp_json_detail

inline Seccomp SeccompFromOciJson(const nlohmann::json& j) {
  using namespace seccomp_json_detail;
  // Required by the runtime-spec; a profile without one would silently allow everything.
  if (j.is_object() && !j.contains("defaultAction")) {
    throw ConfigError("", "missing key \"defaultAction\"");
  }
  Seccomp seccomp;
  json_detail::ReadDescribed(j, "", seccomp, CamelCase);
  try {
    validate_detail::ValidateSeccomp(seccomp);
  } catch (const ConfigError& e) {
    // "seccomp.default_action" -> "defaultAction": the path in the file being read.
    throw ConfigError(CamelCase(e.path().substr(e.path().find('.') + 1)), e.reason());
  }
  return seccomp;
}

// Parses JSON text; a syntax error is a ConfigError giving its position.
inline Seccomp ParseSeccompProfile(std::string_view text) {
  return SeccompFromOciJson(json_detail::Parse(text));
}

}  // namespace cask
