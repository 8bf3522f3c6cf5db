#include <catch2/catch.hpp>
#include <cask/error.hpp>

TEST_CASE("a cask error code reads as its message") {
  cask::Error e(cask::Errc::kNotFound, "load 'web': no such container");
  CHECK(std::string(e.what()) == "load 'web': no such container");
  CHECK(e.code() == cask::Errc::kNotFound);
}

TEST_CASE("an errno error appends strerror") {
  cask::Error e(EPERM, "mount proc on /proc");
  CHECK(std::string(e.what()) == "mount proc on /proc: Operation not permitted");
  CHECK(e.code() == std::errc::operation_not_permitted);
}
