#pragma once
// A small full-speed HID-like device for the controller tests: a device
// descriptor with an 8-byte EP0, one configuration with one HID interface and
// an interrupt IN endpoint 0x81 (8 bytes, 10 ms), a short report descriptor.
// Reports pushed by the test are handed out on EP 1 IN; with none queued the
// endpoint NAKs and push_report() calls the controller's notifier. Every
// control request is recorded so tests can see what reached the device.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "hw/usb/usb_device.h"

namespace vmapple::test {

class FakeHidDevice final : public usb::UsbDevice {
 public:
  static constexpr uint8_t kEp = 1;
  static constexpr uint16_t kReportSize = 8;
  static constexpr uint8_t kInterval = 10;

  explicit FakeHidDevice(usb::Speed speed = usb::Speed::kFull, uint8_t mps0 = 8) : speed_(speed) {
    device_descriptor = {18,   1,    0x00, 0x02, 0,    0, 0, mps0, 0x34,
                         0x12, 0x78, 0x56, 0x00, 0x01, 0, 0, 0,    1};
    report_descriptor = {0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x75, 0x08, 0x95,
                         0x08, 0x15, 0x00, 0x25, 0xFF, 0x81, 0x00, 0xC0};
    uint16_t rlen = static_cast<uint16_t>(report_descriptor.size());
    configuration_descriptor = {
        // configuration: 34 bytes total, 1 interface, value 1, bus powered, 100 mA
        9, 2, 34, 0, 1, 1, 0, 0x80, 50,
        // interface 0: HID, boot subclass, keyboard protocol
        9, 4, 0, 0, 1, 3, 1, 1, 0,
        // HID 1.11, one report descriptor
        9, 0x21, 0x11, 0x01, 0, 1, 0x22, static_cast<uint8_t>(rlen),
        static_cast<uint8_t>(rlen >> 8),
        // endpoint 0x81: interrupt, 8 bytes, 10 ms
        7, 5, 0x81, 3, kReportSize, 0, kInterval};
  }

  std::string_view name() const override { return "fake-hid"; }
  usb::Speed speed() const override { return speed_; }

  void bus_reset() override {
    std::lock_guard lock(mutex_);
    ++resets;
    address = 0;
    configuration = 0;
  }

  usb::TransferResult control(const usb::SetupPacket& s, std::span<uint8_t> data) override {
    std::lock_guard lock(mutex_);
    requests.push_back(s);
    auto give = [&](const std::vector<uint8_t>& bytes) {
      size_t n = std::min(bytes.size(), data.size());
      std::memcpy(data.data(), bytes.data(), n);
      return usb::TransferResult{usb::TransferStatus::kOk, n};
    };
    if (s.bmRequestType == 0x80 && s.bRequest == 6) {
      if (s.wValue >> 8 == 1) return give(device_descriptor);
      if (s.wValue >> 8 == 2) return give(configuration_descriptor);
    }
    if (s.bmRequestType == 0x81 && s.bRequest == 6 && s.wValue >> 8 == 0x22)
      return give(report_descriptor);
    if (s.bmRequestType == 0x00 && s.bRequest == 5) {
      address = static_cast<uint8_t>(s.wValue);
      return {};
    }
    if (s.bmRequestType == 0x00 && s.bRequest == 9) {
      configuration = static_cast<uint8_t>(s.wValue);
      return {};
    }
    if (s.bmRequestType == 0x21 && s.bRequest == 0x0A) return {};  // SET_IDLE
    return {usb::TransferStatus::kStall, 0};
  }

  usb::TransferResult transfer(uint8_t ep, bool in, std::span<uint8_t> data) override {
    std::lock_guard lock(mutex_);
    ++transfers;
    if (ep != kEp || !in) return {usb::TransferStatus::kStall, 0};
    if (stall_next) {
      stall_next = false;
      return {usb::TransferStatus::kStall, 0};
    }
    if (reports_.empty()) {
      ++naks;
      return {usb::TransferStatus::kNak, 0};
    }
    std::vector<uint8_t> r = std::move(reports_.front());
    reports_.pop_front();
    if (r.size() > data.size()) {
      std::memcpy(data.data(), r.data(), data.size());
      return {usb::TransferStatus::kBabble, data.size()};
    }
    std::memcpy(data.data(), r.data(), r.size());
    return {usb::TransferStatus::kOk, r.size()};
  }

  // Queues a report and tells the controller (outside the device lock).
  void push_report(std::vector<uint8_t> report) {
    {
      std::lock_guard lock(mutex_);
      reports_.push_back(std::move(report));
    }
    notify(kEp);
  }
  size_t queued() {
    std::lock_guard lock(mutex_);
    return reports_.size();
  }
  std::optional<usb::SetupPacket> last_request(uint8_t request) {
    std::lock_guard lock(mutex_);
    for (auto it = requests.rbegin(); it != requests.rend(); ++it)
      if (it->bRequest == request) return *it;
    return std::nullopt;
  }

  std::vector<uint8_t> device_descriptor, configuration_descriptor, report_descriptor;
  // Observed by tests (read when the controller is idle).
  std::vector<usb::SetupPacket> requests;
  uint8_t address = 0, configuration = 0;
  unsigned resets = 0, transfers = 0, naks = 0;
  bool stall_next = false;

 private:
  usb::Speed speed_;
  std::mutex mutex_;
  std::deque<std::vector<uint8_t>> reports_;
};

}  // namespace vmapple::test
