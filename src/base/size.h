#pragma once
// Parsing of user-written sizes ("4G", "512M", "1048576") and integers.
#include <cstdint>
#include <string>
#include <string_view>

namespace vmapple {

// Bytes for "N" or "N" + one of K/M/G/T (binary, optional "iB"/"B").
// Throws ConfigError with a message that does not name the flag; callers
// prefix it.
uint64_t parse_size(std::string_view text);

// Decimal or 0x-prefixed hexadecimal unsigned 64-bit integer.
uint64_t parse_u64(std::string_view text);

// "4 GiB", "512 MiB", "1536 KiB", "100 bytes": the largest exact unit.
std::string format_size(uint64_t bytes);

}  // namespace vmapple
