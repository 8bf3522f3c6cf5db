#include <sys/mount.h>

#include <cask/mount_options.hpp>
#include <catch2/catch.hpp>

using cask::ParseMountOptions;

TEST_CASE("flag words set and clear mount flags") {
  auto m = ParseMountOptions({"nosuid", "nodev", "noexec", "ro", "strictatime"});
  CHECK(m.flags == (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | MS_STRICTATIME));
  CHECK(m.clear == 0);
  CHECK(m.data.empty());
  CHECK(!m.bind);

  m = ParseMountOptions({"rw", "suid", "dev", "exec", "atime", "diratime", "norelatime",
                         "nostrictatime", "nomand", "async"});
  CHECK(m.flags == 0);
  CHECK(m.clear == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
                    MS_RELATIME | MS_STRICTATIME | MS_MANDLOCK | MS_SYNCHRONOUS));

  m = ParseMountOptions(
      {"sync", "dirsync", "remount", "mand", "noatime", "nodiratime", "relatime", "defaults"});
  CHECK(m.flags == (MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME |
                    MS_NODIRATIME | MS_RELATIME));
}

TEST_CASE("the later of two opposite words wins") {
  auto m = ParseMountOptions({"rw", "ro"});
  CHECK(m.flags == MS_RDONLY);
  CHECK(m.clear == 0);
  m = ParseMountOptions({"ro", "rw"});
  CHECK(m.flags == 0);
  CHECK(m.clear == MS_RDONLY);
}

TEST_CASE("bind and rbind are flags of their own") {
  auto m = ParseMountOptions({"bind"});
  CHECK(m.bind);
  CHECK(!m.recursive);
  CHECK(m.flags == 0);
  m = ParseMountOptions({"rbind", "ro"});
  CHECK(m.bind);
  CHECK(m.recursive);
  CHECK(m.flags == MS_RDONLY);
}

TEST_CASE("propagation words fill propagation") {
  CHECK(ParseMountOptions({"rprivate"}).propagation == (MS_PRIVATE | MS_REC));
  CHECK(ParseMountOptions({"private"}).propagation == MS_PRIVATE);
  CHECK(ParseMountOptions({"rshared"}).propagation == (MS_SHARED | MS_REC));
  CHECK(ParseMountOptions({"shared"}).propagation == MS_SHARED);
  CHECK(ParseMountOptions({"rslave"}).propagation == (MS_SLAVE | MS_REC));
  CHECK(ParseMountOptions({"slave"}).propagation == MS_SLAVE);
  CHECK(ParseMountOptions({"runbindable"}).propagation == (MS_UNBINDABLE | MS_REC));
  CHECK(ParseMountOptions({"unbindable"}).propagation == MS_UNBINDABLE);
  auto m = ParseMountOptions({"rbind", "rslave"});
  CHECK(m.flags == 0);
  CHECK(m.data.empty());
}

TEST_CASE("a mix of propagation types is detected") {
  CHECK(cask::IsSinglePropagation(0));
  CHECK(cask::IsSinglePropagation(ParseMountOptions({"private", "rprivate"}).propagation));
  CHECK(!cask::IsSinglePropagation(ParseMountOptions({"shared", "slave"}).propagation));
  CHECK(!cask::IsSinglePropagation(ParseMountOptions({"rprivate", "unbindable"}).propagation));
}

TEST_CASE("rro asks for a recursive read-only mount") {
  auto m = ParseMountOptions({"rbind", "rro"});
  CHECK(m.recursive_readonly);
  CHECK(m.flags == 0);
  CHECK(!ParseMountOptions({"rro", "rrw"}).recursive_readonly);
}

TEST_CASE("other words become data in order") {
  auto m = ParseMountOptions({"nosuid", "mode=755", "newinstance", "ro", "size=65536k"});
  CHECK(m.data == "mode=755,newinstance,size=65536k");
  CHECK(m.flags == (MS_NOSUID | MS_RDONLY));
  CHECK(ParseMountOptions({}).data.empty());
}

TEST_CASE("propagation names for rootfs_propagation") {
  CHECK(cask::PropagationFromName("rslave") == (MS_SLAVE | MS_REC));
  CHECK(cask::PropagationFromName("shared") == MS_SHARED);
  CHECK(!cask::PropagationFromName(""));
  CHECK(!cask::PropagationFromName("ro"));
  CHECK(!cask::PropagationFromName("rbind"));
}
