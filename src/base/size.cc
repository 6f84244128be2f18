#include "base/size.h"

#include <fmt/format.h>
#include <charconv>

#include "base/error.h"

namespace vmapple {
namespace {

int shift_for(std::string_view suffix) {
  if (suffix.empty() || suffix == "B") return 0;
  static constexpr std::string_view kUnits = "KMGT";
  std::string_view unit = suffix.substr(0, 1);
  std::string_view rest = suffix.substr(1);
  size_t i = kUnits.find(static_cast<char>(unit[0] & ~0x20));
  if (i == std::string_view::npos || !(rest.empty() || rest == "B" || rest == "iB")) return -1;
  return static_cast<int>(10 * (i + 1));
}

}  // namespace

uint64_t parse_size(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc::result_out_of_range)
    throw ConfigError(fmt::format("'{}' is too large", text));
  if (ec != std::errc() || end == text.data())
    throw ConfigError(
        fmt::format("'{}' is not a size (use a number with K, M, G or T, e.g. 4G)", text));
  std::string_view suffix(end, text.data() + text.size() - end);
  int shift = shift_for(suffix);
  if (shift < 0)
    throw ConfigError(
        fmt::format("'{}' has an unknown unit '{}' (use K, M, G or T, e.g. 4G)", text, suffix));
  if (shift > 0 && (n >> (64 - shift)) != 0)
    throw ConfigError(fmt::format("'{}' is too large", text));
  return n << shift;
}

uint64_t parse_u64(std::string_view text) {
  int base = 10;
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, base);
  if (ec == std::errc::result_out_of_range)
    throw ConfigError(fmt::format("'{}' is too large", text));
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty())
    throw ConfigError(fmt::format("'{}' is not a decimal or 0x-hex number", text));
  return n;
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (unit < 4 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", bytes, kUnits[unit]);
}

}  // namespace vmapple
