#pragma once
// The seam between a USB host controller (XHCI) and the devices on its ports.
// A device only sees USB-level transactions: control transfers on endpoint 0
// and data transfers on its other endpoints. The controller owns everything
// xHCI (rings, contexts, TRBs) and never exposes it to a device.
//
// Threads: the controller calls a device from vCPU threads (doorbells) with
// the controller's lock held; the host input API calls the device from any
// thread. A device guards its state with its own mutex and calls the
// controller's notifier WITHOUT holding that mutex (lock order: controller
// before device).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <utility>

namespace vmapple::usb {

enum class Speed : uint8_t { kLow, kFull, kHigh, kSuper };

// USB 2.0 9.3: the eight bytes of a SETUP packet, already decoded.
struct SetupPacket {
  uint8_t bmRequestType = 0;
  uint8_t bRequest = 0;
  uint16_t wValue = 0;
  uint16_t wIndex = 0;
  uint16_t wLength = 0;

  bool device_to_host() const { return (bmRequestType & 0x80) != 0; }
};

enum class TransferStatus : uint8_t {
  kOk,      // data moved; `length` says how much (may be short)
  kStall,   // the endpoint (or request) is halted / not supported
  kNak,     // nothing to give now; the device notifies when it has data
  kBabble,  // the device had more data than the buffer could take
};

struct TransferResult {
  TransferStatus status = TransferStatus::kOk;
  size_t length = 0;  // bytes actually transferred
};

class UsbDevice {
 public:
  virtual ~UsbDevice() = default;

  virtual std::string_view name() const = 0;
  virtual Speed speed() const = 0;

  // Port reset or system reset: default state (address 0, unconfigured).
  virtual void bus_reset() = 0;

  // A whole control transfer on endpoint 0. For device-to-host requests the
  // device writes at most data.size() (== wLength) bytes into `data`; for
  // host-to-device requests `data` holds the OUT data stage.
  virtual TransferResult control(const SetupPacket& setup, std::span<uint8_t> data) = 0;

  // A transfer on endpoint `ep` (1..15) in direction `in`. For IN, the device
  // fills `data`; kNak means it has nothing now and will call the notifier
  // when it does.
  virtual TransferResult transfer(uint8_t ep, bool in, std::span<uint8_t> data) = 0;

  // Installed by the controller when the device is attached (before any
  // input can arrive); called by the device (never under its own lock) when
  // IN endpoint `ep` has new data.
  using Notifier = std::function<void(uint8_t ep)>;
  void set_notifier(Notifier notifier) { notifier_ = std::move(notifier); }

 protected:
  void notify(uint8_t ep) const {
    if (notifier_) notifier_(ep);
  }

 private:
  Notifier notifier_;
};

}  // namespace vmapple::usb
