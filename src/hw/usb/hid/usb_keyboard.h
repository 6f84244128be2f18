#pragma once
// A full-speed USB HID boot keyboard (HID 1.11 appendix B.1 layout).
//
// Input report (8 bytes, the same in boot and report protocol because the
// report descriptor describes exactly the boot layout): modifier bits
// (usages 0xE0-0xE7), a reserved byte, then up to six pressed key usages in
// the order they went down. With more than six keys down the six slots read
// ErrorRollOver (0x01) and the modifiers stay valid.
// Output report (1 byte): the LEDs, set by the host with SET_REPORT.
//
// Host input API (any thread): key_down/key_up with HID usage IDs of the
// Keyboard/Keypad page (HID Usage Tables 1.12, section 10), or Linux
// KEY_* codes through usage_from_linux_key().
#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hw/usb/hid/usb_hid_device.h"

namespace vmapple::usb {

class UsbKeyboard final : public UsbHidDevice {
 public:
  static constexpr size_t kReportLength = 8;
  static constexpr size_t kKeySlots = 6;
  static constexpr uint8_t kUsageErrorRollOver = 0x01;
  static constexpr uint8_t kFirstKeyUsage = 0x04;  // 'a'; 0x01-0x03 are error codes
  static constexpr uint8_t kLastKeyUsage = 0xDD;   // Keypad Hexadecimal
  static constexpr uint8_t kFirstModifier = 0xE0;  // Left Control
  static constexpr uint8_t kLastModifier = 0xE7;   // Right GUI
  static constexpr uint8_t kDefaultIdle = 125;     // 500 ms (HID 1.11 7.2.4)

  // LED bits of the output report (LED page usages 1-5).
  static constexpr uint8_t kLedNumLock = 0x01;
  static constexpr uint8_t kLedCapsLock = 0x02;
  static constexpr uint8_t kLedScrollLock = 0x04;
  static constexpr uint8_t kLedCompose = 0x08;
  static constexpr uint8_t kLedKana = 0x10;

  explicit UsbKeyboard(TimerQueue& timers, std::string serial = "1");

  std::string_view name() const override { return "usb-kbd"; }

  // Press or release one key. False when the usage is not a key this
  // keyboard reports (nothing changes).
  bool key_down(uint8_t usage);
  bool key_up(uint8_t usage);
  void release_all();
  // The LED state the host last set (kLed* bits).
  uint8_t leds() const;

  // The Keyboard page usage of a Linux input event code (KEY_*), 0 if none.
  static uint8_t usage_from_linux_key(uint16_t code);

  static std::vector<uint8_t> build_report_descriptor();

 private:
  bool key_change(uint8_t usage, bool down);
  HidReport current_report_locked() const override;
  bool set_output_report_locked(std::span<const uint8_t> data) override;
  HidReport output_report_locked() const override;
  void hid_reset_locked() override;

  std::bitset<256> down_;       // every usage held, modifiers included
  std::vector<uint8_t> order_;  // held non-modifier keys, oldest first
  uint8_t leds_ = 0;
};

}  // namespace vmapple::usb
