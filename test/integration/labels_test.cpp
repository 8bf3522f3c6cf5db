// Labels (garden's properties): kept in the state, seen from another process, changed
// by many writers without a loss, and List filters on them.
#include <catch2/catch.hpp>

#include <thread>

#include "harness.hpp"

using cask::test::Harness;
using cask::test::Nsinit;

namespace {

cask::ScopedContainer Created(Harness& h, const std::string& stem) {
  cask::Process process(h.BaseConfig().process);
  return cask::ScopedContainer(h.factory().Create(cask::test::NewId(stem), h.BaseConfig(), process));
}

}  // namespace

TEST_CASE("labels are kept in the state, seen by another process and filtered by List", "[labels]") {
  Harness h;
  auto a = Created(h, "label-a");
  auto b = Created(h, "label-b");
  auto c = Created(h, "label-c");
  a->SetLabels({{"job", "build"}, {"owner", "ci"}});
  b->SetLabel("job", "build");
  c->SetLabel("job", "test");
  CHECK(a->Labels() == cask::Labels{{"job", "build"}, {"owner", "ci"}});

  // Another process (nsinit) reads them, and its changes are seen here.
  auto shown = Nsinit({"--root", h.state_root(), "label", a->Id()});
  CHECK(shown.code == 0);
  CHECK(shown.out == "job=build\nowner=ci\n");
  CHECK(Nsinit({"--root", h.state_root(), "label", b->Id(), "owner=ci", "tier=2"}).code == 0);
  CHECK(Nsinit({"--root", h.state_root(), "label", a->Id(), "--remove", "owner"}).code == 0);
  CHECK(h.factory().Load(b->Id()).Labels() == cask::Labels{{"job", "build"}, {"owner", "ci"}, {"tier", "2"}});
  CHECK(a->Labels() == cask::Labels{{"job", "build"}});

  using Ids = std::vector<std::string>;
  CHECK(h.factory().List({{"job", "build"}}) == Ids{a->Id(), b->Id()});
  CHECK(h.factory().List({{"job", "build"}, {"owner", "ci"}}) == Ids{b->Id()});
  CHECK(h.factory().List({{"job", "deploy"}}).empty());
  CHECK(h.factory().List({}).size() == 3);
  auto listed = Nsinit({"--root", h.state_root(), "list", "--label", "job=build", "--label", "tier=2", "-f", "json"});
  CHECK(listed.code == 0);
  auto rows = nlohmann::json::parse(listed.out);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["id"] == b->Id());
  CHECK(rows[0]["labels"]["tier"] == "2");
}

TEST_CASE("a bad label is refused by name and changes nothing", "[labels]") {
  Harness h;
  auto a = Created(h, "label-bad");
  a->SetLabel("kept", "1");
  CHECK_THROWS_WITH(a->SetLabels({{"fine", "1"}, {"a=b", "x"}}), Catch::Contains("labels") && Catch::Contains("'='"));
  CHECK_THROWS_WITH(a->SetLabel("", "x"), Catch::Contains("labels"));
  CHECK_THROWS_WITH(a->SetLabel("k", "two\nlines"), Catch::Contains("labels.k") && Catch::Contains("control"));
  CHECK_THROWS_WITH(a->SetLabel("k", "\xff\xfe"), Catch::Contains("labels.k") && Catch::Contains("UTF-8"));
  CHECK(a->Labels() == cask::Labels{{"kept", "1"}});
  auto bad = Nsinit({"--root", h.state_root(), "label", a->Id(), "novalue"});
  CHECK(bad.code != 0);
  CHECK_THAT(bad.err, Catch::Contains("K=V"));
  CHECK_THROWS_AS(h.factory().Load("cask-no-such").SetLabel("k", "v"), cask::Error);
}

TEST_CASE("labels set from many threads at once are all kept", "[labels]") {
  Harness h;
  auto a = Created(h, "label-many");
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] { h.factory().Load(a->Id()).SetLabel("k" + std::to_string(i), std::to_string(i)); });
  }
  for (auto& t : threads) t.join();
  CHECK(a->Labels().size() == 16);
}
