#pragma once
// A full-speed USB HID absolute pointer ("tablet"): the guest sees a mouse
// whose X/Y are absolute positions 0..0x7FFF over the whole screen, so the
// host pointer maps straight onto the guest's without acceleration.
//
// Input report (7 bytes): buttons (bits 0-4: left, right, middle, back,
// forward), X (16 bits), Y (16 bits), vertical wheel and horizontal pan
// (relative, -127..127). Not a boot device (interface subclass 0): no
// GET/SET_PROTOCOL, no output report. Idle rate 0 (reports on change only).
//
// Host input API (any thread). Motion while the host is not polling
// coalesces into the last queued motion report, so a stream of moves never
// fills the queue; wheel steps add up. A button change is always a report of
// its own, at the position where it happened.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hw/usb/hid/usb_hid_device.h"

namespace vmapple::usb {

class UsbTablet final : public UsbHidDevice {
 public:
  static constexpr size_t kReportLength = 7;
  static constexpr uint32_t kMaxCoordinate = 0x7FFF;
  static constexpr int kMaxWheelStep = 127;
  enum Button : uint8_t {
    kButtonLeft = 0x01,
    kButtonRight = 0x02,
    kButtonMiddle = 0x04,
    kButtonBack = 0x08,
    kButtonForward = 0x10,
  };
  static constexpr uint8_t kButtonMask = 0x1F;

  explicit UsbTablet(TimerQueue& timers, std::string serial = "1");

  std::string_view name() const override { return "usb-tablet"; }

  // Absolute position, clamped to 0..kMaxCoordinate.
  void pointer_move(uint32_t x, uint32_t y);
  // Position as a fraction of the screen, 0.0..1.0 (clamped; NaN reads 0).
  void pointer_move_normalized(double x, double y);
  // Buttons held (Button bits; others ignored).
  void buttons(uint8_t mask);
  // Wheel steps: positive vertical scrolls up (away from the user), positive
  // horizontal scrolls right. Large deltas go out as several reports.
  void wheel(int vertical, int horizontal = 0);

  static std::vector<uint8_t> build_report_descriptor();

 private:
  HidReport report_locked(int8_t wheel, int8_t pan) const;
  HidReport current_report_locked() const override { return report_locked(0, 0); }
  bool coalesce_locked(HidReport& last, const HidReport& incoming) override;
  bool queue_locked(int8_t wheel, int8_t pan, bool button_change = false);

  uint16_t x_ = 0;
  uint16_t y_ = 0;
  uint8_t buttons_ = 0;
};

}  // namespace vmapple::usb
