// Container::StreamIn and StreamOut: a tree round-trips through a running container
// (modes, owners, symlinks, a 50 MB file by hash), and hostile archives and hostile
// symlinks in the container write and read nothing outside it (a host canary each).
#include <archive.h>
#include <archive_entry.h>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "canary.hpp"
#include "harness.hpp"

namespace fs = std::filesystem;
using cask::test::Harness;
using cask::test::ReadFile;

namespace {

// A directory of the test's own, removed with its object.
struct TempDir {
  std::string path;
  explicit TempDir(const std::string& stem) {
    std::string name = "/tmp/" + stem + "-XXXXXX";
    if (mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path = name;
  }
  ~TempDir() { fs::remove_all(path); }
};

// Output of a shell command on the host.
std::string Host(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  CHECK(pclose(pipe) == 0);
  return out;
}

// What a command run in the container printed.
std::string Inside(cask::Container& c, std::vector<std::string> args) {
  cask::Process process(c.Config().process);
  process.args = std::move(args);
  process.out = process.err = cask::Stdio::Pipe();
  c.Exec(process);
  auto result = Harness::Collect(process);
  INFO(result.err);
  CHECK(result.status.code == 0);
  return result.out;
}

cask::unique_fd OpenRead(const std::string& path) { return cask::unique_fd(open(path.c_str(), O_RDONLY | O_CLOEXEC)); }
cask::unique_fd OpenWrite(const std::string& path) {
  return cask::unique_fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
}

// One entry of an archive the test writes itself, as a hostile sender would.
struct Entry {
  std::string name;
  mode_t type = AE_IFREG;
  std::string data;     // a file's content
  std::string link;     // a symlink's target
  std::string hardlink;
};
Entry File(std::string name, std::string data) { return {std::move(name), AE_IFREG, std::move(data), "", ""}; }
Entry Symlink(std::string name, std::string target) { return {std::move(name), AE_IFLNK, "", std::move(target), ""}; }
Entry Hardlink(std::string name, std::string target) { return {std::move(name), AE_IFREG, "", "", std::move(target)}; }
Entry Device(std::string name) { return {std::move(name), AE_IFCHR, "", "", ""}; }

void WriteArchive(const std::string& path, const std::vector<Entry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, 0644);
    if (!e.link.empty()) archive_entry_set_symlink(entry, e.link.c_str());
    if (!e.hardlink.empty()) archive_entry_set_hardlink(entry, e.hardlink.c_str());
    if (e.type == AE_IFCHR) archive_entry_set_rdev(entry, makedev(1, 3));
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    REQUIRE(archive_write_header(a, entry) == ARCHIVE_OK);
    if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

cask::ScopedContainer Sleeper(Harness& h, bool start = true) {
  cask::Config config = h.BaseConfig();
  config.root.readonly = false;
  cask::Process process(config.process);
  process.args = {"/probe", "sleep", "100"};
  process.out = process.err = cask::Stdio::Null();
  const std::string id = cask::test::NewId("stream");
  return cask::ScopedContainer(start ? h.factory().Run(id, config, process) : h.factory().Create(id, config, process));
}

std::string StatOf(const std::string& path) {
  struct stat st{};
  lstat(path.c_str(), &st);
  char text[64];
  std::snprintf(text, sizeof text, "%o %u:%u", st.st_mode & 07777, st.st_uid, st.st_gid);
  return text;
}

}  // namespace

TEST_CASE("a tree streams into a running container and out of it unchanged", "[stream]") {
  Harness h;
  TempDir work("stream-tree");
  const std::string src = work.path + "/src/tree";
  fs::create_directories(src + "/sub");
  std::ofstream(src + "/sub/a") << "hello\n";
  std::ofstream(src + "/owned") << "owned\n";
  REQUIRE(chown((src + "/owned").c_str(), 1234, 5678) == 0);
  fs::create_symlink("sub/a", src + "/link");
  {
    std::ofstream big(src + "/big", std::ios::binary);
    std::mt19937_64 random(42);
    std::vector<uint64_t> block(1 << 16);
    for (int i = 0; i < 50 * 1024 * 1024 / static_cast<int>(block.size() * 8); ++i) {
      for (auto& word : block) word = random();
      big.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(block.size() * 8));
    }
  }
  chmod((src + "/sub").c_str(), 0750);
  chmod((src + "/sub/a").c_str(), 0604);
  Host("tar -C " + work.path + "/src -cf " + work.path + "/in.tar tree");

