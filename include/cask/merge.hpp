// Merge(base, update): what Container::Update records. Every field that `update` sets
// replaces base's; an unset optional, an empty string or list, or a plain field equal to
// its default leaves base's alone. Nested optional structs merge field by field, and maps
// key by key. It walks the same Describe() field lists as the JSON mapping.
#pragma once

#include "cask/config_json.hpp"

namespace cask {
namespace merge_detail {

template <class T>
void MergeField(T& base, const T& update);

template <class S>
class Merger {
 public:
  Merger(S& base, const S& update) : base_(base), update_(update) {}

  template <class T>
  void Field(std::string_view, T S::*member, bool = false) {
    MergeField(base_.*member, update_.*member);
  }

 private:
  S& base_;
  const S& update_;
};

template <class T>
void MergeValue(T& base, const T& update) {
  if constexpr (json_detail::Described<T>) {
    Merger<T> merger(base, update);
    json_detail::Describe(merger, static_cast<T*>(nullptr));
  } else if (update != T{}) {
    base = update;
  }
}

// A set optional is a value the caller chose, zero and false included (cpu idle 0,
// disable_oom_killer false): only a struct merges into the one already there.
template <class T>
void MergeValue(std::optional<T>& base, const std::optional<T>& update) {
  if (!update) return;
  if constexpr (json_detail::Described<T>) {
    if (base) return MergeValue(*base, *update);
  }
  base = update;
}

template <class T>
void MergeValue(std::map<std::string, T>& base, const std::map<std::string, T>& update) {
  for (const auto& [key, value] : update) base[key] = value;
}

template <class T>
void MergeField(T& base, const T& update) {
  MergeValue(base, update);
}

}  // namespace merge_detail

template <class S>
void Merge(S& base, const S& update) {
  merge_detail::MergeValue(base, update);
}

}  // namespace cask
