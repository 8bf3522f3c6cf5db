// nsinit list: the containers under --root, as a table or as JSON.
#pragma once

#include <cask/cask.hpp>

#include <ostream>
#include <string>

// `format` is "table" (a header, then one row per container) or "json" (an array).
void PrintList(const cask::Factory& factory, const std::string& format, std::ostream& out);
