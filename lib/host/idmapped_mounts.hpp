// Idmapped binds (Mount::uid_mappings, "idmap"/"ridmap"): the host clones each source
// tree and gives it its mapping, and init attaches the trees in its mount namespace, as
// runc 1.2 does. The host must: setting a mapping needs CAP_SYS_ADMIN over the source
// mount's user namespace, which init in a user namespace of its own does not have.
#pragma once

#include <cask/config.hpp>
#include <cask/unique_fd.hpp>

#include <string>
#include <vector>

namespace cask {

// One detached, idmapped tree per idmapped mount of `config`, in the order of
// config.mounts. Throws cask::Error with `context`.
std::vector<unique_fd> MakeIdmappedTrees(const Config& config, const std::string& context);

}  // namespace cask
