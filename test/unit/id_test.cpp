#include <cask/id.hpp>
#include <catch2/catch.hpp>
#include <string>

namespace {

std::string IdError(const std::string& id) {
  try {
    cask::ValidateId(id);
  } catch (const cask::Error& e) {
    CHECK(e.code() == cask::Errc::kInvalidId);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("valid container ids pass") {
  for (const char* id : {"web", "a", "my_container-1.2", "A+B", "0123456789abcdef"}) {
    INFO(id);
    CHECK_NOTHROW(cask::ValidateId(id));
  }
  CHECK_NOTHROW(cask::ValidateId(std::string(cask::kMaxIdLength, 'x')));
}

TEST_CASE("invalid container ids say why") {
  CHECK(IdError("") == "invalid container id \"\": empty");
  CHECK(IdError(std::string(cask::kMaxIdLength + 1, 'x')) ==
        "invalid container id \"" + std::string(cask::kMaxIdLength + 1, 'x') +
            "\": longer than 128 characters");
  CHECK(IdError(".") == "invalid container id \".\": not a name");
  CHECK(IdError("..") == "invalid container id \"..\": not a name");
  CHECK(IdError(".hidden") == "invalid container id \".hidden\": starts with '.'");
  CHECK(IdError("-rf") == "invalid container id \"-rf\": starts with '-'");
  CHECK(IdError("a/b") == "invalid container id \"a/b\": contains '/'");
  CHECK(IdError("a b") ==
        "invalid container id \"a b\": contains a character outside [A-Za-z0-9_+.-]");
  CHECK(IdError("caf\xc3\xa9") ==
        "invalid container id \"caf\xc3\xa9\": contains a character outside [A-Za-z0-9_+.-]");
}
