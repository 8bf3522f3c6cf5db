// OCI/fstab mount option words -> mount(2) flags, with runc's semantics.
//
// Flag words set or clear MS_* flags, the later word winning ("rw,ro" is read-only);
// propagation words ("rprivate", "shared", ...) go to `propagation`; "bind" and "rbind"
// to `bind` and `recursive`; "rro" asks for a recursive read-only mount
// (mount_setattr MOUNT_ATTR_RDONLY with AT_RECURSIVE), "rrw" cancels it; "tmpcopyup"
// fills a new tmpfs with what the image has at its mount point ("notmpcopyup" cancels
// it); "idmap" and "ridmap" make an idmapped bind (Mount::uid_mappings). Every other
// word is filesystem data, joined with "," in the given order ("mode=755,size=65536k").
#pragma once

#include <sys/mount.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cask {

struct MountFlags {
  unsigned long flags = 0;          // MS_* to set; never MS_BIND or MS_REC (see below)
  unsigned long clear = 0;          // MS_* named by a clearing word ("rw", "dev", ...)
  unsigned long propagation = 0;    // MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE, | MS_REC
  bool bind = false;                // "bind" or "rbind"
  bool recursive = false;           // "rbind"
  bool recursive_readonly = false;  // "rro"
  bool copy_up = false;             // "tmpcopyup"
  bool idmap = false;               // "idmap" or "ridmap": an idmapped bind
  bool recursive_idmap = false;     // "ridmap": its submounts idmapped too
  std::string data;
  bool operator==(const MountFlags&) const = default;
};

namespace mount_detail {

struct FlagWord {
  std::string_view word;
  bool clear;
  unsigned long flag;
};

inline constexpr std::array<FlagWord, 33> kFlagWords = {{
    {"acl", false, MS_POSIXACL},       {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},       {"defaults", false, 0},
    {"dev", true, MS_NODEV},           {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION}, {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},         {"mand", false, MS_MANDLOCK},
    {"noacl", true, MS_POSIXACL},      {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},        {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},      {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME}, {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME}, {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},      {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"relatime", false, MS_RELATIME},  {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},      {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},         {"symfollow", true, MS_NOSYMFOLLOW},
    {"sync", false, MS_SYNCHRONOUS},
}};

inline constexpr std::array<std::pair<std::string_view, unsigned long>, 8> kPropagations = {{
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},
    {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},
    {"runbindable", MS_UNBINDABLE | MS_REC},
}};

}  // namespace mount_detail

// The propagation flags of a word ("rslave" -> MS_SLAVE | MS_REC); nullopt otherwise.
inline std::optional<unsigned long> PropagationFromName(std::string_view name) {
  for (const auto& [word, flags] : mount_detail::kPropagations) {
    if (word == name) return flags;
  }
  return std::nullopt;
}

// True when `propagation` names at most one propagation type: "private" with "rprivate"
// is fine, "shared" with "slave" is not (mount(2) takes one type per call).
inline bool IsSinglePropagation(unsigned long propagation) {
  const unsigned long types = propagation & (MS_PRIVATE | MS_SHARED | MS_SLAVE | MS_UNBINDABLE);
  return (types & (types - 1)) == 0;
}

// Propagation words are OR-ed together; IsSinglePropagation() tells whether they mix.
inline MountFlags ParseMountOptions(const std::vector<std::string>& options) {
  MountFlags result;
  for (const std::string& option : options) {
    if (option == "bind" || option == "rbind") {
      result.bind = true;
      result.recursive = result.recursive || option == "rbind";
      continue;
    }
    if (option == "rro" || option == "rrw") {
      result.recursive_readonly = option == "rro";
      continue;
    }
    if (option == "idmap" || option == "ridmap") {
      result.idmap = true;
      result.recursive_idmap = option == "ridmap";
      continue;
    }
    if (option == "tmpcopyup" || option == "notmpcopyup") {
      result.copy_up = option == "tmpcopyup";
      continue;
    }
    if (auto propagation = PropagationFromName(option)) {
      result.propagation |= *propagation;
      continue;
    }
    const mount_detail::FlagWord* flag_word = nullptr;
    for (const auto& candidate : mount_detail::kFlagWords) {
      if (candidate.word == option) flag_word = &candidate;
    }
    if (flag_word == nullptr) {
      if (!result.data.empty()) result.data += ',';
      result.data += option;
    } else if (flag_word->clear) {
      result.flags &= ~flag_word->flag;
      result.clear |= flag_word->flag;
    } else {
      result.flags |= flag_word->flag;
      result.clear &= ~flag_word->flag;
    }
  }
  return result;
}

}  // namespace cask
