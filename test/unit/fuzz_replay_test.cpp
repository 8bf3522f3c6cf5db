// Every input of the fuzz corpus (test/fuzz/corpus/<reader>/: seeds, and each finding
// kept once fixed) replayed through its reader: nothing but a cask::Error comes out.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz_corpus.hpp"
#include "readers.hpp"

TEST_CASE("every fuzz corpus input is read or refused with cask's own error", "[fuzz]") {
  for (const auto& reader : cask::fuzz::kReaders) {
    const std::filesystem::path dir = std::filesystem::path(CASK_FUZZ_CORPUS) / reader.name;
    REQUIRE(std::filesystem::is_directory(dir));
    size_t inputs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      INFO(entry.path());
      CHECK_NOTHROW(cask::fuzz::Refused([&] { reader.read(text.str()); }));
      ++inputs;
    }
    INFO(reader.name);
    CHECK(inputs > 0);
  }
}
