// Labels, as garden's properties: kept in the state file, changed under its lock.
#include <cask/container.hpp>
#include <cask/factory.hpp>

#include <nlohmann/json.hpp>

#include "host/factory_impl.hpp"

namespace cask {
namespace {

constexpr size_t kMaxKey = 256;
constexpr size_t kMaxValue = 4096;

// A key is printable ASCII without '=' or spaces (nsinit label takes K=V); a value is
// text of one line. Both must be UTF-8, as the state file is JSON.
void ValidateLabel(const std::string& key, const std::string& value) {
  const std::string field = "labels." + key;
  if (key.empty() || key.size() > kMaxKey) {
    throw ConfigError("labels", "a key has 1 to " + std::to_string(kMaxKey) + " bytes, got " +
                                    std::to_string(key.size()));
  }
  for (unsigned char c : key) {
    if (c <= ' ' || c >= 0x7f || c == '=') {
      const std::string shown = nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      throw ConfigError("labels", "key " + shown + ": printable ASCII only, without '=' or spaces");
    }
  }
  if (value.size() > kMaxValue) {
    throw ConfigError(field, "a value has at most " + std::to_string(kMaxValue) + " bytes, got " +
                                 std::to_string(value.size()));
  }
  for (unsigned char c : value) {
    if (c < ' ' || c == 0x7f) throw ConfigError(field, "a value may not hold control characters");
  }
  try {
    (void)nlohmann::json(value).dump();  // the state file's writer refuses what is not UTF-8
  } catch (const nlohmann::json::exception&) {
    throw ConfigError(field, "the value is not UTF-8");
  }
}

}  // namespace

cask::Labels Container::Labels() const { return factory_->ReadState(id_).labels; }

void Container::SetLabels(const cask::Labels& labels) {
  for (const auto& [key, value] : labels) ValidateLabel(key, value);
  factory_->UpdateState(id_, [&](cask::State& state) {
    for (const auto& [key, value] : labels) state.labels[key] = value;
  });
}

void Container::RemoveLabel(const std::string& key) {
  factory_->UpdateState(id_, [&](cask::State& state) { state.labels.erase(key); });
}

std::vector<std::string> Factory::List(const cask::Labels& filter) const {
  std::vector<std::string> ids;
  for (const auto& id : List()) {
    cask::Labels labels;
    try {
      labels = impl_->ReadState(id).labels;
    } catch (const Error&) {
      continue;  // destroyed since, or unreadable: it matches no filter
    }
    bool match = true;
    for (const auto& [key, value] : filter) {
      auto it = labels.find(key);
      match = match && it != labels.end() && it->second == value;
    }
    if (match) ids.push_back(id);
  }
  return ids;
}

}  // namespace cask
