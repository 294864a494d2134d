#pragma once
// Checks both fuzz targets make on a model that was built: what Model promises beyond "no crash".
// A failed check aborts, so libFuzzer reports it like a crash and keeps the input.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "legsim/model.hpp"

namespace legsim::fuzz {

[[noreturn]] inline void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz check failed: %s\n%s\n", what, detail.c_str());
  std::abort();
}

/// load(save(m)) == m (Model::to_toml): the saved text loads, and saves again unchanged. A
/// legsim::Error here is a bug, not a rejected input: the writer wrote a file its reader refuses.
inline void check_round_trip(const Model& m) {
  const std::string text = m.to_toml();
  try {
    const Model back = Model::from_toml(text, "saved.toml");
    if (back.to_toml() != text) fail("save -> load -> save changed the file", text);
  } catch (const Error& e) {
    fail("a saved model does not load", std::string(e.what()) + "\n" + text);
  }
}

}  // namespace legsim::fuzz
