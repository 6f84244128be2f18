// Fuzzes the USB HID keyboard and tablet through the UsbDevice seam. The
// first byte picks the device; then a sequence of operations:
//   0 control    u8 bmRequestType, u8 bRequest, u16 wValue, u16 wIndex,
//                u16 wLength, u16 buffer size (any, may differ from wLength),
//                OUT data bytes from the input
//   1 transfer   u8 ep, u8 direction, u8 buffer size
//   2 key/button u8 usage (keyboard: down) / u8 mask (tablet: buttons)
//   3 key up     u8 usage (keyboard) / wheel i8 i8 (tablet)
//   4 move       u32 x, u32 y (tablet; keyboard: Linux key code down)
//   5 bus reset
//   6 time       u16 milliseconds of virtual time (idle timer)
//   7 enumerate  SET_ADDRESS + SET_CONFIGURATION 1 as a host would
// Invariants: lengths never exceed the buffer or wLength; the notifier is
// called only for EP 1 of a configured device and outside the device lock;
// every report has the documented shape; a host that configures and polls
// drains the queue.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "base/manual_timers.h"
#include "fuzz/fuzz_input.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "hw/usb/hid/usb_tablet.h"

namespace {

using namespace vmapple::usb;
using vmapple::fuzz::check;
using vmapple::fuzz::Input;

void check_report(bool keyboard, const uint8_t* r, size_t n) {
  if (keyboard) {
    check(n == UsbKeyboard::kReportLength, "keyboard report is 8 bytes");
    check(r[1] == 0, "reserved byte is zero");
    bool rollover = r[2] == UsbKeyboard::kUsageErrorRollOver;
    for (size_t i = 2; i < 8; ++i) {
      if (rollover)
        check(r[i] == UsbKeyboard::kUsageErrorRollOver, "rollover fills all slots");
      else
        check(r[i] == 0 || (r[i] >= UsbKeyboard::kFirstKeyUsage && r[i] <= 0xDD), "key usage");
    }
  } else {
    check(n == UsbTablet::kReportLength, "tablet report is 7 bytes");
    check((r[0] & ~UsbTablet::kButtonMask) == 0, "button padding is zero");
    check((r[2] & 0x80) == 0 && (r[4] & 0x80) == 0, "X/Y within 0..0x7FFF");
    check(r[5] != 0x80 && r[6] != 0x80, "wheel within -127..127");
  }
}

void control(Input& in, UsbDevice& device) {
  SetupPacket setup{in.u8(), in.u8(), in.u16(), in.u16(), in.u16()};
  std::vector<uint8_t> buffer(in.u16() % 1100);
  if (!setup.device_to_host())
    for (size_t i = 0; i < buffer.size() && i < setup.wLength && !in.empty(); ++i)
      buffer[i] = in.u8();
  TransferResult r = device.control(setup, buffer);
  check(r.length <= buffer.size() && r.length <= setup.wLength, "control length in bounds");
  check(r.status == TransferStatus::kOk || r.status == TransferStatus::kStall,
        "control answers OK or STALL");
  if (r.status == TransferStatus::kStall) check(r.length == 0, "a STALL moves no data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::fuzz::silence_traces();
  vmapple::ManualTimers timers;
  Input in{data, size};
  bool is_keyboard = (in.u8() & 1) == 0;
  std::unique_ptr<UsbHidDevice> device;
  UsbKeyboard* keyboard = nullptr;
  UsbTablet* tablet = nullptr;
  if (is_keyboard)
    device.reset(keyboard = new UsbKeyboard(timers));
  else
    device.reset(tablet = new UsbTablet(timers));
  // The device lock is free here: configuration() would deadlock otherwise.
  device->set_notifier([&](uint8_t ep) {
    check(ep == UsbHidDevice::kInEndpoint, "notified endpoint is EP 1");
    check(device->configuration() != 0, "notified only when configured");
  });

  while (!in.empty()) {
    switch (in.u8() % 8) {
      case 0:
        control(in, *device);
        break;
      case 1: {
        uint8_t ep = in.u8();
        bool dir_in = in.u8() & 1;
        std::vector<uint8_t> buffer(in.u8() % 80);
        TransferResult r = device->transfer(ep, dir_in, buffer);
        check(r.length <= buffer.size(), "transfer length in bounds");
        if (r.status == TransferStatus::kOk) check_report(is_keyboard, buffer.data(), r.length);
        break;
      }
      case 2:
        if (keyboard)
          keyboard->key_down(in.u8());
        else
          tablet->buttons(in.u8());
        break;
      case 3:
        if (keyboard)
          keyboard->key_up(in.u8());
        else
          tablet->wheel(static_cast<int8_t>(in.u8()) * 5, static_cast<int8_t>(in.u8()));
        break;
      case 4:
        if (keyboard)
          keyboard->key_down(UsbKeyboard::usage_from_linux_key(in.u16()));
        else
          tablet->pointer_move(in.u32(), in.u32());
        break;
      case 5:
        device->bus_reset();
        break;
      case 6:
        timers.advance(uint64_t{in.u16()} * 1'000'000);
        break;
      case 7:
        device->control({0x00, 5, static_cast<uint16_t>(in.u8() & 0x7F), 0, 0}, {});
        device->control({0x00, 9, 1, 0, 0}, {});
        break;
    }
    check(device->queued_reports() <= UsbHidDevice::kQueueDepth, "queue bounded");
  }

  // A host taking over: reset, enumerate, clear any halt, drain.
  device->bus_reset();
  check(device->control({0x00, 5, 3, 0, 0}, {}).status == TransferStatus::kOk, "SET_ADDRESS");
  check(device->control({0x00, 9, 1, 0, 0}, {}).status == TransferStatus::kOk, "SET_CONFIG");
  check(device->control({0x21, 0x0A, 0, 0, 0}, {}).status == TransferStatus::kOk, "SET_IDLE 0");
  if (keyboard) keyboard->release_all();
  if (tablet) tablet->pointer_move(1, 2);
  uint8_t buffer[8];
  size_t reads = 0;
  while (device->transfer(1, true, buffer).status == TransferStatus::kOk)
    check(++reads <= UsbHidDevice::kQueueDepth, "queue drains");
  check(device->transfer(1, true, buffer).status == TransferStatus::kNak, "drained: NAK");
  return 0;
}
