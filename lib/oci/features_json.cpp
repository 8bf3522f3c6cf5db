// runtime-spec features.md: what this build of cask, on this host, can honour. Each list
// comes from the table the code itself uses, so that it cannot drift from the code.
#include <cask/capabilities.hpp>
#include <cask/mount_options.hpp>
#include <cask/namespaces.hpp>
#include <cask/oci.hpp>
#include <cask/validate.hpp>
#include <seccomp.h>

#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include "common/seccomp.hpp"

namespace cask::oci {

std::string FeaturesJson() {
  nlohmann::json mount_options = {"bind", "rbind", "rro", "rrw", "tmpcopyup", "notmpcopyup", "idmap", "ridmap"};
  for (const auto& word : mount_detail::kFlagWords) mount_options.push_back(word.word);
  for (const auto& [word, flags] : mount_detail::kPropagations) mount_options.push_back(word);
  nlohmann::json namespaces = nlohmann::json::array();
  for (NamespaceType type : kNamespaceTypes) namespaces.push_back(NamespaceName(type));
  nlohmann::json capabilities = nlohmann::json::array();
  for (std::string_view name : kCapabilityNames) capabilities.push_back(name);
  nlohmann::json archs = nlohmann::json::array();
  for (std::string_view arch : validate_detail::kSeccompArchitectures) {
    if (KnowsArchitecture(std::string(arch))) archs.push_back(arch);
  }
  const scmp_version* v = seccomp_version();
  const std::string libseccomp = fmt::format("{}.{}.{}", v->major, v->minor, v->micro);
  nlohmann::json out = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", kSpecVersion},
      {"hooks", {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions", mount_options},
      {"linux",
       {{"namespaces", namespaces},
        {"capabilities", capabilities},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}}},
        {"seccomp",
         {{"enabled", true},
          {"actions", validate_detail::kSeccompActions},
          {"operators", validate_detail::kSeccompOperators},
          {"archs", archs},
          {"knownFlags", validate_detail::kSeccompFlags},
          {"supportedFlags", validate_detail::kSeccompFlags}}},
        // cask applies no LSM profile yet (ReadBundle refuses one).
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}},
        {"intelRdt", {{"enabled", false}}},
        {"mountExtensions", {{"idmap", {{"enabled", true}}}}}}},
      {"annotations", {{"io.github.seccomp.libseccomp.version", libseccomp}}}};
  return out.dump(4);
}

}  // namespace cask::oci
