// What the cgroup manager is asked to apply for a container's config.
#pragma once

#include <cask/config.hpp>

namespace cask {

// The config's device rules, then an allow rule for each device the config makes in
// /dev (as runc does): a node the config asks for is one the container may use.
inline std::vector<DeviceRule> DeviceRulesWithDevices(std::vector<DeviceRule> rules,
                                                      const std::vector<Device>& devices) {
  for (const Device& d : devices) {
    if (d.type == 'p') continue;  // a fifo: the device cgroup does not govern it
    rules.push_back(DeviceRule{true, d.type == 'b' ? 'b' : 'c', d.major, d.minor, "rwm"});
  }
  return rules;
}

// The resources Create applies.
inline Resources CgroupResources(const Config& config) {
  Resources resources = config.cgroup.resources;
  resources.devices = DeviceRulesWithDevices(std::move(resources.devices), config.devices);
  return resources;
}

}  // namespace cask
