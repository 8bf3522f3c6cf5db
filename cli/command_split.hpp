// A subcommand whose trailing arguments are a command to run (nsinit exec CMD..., cask
// exec ID CMD...): the command is taken out of argv before CLI11 parses the rest, so
// that `sh -c 'echo hi'` keeps its -c, as with `docker run` and runc.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

// Where the subcommand is in argv, after the top-level options of `app` (argc when
// there is none).
int SubcommandIndex(const CLI::App& app, int argc, char** argv);

// When argv holds `sub` (after the top-level options of `app`), returns everything
// after its options and its first `leading` positional arguments, or after its "--",
// and cuts argv there. An option that `sub` does not know, before the command, is an
// error naming it. Options are looked up in CLI11's own tables: a token that names an
// option taking a value, without "=", skips the next token.
std::vector<std::string> TakeCommand(const CLI::App& app, const CLI::App& sub, int leading, int& argc,
                                     char** argv);
