#include "hw/usb/hid/usb_tablet.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "base/log.h"
#include "hw/usb/hid/hid_report_builder.h"
#include "hw/usb/hid/usb_ids.h"

namespace vmapple::usb {
namespace {

trace::Category kTrace("usb-tablet");

constexpr uint16_t kUsagePointer = 0x01;
constexpr uint16_t kUsageMouse = 0x02;
constexpr uint16_t kUsageX = 0x30;
constexpr uint16_t kUsageY = 0x31;
constexpr uint16_t kUsageWheel = 0x38;
constexpr uint16_t kUsageAcPan = 0x0238;  // Consumer page

int8_t step(int& remaining, int limit) {
  int s = std::clamp(remaining, -limit, limit);
  remaining -= s;
  return static_cast<int8_t>(s);
}

}  // namespace

UsbTablet::UsbTablet(TimerQueue& timers, std::string serial)
    : UsbHidDevice(timers,
                   device_spec({kProductTablet, "vmapple USB Tablet", 0, 0, 8}, std::move(serial)),
                   build_report_descriptor(), 0) {}

std::vector<uint8_t> UsbTablet::build_report_descriptor() {
  using hid_main::kConstant;
  using hid_main::kRelative;
  using hid_main::kVariable;
  HidReportBuilder b;
  b.usage_page(hid_page::kGenericDesktop).usage(kUsageMouse);
  b.collection(HidReportBuilder::kApplication);
  b.usage(kUsagePointer).collection(HidReportBuilder::kPhysical);
  // Byte 0: five buttons and three bits of padding.
  b.usage_page(hid_page::kButton).usage_minimum(1).usage_maximum(5);
  b.logical_minimum(0).logical_maximum(1).report_size(1).report_count(5).input(kVariable);
  b.report_size(3).report_count(1).input(kConstant);
  // Bytes 1-4: absolute X and Y.
  b.usage_page(hid_page::kGenericDesktop).usage(kUsageX).usage(kUsageY);
  b.logical_minimum(0).logical_maximum(kMaxCoordinate).report_size(16).report_count(2);
  b.input(kVariable);
  // Byte 5: wheel; byte 6: horizontal pan. Both relative.
  b.usage(kUsageWheel).logical_minimum(-kMaxWheelStep).logical_maximum(kMaxWheelStep);
  b.report_size(8).report_count(1).input(kVariable | kRelative);
  b.usage_page(hid_page::kConsumer).usage(kUsageAcPan).report_count(1);
  b.input(kVariable | kRelative);
  b.end_collection();
  b.end_collection();
  return b.bytes();
}

void UsbTablet::pointer_move(uint32_t x, uint32_t y) {
  bool queued;
  {
    std::lock_guard lock(mutex_);
    x_ = static_cast<uint16_t>(std::min(x, kMaxCoordinate));
    y_ = static_cast<uint16_t>(std::min(y, kMaxCoordinate));
    queued = queue_locked(0, 0);
  }
  if (queued) notify(kInEndpoint);
}

void UsbTablet::pointer_move_normalized(double x, double y) {
  auto scale = [](double f) -> uint32_t {
    if (!(f > 0)) return 0;  // also NaN
    if (f >= 1) return kMaxCoordinate;
    return static_cast<uint32_t>(std::lround(f * kMaxCoordinate));
  };
  pointer_move(scale(x), scale(y));
}

void UsbTablet::buttons(uint8_t mask) {
  bool queued;
  {
    std::lock_guard lock(mutex_);
    mask &= kButtonMask;
    if (mask == buttons_) return;
    buttons_ = mask;
    queued = queue_locked(0, 0, /*button_change=*/true);
  }
  if (queued) notify(kInEndpoint);
}

void UsbTablet::wheel(int vertical, int horizontal) {
  // More than a full queue of steps would be dropped anyway.
  constexpr int kLimit = kMaxWheelStep * static_cast<int>(kQueueDepth);
  vertical = std::clamp(vertical, -kLimit, kLimit);
  horizontal = std::clamp(horizontal, -kLimit, kLimit);
  while (vertical != 0 || horizontal != 0) {
    int8_t v = step(vertical, kMaxWheelStep);
    int8_t h = step(horizontal, kMaxWheelStep);
    bool queued;
    {
      std::lock_guard lock(mutex_);
      queued = queue_locked(v, h);
    }
    if (queued) notify(kInEndpoint);
  }
}

bool UsbTablet::queue_locked(int8_t wheel, int8_t pan, bool button_change) {
  VMAPPLE_TRACE(kTrace, "x {} y {} buttons {:#x} wheel {} pan {}", x_, y_, buttons_, wheel, pan);
  HidReport report = report_locked(wheel, pan);
  // A press or release keeps the position it happened at.
  report.keep_separate = button_change;
  return queue_report_locked(report);
}

HidReport UsbTablet::report_locked(int8_t wheel, int8_t pan) const {
  HidReport r;
  r.length = kReportLength;
  r.bytes[0] = buttons_;
  r.bytes[1] = static_cast<uint8_t>(x_);
  r.bytes[2] = static_cast<uint8_t>(x_ >> 8);
  r.bytes[3] = static_cast<uint8_t>(y_);
  r.bytes[4] = static_cast<uint8_t>(y_ >> 8);
  r.bytes[5] = static_cast<uint8_t>(wheel);
  r.bytes[6] = static_cast<uint8_t>(pan);
  return r;
}

// Motion after motion: the newer position replaces the older, wheel steps
// add up while they fit in a report.
bool UsbTablet::coalesce_locked(HidReport& last, const HidReport& incoming) {
  if (last.keep_separate || incoming.keep_separate || last.bytes[0] != incoming.bytes[0])
    return false;
  int wheel = static_cast<int8_t>(last.bytes[5]) + static_cast<int8_t>(incoming.bytes[5]);
  int pan = static_cast<int8_t>(last.bytes[6]) + static_cast<int8_t>(incoming.bytes[6]);
  if (std::abs(wheel) > kMaxWheelStep || std::abs(pan) > kMaxWheelStep) return false;
  last = incoming;
  last.bytes[5] = static_cast<uint8_t>(wheel);
  last.bytes[6] = static_cast<uint8_t>(pan);
  return true;
}

}  // namespace vmapple::usb
