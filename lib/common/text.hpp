// Small files and their text, without iostreams: code that init runs stays clear of
// the C++ locale machinery, which would double the init binary and its start-up work.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cask {

// The whole file at `path` into `out`; false with errno set when it cannot be read.
bool ReadWholeFile(const std::string& path, std::string& out);
// The rest of the open file `fd` into `out`; false with errno set on a read error.
bool ReadAllFrom(int fd, std::string& out);

// The pieces of `text` between the separators, empty ones included ("a::b" is 3 pieces,
// "a:" is 2); an empty `text` has none.
std::vector<std::string_view> SplitText(std::string_view text, char sep);

// A wait status as people read it: "exited with status 1", "was killed by signal 9".
std::string DescribeWaitStatus(int status);

// The lines of `text`, without their newlines; a last line need not end with one.
std::vector<std::string_view> TextLines(std::string_view text);

// `strings` as execve takes them: pointers into `strings`, then a null.
std::vector<char*> CStrings(const std::vector<std::string>& strings);

}  // namespace cask
