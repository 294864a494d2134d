// Refusing model files nested too deep for the parsers' recursion, before toml++ sees them.
#include <algorithm>
#include <string>

#include "legsim/core/error.hpp"
#include "model_file.hpp"

namespace legsim::model_file {
namespace {

// toml++ 3.3 (Debian 12's) recurses once per part of a dotted key or table header, and
// collect_notes once per table level: "[model.a.a.a…]" with 60 000 parts, a 120 kB file, overflowed
// the stack and killed the process (tests/fuzz/regressions/model_file/). toml++ 3.4 caps dotted
// keys at 1024 parts (marzer/tomlplusplus#242); arrays and inline tables it caps at 256 levels, about
// 3 kB of stack each (marzer/tomlplusplus#292). Model files need 3 parts and 2 levels; the limits
// below leave room and keep both recursions shallow.
constexpr int kMaxKeyParts = 32;
constexpr int kMaxBracketDepth = 32;

/// The index of the last character of the string whose opening quote is text[i], counting the
/// newlines inside it. An unterminated string ends before its newline (toml++ rejects it).
std::size_t string_end(std::string_view text, std::size_t i, std::size_t& line) {
  const char q = text[i];
  const bool basic = q == '"';  // escapes with backslashes; literal strings ('...') do not
  const std::string_view delim = basic ? R"(""")" : "'''";
  if (text.substr(i, 3) == delim) {
    for (std::size_t j = i + 3; j < text.size(); ++j) {
      if (basic && text[j] == '\\') {
        if (j + 1 < text.size() && text[j + 1] == '\n') ++line;
        ++j;
      } else if (text[j] == '\n') {
        ++line;
      } else if (text.substr(j, 3) == delim) {
        std::size_t end = j + 2;
        // One or two quotes right before the closing delimiter belong to the string.
        for (int extra = 0; extra < 2 && end + 1 < text.size() && text[end + 1] == q; ++extra) ++end;
        return end;
      }
    }
    return text.size() - 1;
  }
  for (std::size_t j = i + 1; j < text.size(); ++j) {
    if (text[j] == '\n') return j - 1;
    if (text[j] == q) return j;
    if (basic && text[j] == '\\' && j + 1 < text.size() && text[j + 1] != '\n') ++j;
  }
  return text.size() - 1;
}

}  // namespace

/// Rejects text whose dotted keys or table headers have more than kMaxKeyParts parts, or whose
/// arrays, inline tables and headers nest deeper than kMaxBracketDepth, before toml++ parses it.
/// Outside strings and comments a dotted key's parts are the dots since the last newline, bracket,
/// brace, '=' or ',', plus one: a value adds at most one (a float, a time's fraction).
void check_nesting(std::string_view text, const std::string& origin) {
  const auto fail = [&](const std::string& msg) { throw ModelFileError(origin + ": " + msg); };
  std::size_t line = 1;
  int parts = 1, depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    switch (text[i]) {
      case '\n': ++line; parts = 1; break;
      case '#': {
        const std::size_t nl = text.find('\n', i);
        i = nl == std::string_view::npos ? text.size() : nl - 1;
        break;
      }
      case '"':
      case '\'': i = string_end(text, i, line); break;
      case '.':
        if (++parts > kMaxKeyParts)
          fail("line " + std::to_string(line) + ": a dotted key or table header has more than " +
               std::to_string(kMaxKeyParts) + " parts: allowed at most " + std::to_string(kMaxKeyParts));
        break;
      case '[':
      case '{':
        if (++depth > kMaxBracketDepth)
          fail("line " + std::to_string(line) + ": arrays and inline tables nest more than " +
               std::to_string(kMaxBracketDepth) + " levels deep: allowed at most " + std::to_string(kMaxBracketDepth));
        parts = 1;
        break;
      case ']':
      case '}': depth = std::max(depth - 1, 0); parts = 1; break;
      case '=':
      case ',': parts = 1; break;
      default: break;
    }
  }
}

}  // namespace legsim::model_file
