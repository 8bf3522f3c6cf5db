// The readers of outside input that are fuzzed: each takes the input whole and either
// returns or refuses it with cask's own error (a cask::Error: ConfigError, StepError).
// Anything else that escapes (nlohmann's exceptions, std::out_of_range, a crash) is a
// finding. The fuzz targets (target.cpp) and the unit tests' replay of the corpus and of
// every finding (test/unit/fuzz_replay_test.cpp) run the same functions.
#pragma once

#include <cask/config_json.hpp>
#include <cask/oci.hpp>
#include <cask/seccomp_json.hpp>
#include <cask/state_json.hpp>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "cgroup/parse.hpp"
#include "common/mountinfo.hpp"
#include "common/user.hpp"
#include "net/netlink.hpp"

namespace cask::fuzz {

// Runs `read`, letting through nothing but a cask::Error.
template <class F>
void Refused(F&& read) {
  try {
    read();
  } catch (const Error&) {
  }
}

// The Config JSON reader and its validation (nsinit --config, a host's own files).
inline void ReadConfig(std::string_view text) { ParseConfig(text).Validate(); }

inline void ReadSeccomp(std::string_view text) { ParseSeccompProfile(text); }

// The OCI bundle's config.json, `cask exec --process`, `cask update -r`.
inline void ReadOciSpec(std::string_view text) {
  Refused([&] { oci::ParseSpec(text, "/bundle").Validate(); });
  Refused([&] { oci::ParseProcess(text); });
  oci::ParseUpdate(text);
}

// state.json's schema (ReadState turns the syntax errors into kCorruptState itself).
inline void ReadState(std::string_view text) {
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) StateFromJson(json);
}

// memory.stat, io.stat, cpu.stat, blkio, PSI, single values and lists.
inline void ReadCgroupStats(std::string_view text) {
  using namespace cgroup;
  Refused([&] { ParseSingle(text, "f"); });
  Refused([&] { ParseList(text, "f"); });
  Refused([&] { ParseFlatKeyed(text, "f"); });
  Refused([&] { ParseNestedKeyed(text, "f"); });
  Refused([&] { ParseBlkio(text, "f"); });
  ParsePressure(text, "f");
}

inline void ReadMountInfo(std::string_view text) {
  for (const auto& mount : ParseMountInfo(text)) mount.HasOption("ro");
}

// The image's /etc/passwd and /etc/group.
inline void ReadUsers(std::string_view text) {
  ParsePasswd(text);
  ParseGroup(text);
}

// A datagram of netlink replies, each reply's attributes, nested ones included.
inline void VisitAttrs(const char* data, size_t size, int depth) {
  net::ForEachAttr(data, size, [&](uint16_t, const char* value, size_t length) {
    if (depth < 4) VisitAttrs(value, length, depth + 1);
  });
}
inline void ReadNetlink(std::string_view text) {
  // Aligned, as the receive buffer is; the sequence number is the first reply's.
  std::vector<nlmsghdr> buffer(text.size() / sizeof(nlmsghdr) + 1);
  std::memcpy(buffer.data(), text.data(), text.size());
  const uint32_t seq = text.size() >= sizeof(nlmsghdr) ? buffer[0].nlmsg_seq : 0;
  std::string ack;
  net::WalkReplies(reinterpret_cast<const char*>(buffer.data()), text.size(), seq, [](const nlmsghdr& reply) {
    VisitAttrs(static_cast<const char*>(NLMSG_DATA(&reply)), reply.nlmsg_len - NLMSG_HDRLEN, 0);
  }, &ack);
}

struct Reader {
  const char* name;  // of its target, and of its corpus: test/fuzz/corpus/<name>/
  void (*read)(std::string_view);
};

inline constexpr Reader kReaders[] = {
    {"config", ReadConfig},      {"seccomp", ReadSeccomp},   {"oci_spec", ReadOciSpec},
    {"state", ReadState},        {"cgroup_stats", ReadCgroupStats}, {"mountinfo", ReadMountInfo},
    {"users", ReadUsers},        {"netlink", ReadNetlink},
};

}  // namespace cask::fuzz
