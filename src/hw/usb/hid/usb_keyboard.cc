#include "hw/usb/hid/usb_keyboard.h"

#include <algorithm>
#include <array>
#include <utility>

#include "base/log.h"
#include "hw/usb/hid/hid_report_builder.h"
#include "hw/usb/hid/usb_ids.h"

namespace vmapple::usb {
namespace {

trace::Category kTrace("usb-kbd");

bool is_modifier(uint8_t usage) {
  return usage >= UsbKeyboard::kFirstModifier && usage <= UsbKeyboard::kLastModifier;
}

// Linux input event codes (include/uapi/linux/input-event-codes.h) to
// Keyboard/Keypad page usages (HID Usage Tables 1.12, section 10).
struct KeyMapping {
  uint16_t linux_code;
  uint8_t usage;
};

constexpr KeyMapping kLinuxKeys[] = {
    {1, 0x29},   {2, 0x1E},   {3, 0x1F},   {4, 0x20},   {5, 0x21},   {6, 0x22},   {7, 0x23},
    {8, 0x24},   {9, 0x25},   {10, 0x26},  {11, 0x27},  {12, 0x2D},  {13, 0x2E},  {14, 0x2A},
    {15, 0x2B},  {16, 0x14},  {17, 0x1A},  {18, 0x08},  {19, 0x15},  {20, 0x17},  {21, 0x1C},
    {22, 0x18},  {23, 0x0C},  {24, 0x12},  {25, 0x13},  {26, 0x2F},  {27, 0x30},  {28, 0x28},
    {29, 0xE0},  {30, 0x04},  {31, 0x16},  {32, 0x07},  {33, 0x09},  {34, 0x0A},  {35, 0x0B},
    {36, 0x0D},  {37, 0x0E},  {38, 0x0F},  {39, 0x33},  {40, 0x34},  {41, 0x35},  {42, 0xE1},
    {43, 0x31},  {44, 0x1D},  {45, 0x1B},  {46, 0x06},  {47, 0x19},  {48, 0x05},  {49, 0x11},
    {50, 0x10},  {51, 0x36},  {52, 0x37},  {53, 0x38},  {54, 0xE5},  {55, 0x55},  {56, 0xE2},
    {57, 0x2C},  {58, 0x39},  {59, 0x3A},  {60, 0x3B},  {61, 0x3C},  {62, 0x3D},  {63, 0x3E},
    {64, 0x3F},  {65, 0x40},  {66, 0x41},  {67, 0x42},  {68, 0x43},  {69, 0x53},  {70, 0x47},
    {71, 0x5F},  {72, 0x60},  {73, 0x61},  {74, 0x56},  {75, 0x5C},  {76, 0x5D},  {77, 0x5E},
    {78, 0x57},  {79, 0x59},  {80, 0x5A},  {81, 0x5B},  {82, 0x62},  {83, 0x63},  {85, 0x94},
    {86, 0x64},  {87, 0x44},  {88, 0x45},  {89, 0x87},  {90, 0x92},  {91, 0x93},  {92, 0x8A},
    {93, 0x88},  {94, 0x8B},  {95, 0x8C},  {96, 0x58},  {97, 0xE4},  {98, 0x54},  {99, 0x46},
    {100, 0xE6}, {102, 0x4A}, {103, 0x52}, {104, 0x4B}, {105, 0x50}, {106, 0x4F}, {107, 0x4D},
    {108, 0x51}, {109, 0x4E}, {110, 0x49}, {111, 0x4C}, {113, 0x7F}, {114, 0x81}, {115, 0x80},
    {116, 0x66}, {117, 0x67}, {119, 0x48}, {121, 0x85}, {122, 0x90}, {123, 0x91}, {124, 0x89},
    {125, 0xE3}, {126, 0xE7}, {127, 0x65}, {128, 0x78}, {129, 0x79}, {131, 0x7A}, {133, 0x7C},
    {135, 0x7D}, {136, 0x7E}, {137, 0x7B}, {138, 0x75}, {139, 0x76}, {179, 0xB6}, {180, 0xB7},
    {183, 0x68}, {184, 0x69}, {185, 0x6A}, {186, 0x6B}, {187, 0x6C}, {188, 0x6D}, {189, 0x6E},
    {190, 0x6F}, {191, 0x70}, {192, 0x71}, {193, 0x72}, {194, 0x73},
};

}  // namespace

UsbKeyboard::UsbKeyboard(TimerQueue& timers, std::string serial)
    : UsbHidDevice(timers,
                   device_spec({kProductKeyboard, "vmapple USB Keyboard", kSubclassBoot,
                                /*protocol keyboard*/ 1, UsbKeyboard::kReportLength},
                               std::move(serial)),
                   build_report_descriptor(), kDefaultIdle) {}

std::vector<uint8_t> UsbKeyboard::build_report_descriptor() {
  using hid_main::kConstant;
  using hid_main::kVariable;
  HidReportBuilder b;
  b.usage_page(hid_page::kGenericDesktop).usage(0x06);  // Keyboard
  b.collection(HidReportBuilder::kApplication);
  // Byte 0: the eight modifier keys as bits.
  b.usage_page(hid_page::kKeyboard).usage_minimum(kFirstModifier).usage_maximum(kLastModifier);
  b.logical_minimum(0).logical_maximum(1).report_size(1).report_count(8).input(kVariable);
  // Byte 1: reserved.
  b.report_count(1).report_size(8).input(kConstant);
  // Output byte: five LEDs and three bits of padding.
  b.usage_page(hid_page::kLeds).usage_minimum(1).usage_maximum(5);
  b.report_count(5).report_size(1).output(kVariable);
  b.report_count(1).report_size(3).output(kConstant);
  // Bytes 2-7: an array of pressed key usages.
  b.usage_page(hid_page::kKeyboard).usage_minimum(0).usage_maximum(kLastKeyUsage);
  b.logical_minimum(0).logical_maximum(kLastKeyUsage).report_size(8).report_count(kKeySlots);
  b.input(0);  // Data, Array, Absolute
  b.end_collection();
  return b.bytes();
}

bool UsbKeyboard::key_down(uint8_t usage) {
  return key_change(usage, true);
}
bool UsbKeyboard::key_up(uint8_t usage) {
  return key_change(usage, false);
}

bool UsbKeyboard::key_change(uint8_t usage, bool down) {
  if (!is_modifier(usage) && (usage < kFirstKeyUsage || usage > kLastKeyUsage)) return false;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (down_[usage] == down) return true;  // no change, no report
    down_[usage] = down;
    if (!is_modifier(usage)) {
      if (down)
        order_.push_back(usage);
      else
        order_.erase(std::remove(order_.begin(), order_.end(), usage), order_.end());
    }
    VMAPPLE_TRACE(kTrace, "key {:#04x} {}", usage, down ? "down" : "up");
    queued = queue_report_locked(current_report_locked());
  }
  if (queued) notify(kInEndpoint);
  return true;
}

