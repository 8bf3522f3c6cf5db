// A value of config.json with its JSON path, so that every refusal names where it is.
#pragma once

#include <cask/error.hpp>

#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cask::oci_detail {

class Node {
 public:
  Node(const nlohmann::json* value, std::string path) : value_(value), path_(std::move(path)) {}

  // Absent or null: the spec treats both as "not set".
  bool Present() const { return value_ != nullptr && !value_->is_null(); }
  const std::string& Path() const { return path_; }
  [[noreturn]] void Fail(const std::string& reason) const { throw ConfigError(path_, reason); }

  // A member of an object (absent when the key is missing).
  Node operator[](const char* key) const {
    const std::string path = path_.empty() ? key : path_ + "." + key;
    if (!Present()) return Node(nullptr, path);
    if (!value_->is_object()) Fail("must be an object");
    auto it = value_->find(key);
    return Node(it == value_->end() ? nullptr : &*it, path);
  }
  std::vector<Node> Items() const {
    std::vector<Node> items;
    if (!Present()) return items;
    if (!value_->is_array()) Fail("must be an array");
    for (size_t i = 0; i < value_->size(); ++i) items.emplace_back(&(*value_)[i], path_ + "[" + std::to_string(i) + "]");
    return items;
  }
  std::vector<std::pair<std::string, Node>> Members() const {
    std::vector<std::pair<std::string, Node>> members;
    if (!Present()) return members;
    if (!value_->is_object()) Fail("must be an object");
    for (const auto& [key, value] : value_->items()) members.emplace_back(key, Node(&value, path_ + "." + key));
    return members;
  }

  std::string String() const {
    if (!Present() || !value_->is_string()) Fail("must be a string");
    return value_->get<std::string>();
  }
  bool Bool() const {
    if (!Present() || !value_->is_boolean()) Fail("must be true or false");
    return value_->get<bool>();
  }
  template <class T>
  T Integer() const {
    if (!Present() || !value_->is_number_integer()) Fail("must be an integer");
    if (value_->is_number_unsigned()) {
      const auto v = value_->get<uint64_t>();
      if (v > static_cast<uint64_t>(std::numeric_limits<T>::max())) Fail(OutOfRange<T>());
      return static_cast<T>(v);
    }
    const auto v = value_->get<int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (v < 0) Fail(OutOfRange<T>());
      if (static_cast<uint64_t>(v) > std::numeric_limits<T>::max()) Fail(OutOfRange<T>());
    } else {
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) Fail(OutOfRange<T>());
    }
    return static_cast<T>(v);
  }

  // The value when present, `fallback` otherwise.
  std::string StringOr(const std::string& fallback) const { return Present() ? String() : fallback; }
  bool BoolOr(bool fallback) const { return Present() ? Bool() : fallback; }
  template <class T>
  std::optional<T> OptionalInteger() const {
    return Present() ? std::optional<T>(Integer<T>()) : std::nullopt;
  }
  std::vector<std::string> Strings() const {
    std::vector<std::string> out;
    for (const Node& item : Items()) out.push_back(item.String());
    return out;
  }
  std::map<std::string, std::string> StringMap() const {
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : Members()) out[key] = value.String();
    return out;
  }

 private:
  template <class T>
  static std::string OutOfRange() {
    return "must be between " + std::to_string(std::numeric_limits<T>::min()) + " and " +
           std::to_string(std::numeric_limits<T>::max());
  }
  const nlohmann::json* value_;
  std::string path_;
};

}  // namespace cask::oci_detail