  auto c = Sleeper(h);
  c->StreamIn("/data", OpenRead(work.path + "/in.tar").get());
  const std::string host_hash = Host("sha256sum < " + src + "/big").substr(0, 64);
  CHECK(Inside(*c, {"/bin/sh", "-c", "sha256sum < /data/tree/big"}).substr(0, 64) == host_hash);
  CHECK(Inside(*c, {"/bin/stat", "-c", "%a %u:%g", "/data/tree/sub", "/data/tree/sub/a", "/data/tree/owned"}) ==
        "750 0:0\n604 0:0\n644 1234:5678\n");
  CHECK(Inside(*c, {"/bin/readlink", "/data/tree/link"}) == "sub/a\n");
  CHECK(Inside(*c, {"/bin/cat", "/data/tree/link"}) == "hello\n");

  c->StreamOut("/data/tree", OpenWrite(work.path + "/out.tar").get());
  fs::create_directories(work.path + "/dst");
  Host("tar -C " + work.path + "/dst --numeric-owner -xpf " + work.path + "/out.tar");
  const std::string dst = work.path + "/dst/tree";
  Host("cmp " + src + "/big " + dst + "/big");
  CHECK(ReadFile(dst + "/sub/a") == "hello\n");
  CHECK(fs::read_symlink(dst + "/link") == "sub/a");
  CHECK(StatOf(dst + "/sub") == "750 0:0");
  CHECK(StatOf(dst + "/sub/a") == "604 0:0");
  CHECK(StatOf(dst + "/owned") == "644 1234:5678");
}

TEST_CASE("files stream into and out of a created and a paused container", "[stream]") {
  Harness h;
  TempDir work("stream-states");
  WriteArchive(work.path + "/one.tar", {File("one", "1\n")});
  {
    auto c = Sleeper(h, /*start=*/false);
    c->StreamIn("/in", OpenRead(work.path + "/one.tar").get());
    CHECK(ReadFile(h.rootfs().Path() + "/in/one") == "1\n");
  }
  auto c = Sleeper(h);
  c->Pause();
  c->StreamIn("/paused", OpenRead(work.path + "/one.tar").get());
  c->StreamOut("/paused/one", OpenWrite(work.path + "/out.tar").get());
  CHECK(c->Status() == cask::Status::kPaused);
  c->Resume();
  CHECK(Host("tar -xOf " + work.path + "/out.tar one") == "1\n");
}

TEST_CASE("StreamIn sees the container's mounts and writes as the given user", "[stream]") {
  Harness h;
  TempDir work("stream-user");
  WriteArchive(work.path + "/mine.tar", {File("mine", "x")});
  auto c = Sleeper(h);
  // /dev/shm is a tmpfs of the container's own: nothing of it is in the rootfs directory.
  c->StreamIn("/dev/shm/alice", OpenRead(work.path + "/mine.tar").get(), "alice");
  CHECK(Inside(*c, {"/bin/stat", "-c", "%u:%g", "/dev/shm/alice", "/dev/shm/alice/mine"}) == "1000:1000\n1000:1000\n");
  CHECK_FALSE(fs::exists(h.rootfs().Path() + "/dev/shm/alice"));
  // alice may not write in the root's /etc.
  try {
    c->StreamIn("/etc", OpenRead(work.path + "/mine.tar").get(), "1000:1000");
    FAIL("alice wrote to /etc");
  } catch (const cask::Error& e) {
    CHECK(e.code() == std::errc::permission_denied);
    CHECK_THAT(e.what(), Catch::Contains("stream into '") && Catch::Contains("mine"));
  }
  CHECK_FALSE(fs::exists(h.rootfs().Path() + "/etc/mine"));
  try {
    c->StreamIn("/x", OpenRead(work.path + "/mine.tar").get(), "mallory");
    FAIL("no such user");
  } catch (const cask::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("mallory"));
  }
}

