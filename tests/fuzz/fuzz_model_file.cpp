// Fuzzes the model-file reader: the input is model-file text for Model::from_toml. Every input either
// gives a model or throws a legsim::Error whose message names the file; any other exception, a
// crash, a sanitizer report or a hang is a bug. A model that loads must also save and load back
// unchanged, and survive with_params (which re-parses the saved text).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fuzz_check.hpp"
#include "legsim/model.hpp"

using legsim::Model;

namespace {

constexpr std::string_view kOrigin = "fuzz.toml";

std::optional<Model> load(std::string_view text) {
  try {
    return Model::from_toml(text, kOrigin);
  } catch (const legsim::Error& e) {
    // The rejection most inputs get; the project's convention is that it names the file.
    const std::string_view what = e.what();
    if (!what.starts_with(std::string(kOrigin) + ": ")) legsim::fuzz::fail("error message without the file name", e.what());
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<Model> m = load(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!m) return 0;
  legsim::fuzz::check_round_trip(*m);
  // Setting a value to what it already is gives the same model back, whatever names, strings and
  // comments the file held.
  try {
    if (m->with_params({{"body.mass", m->body_mass()}}) != *m) legsim::fuzz::fail("with_params changed an unchanged model", m->to_toml());
  } catch (const legsim::Error& e) {
    legsim::fuzz::fail("with_params rejected a loaded model's own value", e.what());
  }
  return 0;
}