void UsbKeyboard::release_all() {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (down_.none()) return;
    down_.reset();
    order_.clear();
    queued = queue_report_locked(current_report_locked());
  }
  if (queued) notify(kInEndpoint);
}

uint8_t UsbKeyboard::leds() const {
  std::lock_guard lock(mutex_);
  return leds_;
}

uint8_t UsbKeyboard::usage_from_linux_key(uint16_t code) {
  for (const KeyMapping& m : kLinuxKeys)
    if (m.linux_code == code) return m.usage;
  return 0;
}

HidReport UsbKeyboard::current_report_locked() const {
  HidReport report;
  report.length = kReportLength;
  for (unsigned i = 0; i < 8; ++i)
    if (down_[kFirstModifier + i]) report.bytes[0] |= static_cast<uint8_t>(1u << i);
  if (order_.size() > kKeySlots) {
    std::fill(report.bytes.begin() + 2, report.bytes.end(), kUsageErrorRollOver);
  } else {
    std::copy(order_.begin(), order_.end(), report.bytes.begin() + 2);
  }
  return report;
}

bool UsbKeyboard::set_output_report_locked(std::span<const uint8_t> data) {
  leds_ = data[0] & 0x1F;
  VMAPPLE_TRACE(kTrace, "LEDs {:#04x}", leds_);
  return true;
}

HidReport UsbKeyboard::output_report_locked() const {
  HidReport report;
  report.bytes[0] = leds_;
  report.length = 1;
  return report;
}

void UsbKeyboard::hid_reset_locked() {
  leds_ = 0;
}

}  // namespace vmapple::usb