TEST_CASE("StreamIn and StreamOut act in the container's user namespace", "[stream]") {
  Harness h;
  TempDir work("stream-userns");
  WriteArchive(work.path + "/f.tar", {File("f", "mapped\n")});
  cask::Config config = h.BaseConfig();
  config.root.readonly = false;
  config.namespaces.push_back({cask::NamespaceType::kUser, ""});
  config.uid_mappings = {{0, 100000, 65536}};
  config.gid_mappings = {{0, 100000, 65536}};
  cask::Process process(config.process);
  process.args = {"/probe", "sleep", "100"};
  process.out = process.err = cask::Stdio::Null();
  cask::ScopedContainer c(h.factory().Run(cask::test::NewId("stream-userns"), config, process));
  // Root inside is uid 100000 outside: it owns the container's own /dev/shm...
  c->StreamIn("/dev/shm/in", OpenRead(work.path + "/f.tar").get());
  const std::string host_path = "/proc/" + std::to_string(c->State().init_pid) + "/root/dev/shm/in/f";
  CHECK(StatOf(host_path) == "644 100000:100000");
  CHECK(Inside(*c, {"/bin/stat", "-c", "%u:%g", "/dev/shm/in/f"}) == "0:0\n");
  c->StreamOut("/dev/shm/in/f", OpenWrite(work.path + "/out.tar").get());
  CHECK(Host("tar -xOf " + work.path + "/out.tar f") == "mapped\n");
  CHECK(Host("tar --numeric-owner -tvf " + work.path + "/out.tar").find(" 0/0 ") != std::string::npos);
  // ...but not the rootfs, which belongs to host root, unmapped there.
  try {
    c->StreamIn("/etc", OpenRead(work.path + "/f.tar").get());
    FAIL("root of the user namespace wrote to host root's /etc");
  } catch (const cask::Error& e) {
    CHECK(e.code() == std::errc::permission_denied);
  }
  CHECK_FALSE(fs::exists(h.rootfs().Path() + "/etc/f"));
}

TEST_CASE("hostile archives write nothing outside the directory they stream into", "[stream]") {
  Harness h;
  cask::test::Canary canary;
  const std::string secret = canary.Path() + "/marker";
  TempDir work("stream-hostile");
  const std::string up = "../../../../../../../../..";
  const std::vector<std::pair<std::string, std::vector<Entry>>> archives = {
      {"dotdot", {File(up + canary.Path() + "/dotdot", "x")}},
      {"absolute", {File(canary.Path() + "/absolute", "x")}},
      {"through a symlink it made",
       {Symlink("esc", canary.Path()), File("esc/through", "x")}},
      {"through a relative symlink",
       {Symlink("up", up), File("up" + canary.Path() + "/via-up", "x")}},
      {"a hardlink out", {Hardlink("hl", up + secret)}},
      {"a hardlink by absolute name", {Hardlink("hl", secret)}},
      {"a symlink replaced by a file",
       {Symlink("s", secret), File("s", "overwritten\n")}},
      {"a device node", {Device("mem")}},
  };
  auto c = Sleeper(h);
  for (const auto& [what, entries] : archives) {
    INFO(what);
    const std::string tar = work.path + "/hostile.tar";
    WriteArchive(tar, entries);
    // Each is refused by the archive's fault, but the last symlink: a file takes its place.
    const bool replaced = what == "a symlink replaced by a file";
    try {
      c->StreamIn("/in", OpenRead(tar).get());
      CHECK(replaced);
      CHECK(ReadFile(h.rootfs().Path() + "/in/s") == "overwritten\n");
    } catch (const cask::Error& e) {
      INFO(e.what());
      CHECK_FALSE(replaced);
      CHECK(e.code() == cask::Errc::kBadArchive);
      CHECK_THAT(e.what(), Catch::Contains("stream into '") && Catch::Contains("entry '"));
    }
    CHECK(canary.Untouched());
    CHECK(fs::hard_link_count(secret) == 1);
    CHECK_FALSE(fs::exists(h.rootfs().Path() + "/in/mem"));
  }
  // A broken archive is an error of the archive's, naming it; a good one still works.
  std::ofstream(work.path + "/garbage.tar") << std::string(1024, 'g');
  try {
    c->StreamIn("/in", OpenRead(work.path + "/garbage.tar").get());
    FAIL("garbage extracted");
  } catch (const cask::Error& e) {
    CHECK(e.code() == cask::Errc::kBadArchive);
  }
  WriteArchive(work.path + "/good.tar", {File("good", "ok")});
  c->StreamIn("/in", OpenRead(work.path + "/good.tar").get());
  CHECK(ReadFile(h.rootfs().Path() + "/in/good") == "ok");
}

