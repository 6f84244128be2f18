#pragma once
// A USB HID function (HID 1.11) with one interface and an interrupt IN
// endpoint 1 carrying input reports of at most 8 bytes: the class
// descriptors, the class requests (GET/SET_REPORT, GET/SET_IDLE,
// GET/SET_PROTOCOL for boot devices), the report queue and the idle timer.
// UsbKeyboard and UsbTablet add their report format and host input API.
//
// Reports are queued only while the device is configured (a bounded queue;
// subclasses may merge a new report into the last queued one). After queuing
// the input API calls the controller's notifier, outside mutex_.
//
// Idle rate (HID 1.11 7.2.4): with a non-zero rate, when the period passes
// after the last report the host received and nothing is queued, the current
// report is queued again. The period runs on the TimerQueue.
//
// Destroy a device only when no timer callback can run (EventLoop stopped).
#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hw/usb/hid/usb_device_core.h"

namespace vmapple::usb {

struct HidReport {
  std::array<uint8_t, 8> bytes{};
  uint8_t length = 0;
  bool keep_separate = false;  // never merge a later report into this one

  std::span<const uint8_t> view() const { return {bytes.data(), length}; }
  bool operator==(const HidReport&) const = default;
};

class UsbHidDevice : public UsbDeviceCore {
 public:
  static constexpr uint8_t kInEndpoint = 1;
  static constexpr size_t kQueueDepth = 16;
  static constexpr uint64_t kIdleUnitNs = 4'000'000;  // SET_IDLE counts 4 ms

  // HID class requests (HID 1.11 7.2).
  enum Request : uint8_t {
    kGetReport = 0x01,
    kGetIdle = 0x02,
    kGetProtocol = 0x03,
    kSetReport = 0x09,
    kSetIdle = 0x0A,
    kSetProtocol = 0x0B,
  };
  enum Protocol : uint8_t { kBootProtocol = 0, kReportProtocol = 1 };
  enum ReportType : uint8_t { kInputReport = 1, kOutputReport = 2, kFeatureReport = 3 };
  static constexpr uint8_t kClassHid = 3;
  static constexpr uint8_t kSubclassBoot = 1;

  // What every vmapple HID function shares: vendor, release, strings, a
  // remote-wakeup capable configuration with one HID interface and its
  // interrupt IN endpoint (bInterval 10 ms).
  struct Identity {
    uint16_t product_id;
    const char* product;
    uint8_t subclass;
    uint8_t protocol;
    uint16_t max_packet;
  };
  static DeviceSpec device_spec(const Identity& id, std::string serial);

  ~UsbHidDevice() override;

  // The host's view, for tests and the monitor.
  uint8_t protocol() const;
  uint8_t idle_rate() const;  // in 4 ms units, 0 = only on change
  size_t queued_reports() const;
  const std::vector<uint8_t>& report_descriptor() const { return report_descriptor_; }

 protected:
  // `spec` has one interface with the interrupt IN endpoint 0x81 (the HID
  // descriptor is added here); `default_idle` is the rate after reset.
  UsbHidDevice(TimerQueue& timers, DeviceSpec spec, std::vector<uint8_t> report_descriptor,
               uint8_t default_idle);

  // Subclass hooks, called with mutex_ held.
  virtual HidReport current_report_locked() const = 0;
  // SET_REPORT(Output); false STALLs.
  virtual bool set_output_report_locked(std::span<const uint8_t>) { return false; }
  // GET_REPORT(Output); an empty report STALLs.
  virtual HidReport output_report_locked() const { return {}; }
  // Merges `incoming` into the last queued, not yet sent, report.
  virtual bool coalesce_locked(HidReport& /*last*/, const HidReport& /*incoming*/) { return false; }
  virtual void hid_reset_locked() {}

  // Queues the report for endpoint 1. True when the caller must notify(1)
  // once it has released mutex_.
  bool queue_report_locked(const HidReport& report);
  bool boot_device() const;

 private:
  void reset_locked() override;
  void configuration_changed_locked() override;
  std::optional<size_t> class_request_locked(const SetupPacket& setup,
                                             std::span<uint8_t> data) override;
  std::optional<size_t> class_descriptor_locked(uint8_t type, uint8_t index, uint16_t interface,
                                                std::span<uint8_t> data) override;
  TransferResult endpoint_transfer_locked(const EndpointDescriptor& endpoint,
                                          std::span<uint8_t> data) override;
  std::optional<size_t> get_report_locked(const SetupPacket& setup, std::span<uint8_t> data);
  std::optional<size_t> set_report_locked(const SetupPacket& setup, std::span<uint8_t> data);
  std::optional<size_t> idle_or_protocol_locked(const SetupPacket& setup, std::span<uint8_t> data);
  static DeviceSpec with_hid_descriptor(DeviceSpec spec, size_t report_descriptor_length);
  void arm_idle_locked();
  void idle_expired(uint64_t generation);

  TimerQueue& timers_;
  const std::vector<uint8_t> report_descriptor_;
  const uint8_t default_idle_;

  uint8_t protocol_ = kReportProtocol;
  uint8_t idle_rate_;
  std::deque<HidReport> queue_;
  TimerQueue::TimerId idle_timer_ = TimerQueue::kNoTimer;
  uint64_t idle_generation_ = 0;  // a stale timer callback does nothing
};

}  // namespace vmapple::usb
