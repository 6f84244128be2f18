#pragma once
// Identity of vmapple's USB functions. The vendor/product pair is the one
// QEMU's emulated HID devices report (0x0627:0x0001), so guests that already
// know those devices (driver quirk tables, macOS's input preferences) treat
// ours the same way; the strings say what they really are.
#include <cstdint>

namespace vmapple::usb {

inline constexpr uint16_t kVendorId = 0x0627;
inline constexpr uint16_t kProductKeyboard = 0x0001;
inline constexpr uint16_t kProductTablet = 0x0001;
inline constexpr uint16_t kDeviceRelease = 0x0100;  // bcdDevice 1.00
inline constexpr const char* kManufacturer = "vmapple";

}  // namespace vmapple::usb
