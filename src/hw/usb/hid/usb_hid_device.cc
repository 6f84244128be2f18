#include "hw/usb/hid/usb_hid_device.h"

#include <utility>

#include "base/log.h"
#include "hw/usb/hid/usb_ids.h"

namespace vmapple::usb {
namespace {

trace::Category kTrace("usb-hid");

constexpr uint8_t kClassIn =
    UsbDeviceCore::kDirIn | UsbDeviceCore::kTypeClass | UsbDeviceCore::kRecipientInterface;  // 0xA1
constexpr uint8_t kClassOut = UsbDeviceCore::kTypeClass | UsbDeviceCore::kRecipientInterface;

}  // namespace

UsbHidDevice::UsbHidDevice(TimerQueue& timers, DeviceSpec spec,
                           std::vector<uint8_t> report_descriptor, uint8_t default_idle)
    : UsbDeviceCore(with_hid_descriptor(std::move(spec), report_descriptor.size())),
      timers_(timers),
      report_descriptor_(std::move(report_descriptor)),
      default_idle_(default_idle),
      idle_rate_(default_idle) {}

UsbHidDevice::~UsbHidDevice() {
  std::lock_guard lock(mutex_);
  if (idle_timer_ != TimerQueue::kNoTimer) timers_.cancel(idle_timer_);
}

DeviceSpec UsbHidDevice::device_spec(const Identity& id, std::string serial) {
  DeviceSpec spec;
  spec.device.idVendor = kVendorId;
  spec.device.idProduct = id.product_id;
  spec.device.bcdDevice = kDeviceRelease;
  spec.configuration.bmAttributes =
      ConfigurationDescriptor::kAttrReserved | ConfigurationDescriptor::kAttrRemoteWakeup;
  InterfaceSpec interface;
  interface.descriptor.bInterfaceClass = kClassHid;
  interface.descriptor.bInterfaceSubClass = id.subclass;
  interface.descriptor.bInterfaceProtocol = id.protocol;
  EndpointDescriptor in;
  in.bEndpointAddress = EndpointDescriptor::kDirIn | kInEndpoint;
  in.wMaxPacketSize = id.max_packet;
  in.bInterval = 10;
  interface.endpoints.push_back(in);
  spec.interfaces.push_back(std::move(interface));
  spec.manufacturer = kManufacturer;
  spec.product = id.product;
  spec.serial = std::move(serial);
  return spec;
}

DeviceSpec UsbHidDevice::with_hid_descriptor(DeviceSpec spec, size_t report_descriptor_length) {
  HidDescriptor hid;
  hid.wDescriptorLength = static_cast<uint16_t>(report_descriptor_length);
  for (InterfaceSpec& interface : spec.interfaces)
    hid.append_to(interface.class_descriptors);
  return spec;
}

uint8_t UsbHidDevice::protocol() const {
  std::lock_guard lock(mutex_);
  return protocol_;
}

uint8_t UsbHidDevice::idle_rate() const {
  std::lock_guard lock(mutex_);
  return idle_rate_;
}

size_t UsbHidDevice::queued_reports() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

bool UsbHidDevice::boot_device() const {
  const InterfaceDescriptor& interface = spec().interfaces.front().descriptor;
  return interface.bInterfaceSubClass == kSubclassBoot;
}

void UsbHidDevice::reset_locked() {
  protocol_ = kReportProtocol;  // HID 1.11 7.2.6: report protocol after reset
  idle_rate_ = default_idle_;
  hid_reset_locked();
}

void UsbHidDevice::configuration_changed_locked() {
  queue_.clear();
  arm_idle_locked();
}

bool UsbHidDevice::queue_report_locked(const HidReport& report) {
  if (!configured_locked()) return false;
  if (!queue_.empty() && coalesce_locked(queue_.back(), report)) return true;
  if (queue_.size() >= kQueueDepth) {
    // The host is not polling: keep the newest state rather than the oldest.
    queue_.back() = report;
    return true;
  }
  queue_.push_back(report);
  return true;
}

std::optional<size_t> UsbHidDevice::class_request_locked(const SetupPacket& setup,
                                                         std::span<uint8_t> data) {
  if ((setup.bmRequestType != kClassIn && setup.bmRequestType != kClassOut) ||
      setup.device_to_host() != (setup.bRequest <= kGetProtocol))
    return reject(setup, "HID: bad request type");
  if (setup.wIndex >= interface_count() || !configured_locked())
    return reject(setup, "HID: no such interface or not configured");
  switch (setup.bRequest) {
    case kGetReport:
      return get_report_locked(setup, data);
    case kSetReport:
      return set_report_locked(setup, data);
    case kGetIdle:
    case kSetIdle:
    case kGetProtocol:
    case kSetProtocol:
      return idle_or_protocol_locked(setup, data);
    default:
      return reject(setup, "HID: unknown class request");
  }
}

std::optional<size_t> UsbHidDevice::get_report_locked(const SetupPacket& setup,
                                                      std::span<uint8_t> data) {
  // wValue: report type high, report ID low (ours have no IDs).
  uint8_t type = static_cast<uint8_t>(setup.wValue >> 8);
  if ((setup.wValue & 0xFF) != 0) return reject(setup, "GET_REPORT: no such report ID");
  HidReport report;
  if (type == kInputReport)
    report = current_report_locked();
  else if (type == kOutputReport)
    report = output_report_locked();
  if (report.length == 0) return reject(setup, "GET_REPORT: no such report");
  return copy_out(report.view(), data);
}

std::optional<size_t> UsbHidDevice::set_report_locked(const SetupPacket& setup,
                                                      std::span<uint8_t> data) {
  uint8_t type = static_cast<uint8_t>(setup.wValue >> 8);
  if (type != kOutputReport || (setup.wValue & 0xFF) != 0 || data.empty())
    return reject(setup, "SET_REPORT: not an output report");
  if (!set_output_report_locked(data)) return reject(setup, "SET_REPORT: refused");
  return data.size();
}

std::optional<size_t> UsbHidDevice::idle_or_protocol_locked(const SetupPacket& setup,
                                                            std::span<uint8_t> data) {
  switch (setup.bRequest) {
    case kGetIdle:
      if (setup.wValue != 0) return reject(setup, "GET_IDLE: no such report ID");
      return copy_out(std::span(&idle_rate_, 1), data);
    case kSetIdle:
      if ((setup.wValue & 0xFF) != 0 || setup.wLength != 0)
        return reject(setup, "SET_IDLE: no such report ID");
      idle_rate_ = static_cast<uint8_t>(setup.wValue >> 8);
      VMAPPLE_TRACE(kTrace, "{}: idle rate {} ms", name(), idle_rate_ * 4);
      arm_idle_locked();
      return 0;
    case kGetProtocol:
      if (!boot_device() || setup.wValue != 0)
        return reject(setup, "GET_PROTOCOL: not a boot device");
      return copy_out(std::span(&protocol_, 1), data);
    default:  // kSetProtocol
      if (!boot_device() || setup.wValue > kReportProtocol || setup.wLength != 0)
        return reject(setup, "SET_PROTOCOL: not a boot device or bad protocol");
      protocol_ = static_cast<uint8_t>(setup.wValue);
      VMAPPLE_TRACE(kTrace, "{}: {} protocol", name(), protocol_ ? "report" : "boot");
      return 0;
  }
}

std::optional<size_t> UsbHidDevice::class_descriptor_locked(uint8_t type, uint8_t index, uint16_t,
                                                            std::span<uint8_t> data) {
  if (index != 0) return std::nullopt;
  if (type == static_cast<uint8_t>(DescriptorType::kHid)) {
    std::vector<uint8_t> bytes;
    HidDescriptor hid;
    hid.wDescriptorLength = static_cast<uint16_t>(report_descriptor_.size());
    hid.append_to(bytes);
    return copy_out(bytes, data);
  }
  if (type == static_cast<uint8_t>(DescriptorType::kReport))
    return copy_out(report_descriptor_, data);
  return std::nullopt;
}

TransferResult UsbHidDevice::endpoint_transfer_locked(const EndpointDescriptor&,
                                                      std::span<uint8_t> data) {
  // The core only passes endpoints of the spec: the one interrupt IN.
  if (queue_.empty()) return {TransferStatus::kNak, 0};
  HidReport report = queue_.front();
  queue_.pop_front();
  arm_idle_locked();
  size_t n = copy_out(report.view(), data);
  if (n < report.length) {
    // The packet does not fit the host's buffer: the transaction babbles.
    guest_error(name(), "interrupt IN buffer of {} bytes for a {}-byte report", data.size(),
                report.length);
    return {TransferStatus::kBabble, n};
  }
  return {TransferStatus::kOk, n};
}

void UsbHidDevice::arm_idle_locked() {
  if (idle_timer_ != TimerQueue::kNoTimer) timers_.cancel(idle_timer_);
  idle_timer_ = TimerQueue::kNoTimer;
  uint64_t generation = ++idle_generation_;
  if (idle_rate_ == 0 || !configured_locked()) return;
  uint64_t deadline = timers_.clock().now_ns() + idle_rate_ * kIdleUnitNs;
  idle_timer_ = timers_.schedule(deadline, [this, generation] { idle_expired(generation); });
}

void UsbHidDevice::idle_expired(uint64_t generation) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (generation != idle_generation_) return;
    idle_timer_ = TimerQueue::kNoTimer;
    if (queue_.empty()) queued = queue_report_locked(current_report_locked());
    arm_idle_locked();
  }
  if (queued) notify(kInEndpoint);
}

}  // namespace vmapple::usb
