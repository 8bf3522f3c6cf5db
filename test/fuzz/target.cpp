// One libFuzzer target: the reader of readers.hpp named CASK_FUZZ_READER, given by
// test/fuzz/meson.build.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "readers.hpp"

namespace {

const cask::fuzz::Reader& Target() {
  for (const auto& reader : cask::fuzz::kReaders) {
    if (std::string_view(reader.name) == CASK_FUZZ_READER) return reader;
  }
  std::abort();  // a name in meson.build that readers.hpp lacks
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cask::fuzz::Reader& reader = Target();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cask::fuzz::Refused([&] { reader.read(text); });
  return 0;
}
