#include "init/phase_marks.hpp"

#include <time.h>

#include <array>
#include <cstdint>

namespace cask {
namespace {

struct Marked {
  const char* name;
  int64_t ns;
};
// More than init marks; a mark past the end is dropped rather than allocated for.
std::array<Marked, 16> marks;
size_t count = 0;

}  // namespace

void MarkPhase(const char* name) {
  if (count == marks.size()) return;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  marks[count++] = {name, int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec};
}

nlohmann::json PhaseMarks() {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < count; ++i) list.push_back({marks[i].name, marks[i].ns});
  return list;
}

}  // namespace cask
