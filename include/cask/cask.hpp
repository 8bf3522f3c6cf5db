// The cask public API: #include <cask/cask.hpp>.
#pragma once

#include "cask/capabilities.hpp"
#include "cask/config.hpp"
#include "cask/config_json.hpp"
#include "cask/defaults.hpp"
#include "cask/error.hpp"
#include "cask/id.hpp"
#include "cask/mount_options.hpp"
#include "cask/namespaces.hpp"
#include "cask/rlimits.hpp"
#include "cask/unique_fd.hpp"
#include "cask/validate.hpp"
