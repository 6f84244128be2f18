#pragma once
// Host-side key naming for the control socket: Linux input event code names
// (KEY_* of include/uapi/linux/input-event-codes.h) and the US keyboard
// layout for typing text. The one table of names in the project; the USB
// keyboard maps the codes to HID usages (UsbKeyboard::usage_from_linux_key).
#include <cstdint>
#include <optional>
#include <string_view>

namespace vmapple {

// The code of a key name: "KEY_A", "key_a" and "a" all give KEY_A (30).
// Only keys the USB keyboard can report have names here.
std::optional<uint16_t> linux_key_from_name(std::string_view name);
// "KEY_A" for 30; empty for a code without a name here.
std::string_view linux_key_name(uint16_t code);

// How a character is typed on a US layout: the key and whether Shift is
// held. Printable ASCII, '\n' (Enter) and '\t' (Tab); nothing else.
struct TypedKey {
  uint16_t code;
  bool shift;
};
std::optional<TypedKey> us_layout_key(char c);

// Linux codes used by the control path itself.
inline constexpr uint16_t kLinuxKeyLeftShift = 42;
inline constexpr uint16_t kLinuxKeyEnter = 28;

}  // namespace vmapple
