// Mount option words (OCI/fstab: "nosuid", "ro", "rbind", "rprivate", "rro", "mode=755")
// turned into mount flags, propagation and data, with runc's meanings.
#pragma once

#include <sys/mount.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cask {

struct MountFlags {
  unsigned long flags = 0;        // MS_* to set
  unsigned long clear = 0;        // MS_* a word turned off ("rw", "suid", ...)
  unsigned long propagation = 0;  // MS_PRIVATE, MS_SHARED, ... with MS_REC when recursive
  bool bind = false;              // "bind" or "rbind"
  bool recursive = false;         // "rbind"
  bool recursive_readonly = false;  // "rro": read-only on every submount (mount_setattr)
  std::string data;               // every other word, comma-joined, for the filesystem
};

namespace detail {

struct FlagWord {
  std::string_view word;
  bool clear;  // the word turns the flag off
  unsigned long flag;
};

inline constexpr FlagWord kFlagWords[] = {
    {"ro", false, MS_RDONLY},          {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},      {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},        {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},      {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},   {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},      {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},  {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
};

struct PropagationWord {
  std::string_view word;
  unsigned long flags;
};

inline constexpr PropagationWord kPropagationWords[] = {
    {"private", MS_PRIVATE},          {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},            {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},              {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},    {"runbindable", MS_UNBINDABLE | MS_REC},
};

}  // namespace detail

inline std::optional<unsigned long> PropagationFromName(std::string_view name) {
  for (const auto& p : detail::kPropagationWords) {
    if (p.word == name) return p.flags;
  }
  return std::nullopt;
}

inline MountFlags ParseMountOptions(const std::vector<std::string>& options) {
  MountFlags out;
  for (const auto& option : options) {
    bool known = false;
    for (const auto& f : detail::kFlagWords) {
      if (f.word != option) continue;
      known = true;
      if (f.clear) {
        out.flags &= ~f.flag;
        out.clear |= f.flag;
      } else {
        out.flags |= f.flag;
        out.clear &= ~f.flag;
      }
    }
    if (known) continue;
    if (auto propagation = PropagationFromName(option)) {
      out.propagation = *propagation;
    } else if (option == "bind" || option == "rbind") {
      out.bind = true;
      out.recursive = out.recursive || option == "rbind";
    } else if (option == "rro") {
      out.recursive_readonly = true;
    } else {
      out.data += (out.data.empty() ? "" : ",") + option;
    }
  }
  return out;
}

}  // namespace cask
