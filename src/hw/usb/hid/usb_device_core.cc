#include "hw/usb/hid/usb_device_core.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "base/log.h"

namespace vmapple::usb {
namespace {

trace::Category kTrace("usb-device");

constexpr uint8_t kStringManufacturer = 1;
constexpr uint8_t kStringProduct = 2;
constexpr uint8_t kStringSerial = 3;

uint8_t request_type(uint8_t direction, uint8_t recipient) {
  return static_cast<uint8_t>(direction | UsbDeviceCore::kTypeStandard | recipient);
}

}  // namespace

UsbDeviceCore::UsbDeviceCore(DeviceSpec spec) : spec_(std::move(spec)) {
  strings_.push_back(language_descriptor(kLangIdEnglishUs));
  auto add_string = [this](const std::string& text, uint8_t index) -> uint8_t {
    if (text.empty()) return 0;
    strings_.resize(index + 1);
    strings_[index] = string_descriptor(text);
    return index;
  };
  spec_.device.iManufacturer = add_string(spec_.manufacturer, kStringManufacturer);
  spec_.device.iProduct = add_string(spec_.product, kStringProduct);
  spec_.device.iSerialNumber = add_string(spec_.serial, kStringSerial);
  spec_.device.bNumConfigurations = 1;
  spec_.device.append_to(device_descriptor_);

  std::vector<uint8_t> body;
  for (InterfaceSpec& interface : spec_.interfaces) {
    interface.descriptor.bNumEndpoints = static_cast<uint8_t>(interface.endpoints.size());
    interface.descriptor.append_to(body);
    body.insert(body.end(), interface.class_descriptors.begin(), interface.class_descriptors.end());
    for (const EndpointDescriptor& endpoint : interface.endpoints)
      endpoint.append_to(body);
  }
  spec_.configuration.bNumInterfaces = static_cast<uint8_t>(spec_.interfaces.size());
  spec_.configuration.wTotalLength =
      static_cast<uint16_t>(ConfigurationDescriptor::kLength + body.size());
  spec_.configuration.append_to(configuration_descriptor_);
  configuration_descriptor_.insert(configuration_descriptor_.end(), body.begin(), body.end());
}

void UsbDeviceCore::bus_reset() {
  std::lock_guard lock(mutex_);
  address_ = 0;
  configuration_ = 0;
  remote_wakeup_ = false;
  halted_ = 0;
  reset_locked();
  configuration_changed_locked();
}

uint8_t UsbDeviceCore::address() const {
  std::lock_guard lock(mutex_);
  return address_;
}

uint8_t UsbDeviceCore::configuration() const {
  std::lock_guard lock(mutex_);
  return configuration_;
}

bool UsbDeviceCore::endpoint_halted(uint8_t endpoint_address) const {
  std::lock_guard lock(mutex_);
  return (halted_ >> halt_bit(endpoint_address)) & 1;
}

TransferResult UsbDeviceCore::control(const SetupPacket& setup, std::span<uint8_t> data) {
  // The data stage never exceeds wLength, whatever buffer the controller has.
  data = data.first(std::min<size_t>(data.size(), setup.wLength));
  std::lock_guard lock(mutex_);
  std::optional<size_t> moved;
  switch (setup.bmRequestType & kTypeMask) {
    case kTypeStandard:
      moved = standard_request_locked(setup, data);
      break;
    case kTypeClass:
      moved = class_request_locked(setup, data);
      break;
    default:
      moved = reject(setup, "vendor or reserved request type");
  }
  if (!moved) return {TransferStatus::kStall, 0};
  VMAPPLE_TRACE(kTrace, "{}: request {:#04x}/{:#04x} value {:#x} index {:#x}: {} bytes", name(),
                setup.bmRequestType, setup.bRequest, setup.wValue, setup.wIndex, *moved);
  return {TransferStatus::kOk, *moved};
}

TransferResult UsbDeviceCore::transfer(uint8_t ep, bool in, std::span<uint8_t> data) {
  std::lock_guard lock(mutex_);
  uint8_t endpoint_address = static_cast<uint8_t>((ep & 0x0F) | (in ? kDirIn : 0));
  const EndpointDescriptor* endpoint = ep <= 15 ? find_endpoint_locked(endpoint_address) : nullptr;
  if (endpoint == nullptr || !configured_locked()) {
    guest_error(name(), "transfer on endpoint {} {} that is not configured", ep, in ? "IN" : "OUT");
    return {TransferStatus::kStall, 0};
  }
  if ((halted_ >> halt_bit(endpoint_address)) & 1) return {TransferStatus::kStall, 0};
  return endpoint_transfer_locked(*endpoint, data);
}

std::optional<size_t> UsbDeviceCore::class_request_locked(const SetupPacket& setup,
                                                          std::span<uint8_t>) {
  return reject(setup, "class request");
}

std::optional<size_t> UsbDeviceCore::class_descriptor_locked(uint8_t, uint8_t, uint16_t,
                                                             std::span<uint8_t>) {
  return std::nullopt;
}

size_t UsbDeviceCore::copy_out(std::span<const uint8_t> bytes, std::span<uint8_t> data) {
  size_t n = std::min(bytes.size(), data.size());
  if (n != 0) std::memcpy(data.data(), bytes.data(), n);
  return n;
}

std::nullopt_t UsbDeviceCore::reject(const SetupPacket& setup, std::string_view why) const {
  guest_error(name(), "STALL request {:#04x}/{:#04x} value {:#x} index {:#x} length {}: {}",
              setup.bmRequestType, setup.bRequest, setup.wValue, setup.wIndex, setup.wLength, why);
  return std::nullopt;
}

std::optional<size_t> UsbDeviceCore::standard_request_locked(const SetupPacket& setup,
                                                             std::span<uint8_t> data) {
  switch (setup.bRequest) {
    case kGetStatus:
      return get_status_locked(setup, data);
    case kClearFeature:
      return feature_locked(setup, false);
    case kSetFeature:
      return feature_locked(setup, true);
    case kSetAddress:
      return set_address_locked(setup);
    case kGetDescriptor:
      return get_descriptor_locked(setup, data);
    case kGetConfiguration:
      if (setup.bmRequestType != request_type(kDirIn, kRecipientDevice))
        return reject(setup, "GET_CONFIGURATION: bad request type");
      return copy_out(std::span(&configuration_, 1), data);
    case kSetConfiguration:
      return set_configuration_locked(setup);
    case kGetInterface:
    case kSetInterface:
      return interface_alt_locked(setup, data);
    default:  // SET_DESCRIPTOR, SYNCH_FRAME (no isochronous endpoint), unknown
      return reject(setup, "unsupported standard request");
  }
}

std::optional<size_t> UsbDeviceCore::get_status_locked(const SetupPacket& setup,
                                                       std::span<uint8_t> data) {
  if (!setup.device_to_host() || setup.wValue != 0)
    return reject(setup, "GET_STATUS: bad direction or wValue");
  uint16_t status = 0;
  switch (setup.bmRequestType & kRecipientMask) {
    case kRecipientDevice:
      if (spec_.configuration.bmAttributes & ConfigurationDescriptor::kAttrSelfPowered) status |= 1;
      if (remote_wakeup_) status |= 2;
      break;
    case kRecipientInterface:
      if (!configured_locked() || setup.wIndex >= interface_count())
        return reject(setup, "GET_STATUS: no such interface");
      break;
    case kRecipientEndpoint: {
      uint8_t endpoint_address = static_cast<uint8_t>(setup.wIndex);
      if (setup.wIndex > 0xFF) return reject(setup, "GET_STATUS: bad endpoint");
      if ((endpoint_address & 0x0F) != 0) {
        if (!configured_locked() || find_endpoint_locked(endpoint_address) == nullptr)
          return reject(setup, "GET_STATUS: no such endpoint");
        status = (halted_ >> halt_bit(endpoint_address)) & 1;
      }
      break;
    }
    default:
      return reject(setup, "GET_STATUS: bad recipient");
  }
  const uint8_t bytes[2] = {static_cast<uint8_t>(status), static_cast<uint8_t>(status >> 8)};
  return copy_out(bytes, data);
}

std::optional<size_t> UsbDeviceCore::feature_locked(const SetupPacket& setup, bool set) {
  if (setup.device_to_host() || setup.wLength != 0)
    return reject(setup, "SET/CLEAR_FEATURE: bad direction or length");
  switch (setup.bmRequestType & kRecipientMask) {
    case kRecipientDevice:
      // TEST_MODE is for high-speed devices only.
      if (setup.wValue != kFeatureDeviceRemoteWakeup || setup.wIndex != 0 ||
          !(spec_.configuration.bmAttributes & ConfigurationDescriptor::kAttrRemoteWakeup))
        return reject(setup, "SET/CLEAR_FEATURE: unsupported device feature");
      remote_wakeup_ = set;
      return 0;
    case kRecipientEndpoint: {
      uint8_t endpoint_address = static_cast<uint8_t>(setup.wIndex);
      if (setup.wValue != kFeatureEndpointHalt || setup.wIndex > 0xFF)
        return reject(setup, "SET/CLEAR_FEATURE: bad endpoint feature");
      if ((endpoint_address & 0x0F) == 0) return 0;  // the default pipe never halts
      if (!configured_locked() || find_endpoint_locked(endpoint_address) == nullptr)
        return reject(setup, "SET/CLEAR_FEATURE: no such endpoint");
      uint32_t bit = 1u << halt_bit(endpoint_address);
      halted_ = set ? (halted_ | bit) : (halted_ & ~bit);
      return 0;
    }
    default:  // no interface features exist
      return reject(setup, "SET/CLEAR_FEATURE: bad recipient");
  }
}

std::optional<size_t> UsbDeviceCore::get_descriptor_locked(const SetupPacket& setup,
                                                           std::span<uint8_t> data) {
  uint8_t type = static_cast<uint8_t>(setup.wValue >> 8);
  uint8_t index = static_cast<uint8_t>(setup.wValue);
  if (setup.bmRequestType == request_type(kDirIn, kRecipientInterface)) {
    if (setup.wIndex >= interface_count())
      return reject(setup, "GET_DESCRIPTOR: no such interface");
    auto n = class_descriptor_locked(type, index, setup.wIndex, data);
    if (!n) return reject(setup, "GET_DESCRIPTOR: unknown interface descriptor");
    return n;
  }
  if (setup.bmRequestType != request_type(kDirIn, kRecipientDevice))
    return reject(setup, "GET_DESCRIPTOR: bad request type");
  switch (static_cast<DescriptorType>(type)) {
    case DescriptorType::kDevice:
      return copy_out(device_descriptor_, data);
    case DescriptorType::kConfiguration:
      if (index != 0) return reject(setup, "GET_DESCRIPTOR: no such configuration");
      return copy_out(configuration_descriptor_, data);
    case DescriptorType::kString:
      // LANGIDs other than ours get English, as most devices do.
      if (index >= strings_.size() || strings_[index].empty())
        return reject(setup, "GET_DESCRIPTOR: no such string");
      return copy_out(strings_[index], data);
    case DescriptorType::kDeviceQualifier:
    case DescriptorType::kOtherSpeedConfiguration:
      // USB 2.0 9.6.2: a full-speed-only device answers with a Request Error.
      VMAPPLE_TRACE(kTrace, "{}: no {} descriptor (full-speed only)", name(),
                    type == 6 ? "device qualifier" : "other speed");
      return std::nullopt;
    default:
      return reject(setup, "GET_DESCRIPTOR: unknown type");
  }
}

std::optional<size_t> UsbDeviceCore::set_address_locked(const SetupPacket& setup) {
  if (setup.bmRequestType != request_type(0, kRecipientDevice) || setup.wValue > 127 ||
      setup.wIndex != 0 || setup.wLength != 0)
    return reject(setup, "SET_ADDRESS: bad fields");
  if (configured_locked()) return reject(setup, "SET_ADDRESS in the Configured state");
  address_ = static_cast<uint8_t>(setup.wValue);
  VMAPPLE_TRACE(kTrace, "{}: address {}", name(), address_);
  return 0;
}

// Accepted in the Default state too (USB 2.0 leaves it unspecified there) so a
// controller that skips SET_ADDRESS still gets a working device.
std::optional<size_t> UsbDeviceCore::set_configuration_locked(const SetupPacket& setup) {
  if (setup.bmRequestType != request_type(0, kRecipientDevice) || setup.wIndex != 0 ||
      setup.wLength != 0)
    return reject(setup, "SET_CONFIGURATION: bad fields");
  if (setup.wValue != 0 && setup.wValue != spec_.configuration.bConfigurationValue)
    return reject(setup, "SET_CONFIGURATION: no such configuration");
  configuration_ = static_cast<uint8_t>(setup.wValue);
  halted_ = 0;  // 9.4.7: endpoint state is reset
  VMAPPLE_TRACE(kTrace, "{}: configuration {}", name(), configuration_);
  configuration_changed_locked();
  return 0;
}

std::optional<size_t> UsbDeviceCore::interface_alt_locked(const SetupPacket& setup,
                                                          std::span<uint8_t> data) {
  bool get = setup.bRequest == kGetInterface;
  uint8_t type = request_type(get ? kDirIn : 0, kRecipientInterface);
  if (setup.bmRequestType != type || !configured_locked() || setup.wIndex >= interface_count())
    return reject(setup, "GET/SET_INTERFACE: bad fields or state");
  if (get) {
    const uint8_t alternate = 0;
    return copy_out(std::span(&alternate, 1), data);
  }
  if (setup.wValue != 0 || setup.wLength != 0)
    return reject(setup, "SET_INTERFACE: no such alternate setting");
  // 9.4.10: selecting a setting resets its endpoints' halt state.
  for (const EndpointDescriptor& endpoint : spec_.interfaces[setup.wIndex].endpoints)
    halted_ &= ~(1u << halt_bit(endpoint.bEndpointAddress));
  return 0;
}

const EndpointDescriptor* UsbDeviceCore::find_endpoint_locked(uint8_t endpoint_address) const {
  for (const InterfaceSpec& interface : spec_.interfaces)
    for (const EndpointDescriptor& endpoint : interface.endpoints)
      if (endpoint.bEndpointAddress == endpoint_address) return &endpoint;
  return nullptr;
}

}  // namespace vmapple::usb