TEST_CASE("symlinks in the container lead StreamIn and StreamOut nowhere outside it", "[stream]") {
  Harness h;
  cask::test::Canary canary;
  TempDir work("stream-links");
  WriteArchive(work.path + "/f.tar", {File("f", "x")});
  const std::string root = h.rootfs().Path();
  // What a payload could have made in its root: links to the host path of the canary.
  fs::create_symlink(canary.Path(), root + "/evil");
  fs::create_symlink("../../../../../../../../.." + canary.Path(), root + "/up");
  fs::create_directories(root + canary.Path());  // where those links lead inside
  auto c = Sleeper(h);
  c->StreamIn("/evil", OpenRead(work.path + "/f.tar").get());
  c->StreamIn("/up", OpenRead(work.path + "/f.tar").get());
  CHECK(fs::exists(root + canary.Path() + "/f"));
  CHECK_FALSE(fs::exists(canary.Path() + "/f"));

  for (const std::string path : {"/evil/marker", "/up/marker", "/evil", "/up"}) {
    INFO(path);
    const std::string out = work.path + "/out.tar";
    try {
      c->StreamOut(path, OpenWrite(out).get());
    } catch (const cask::Error& e) {
      CHECK(e.code() == std::errc::no_such_file_or_directory);
    }
    CHECK(ReadFile(out).find("marker") == std::string::npos);
  }
}

TEST_CASE("StreamIn and StreamOut refuse what they cannot do and leave nothing", "[stream]") {
  Harness h;
  TempDir work("stream-refuse");
  WriteArchive(work.path + "/f.tar", {File("f", "x")});
  auto c = Sleeper(h);
  CHECK_THROWS_WITH(c->StreamIn("data", OpenRead(work.path + "/f.tar").get()),
                    Catch::Contains("path") && Catch::Contains("absolute"));
  try {
    c->StreamOut("/no/such", OpenWrite(work.path + "/out.tar").get());
    FAIL("streamed out a missing path");
  } catch (const cask::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("stream out of '") && Catch::Contains("/no/such"));
  }
  // A reader that goes away ends the helper, and the call says so.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  close(fds[0]);
  CHECK_THROWS_AS(c->StreamOut("/bin", fds[1]), cask::Error);
  close(fds[1]);
  c->Stop(std::chrono::milliseconds(100));
  try {
    c->StreamIn("/data", OpenRead(work.path + "/f.tar").get());
    FAIL("streamed into a stopped container");
  } catch (const cask::Error& e) {
    CHECK(e.code() == cask::Errc::kBadState);
  }
}

TEST_CASE("StreamOut into a pipe widens it to 1 MiB", "[stream]") {
  Harness h;
  auto c = Sleeper(h);
  for (int before : {65536, 1 << 20}) {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    cask::unique_fd reader(fds[0]), writer(fds[1]);
    REQUIRE(fcntl(writer.get(), F_SETPIPE_SZ, before) == before);
    std::string archive;
    std::thread drain([&] {
      char buf[65536];
      for (ssize_t n; (n = read(reader.get(), buf, sizeof buf)) > 0;) archive.append(buf, n);
    });
    c->StreamOut("/bin", writer.get());
    const int after = fcntl(writer.get(), F_GETPIPE_SZ);
    writer.reset();
    drain.join();
    CHECK(after == 1 << 20);
    CHECK(archive.size() % 512 == 0);
    CHECK(archive.size() > 512);
  }
}
