#pragma once
// The part every simple USB function shares: the device framework of USB 2.0
// chapter 9 on the default control pipe (device states, the standard
// requests, descriptors, endpoint halt) for a full-speed device with one
// configuration. A subclass describes its interfaces and endpoints with a
// DeviceSpec and implements the class requests and its data endpoints.
//
// Requests the device does not support, or that break chapter 9's rules
// (wrong direction, recipient, index, state), STALL as a real device's
// Request Error would, with a rate-limited guest_error. Answers longer than
// wLength are cut to wLength (USB 2.0 9.3.5).
//
// Threads: see usb_device.h. All state sits under mutex_, which the hooks
// below are called with; a subclass shares it for its own state.
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hw/usb/hid/usb_descriptors.h"
#include "hw/usb/usb_device.h"

namespace vmapple::usb {

struct InterfaceSpec {
  InterfaceDescriptor descriptor;             // bNumEndpoints is filled in
  std::vector<uint8_t> class_descriptors;     // written after the interface
  std::vector<EndpointDescriptor> endpoints;  // never endpoint 0
};

// Everything the standard requests answer with. String indexes, counts and
// wTotalLength are filled in by the core.
struct DeviceSpec {
  DeviceDescriptor device;
  ConfigurationDescriptor configuration;
  std::vector<InterfaceSpec> interfaces;
  std::string manufacturer;
  std::string product;
  std::string serial;
};

class UsbDeviceCore : public UsbDevice {
 public:
  static constexpr uint16_t kLangIdEnglishUs = 0x0409;

  // bmRequestType fields (USB 2.0 table 9-2).
  static constexpr uint8_t kDirIn = 0x80;
  static constexpr uint8_t kTypeMask = 0x60;
  static constexpr uint8_t kTypeStandard = 0x00;
  static constexpr uint8_t kTypeClass = 0x20;
  static constexpr uint8_t kRecipientMask = 0x1F;
  static constexpr uint8_t kRecipientDevice = 0;
  static constexpr uint8_t kRecipientInterface = 1;
  static constexpr uint8_t kRecipientEndpoint = 2;

  // Standard request codes (table 9-4) and feature selectors (table 9-6).
  enum Request : uint8_t {
    kGetStatus = 0,
    kClearFeature = 1,
    kSetFeature = 3,
    kSetAddress = 5,
    kGetDescriptor = 6,
    kSetDescriptor = 7,
    kGetConfiguration = 8,
    kSetConfiguration = 9,
    kGetInterface = 10,
    kSetInterface = 11,
    kSynchFrame = 12,
  };
  static constexpr uint16_t kFeatureEndpointHalt = 0;
  static constexpr uint16_t kFeatureDeviceRemoteWakeup = 1;

  Speed speed() const override { return Speed::kFull; }
  void bus_reset() override;
  TransferResult control(const SetupPacket& setup, std::span<uint8_t> data) override;
  TransferResult transfer(uint8_t ep, bool in, std::span<uint8_t> data) override;

  // The host's view, for tests and the monitor.
  uint8_t address() const;
  uint8_t configuration() const;
  bool endpoint_halted(uint8_t endpoint_address) const;

 protected:
  explicit UsbDeviceCore(DeviceSpec spec);

  // Hooks, called with mutex_ held.
  virtual void reset_locked() {}
  // SET_CONFIGURATION (also to the same value) or a bus reset.
  virtual void configuration_changed_locked() {}
  // A class-specific request (type Class). Returns the data-stage length
  // moved, or nullopt to STALL.
  virtual std::optional<size_t> class_request_locked(const SetupPacket& setup,
                                                     std::span<uint8_t> data);
  // A standard GET_DESCRIPTOR sent to interface `interface` for a class
  // descriptor type. Returns the bytes written, or nullopt to STALL.
  virtual std::optional<size_t> class_descriptor_locked(uint8_t type, uint8_t index,
                                                        uint16_t interface,
                                                        std::span<uint8_t> data);
  // A transfer on one of the spec's endpoints, the device configured and the
  // endpoint not halted.
  virtual TransferResult endpoint_transfer_locked(const EndpointDescriptor& endpoint,
                                                  std::span<uint8_t> data) = 0;

  bool configured_locked() const { return configuration_ != 0; }
  const DeviceSpec& spec() const { return spec_; }
  size_t interface_count() const { return spec_.interfaces.size(); }
  // Copies as much of `bytes` as `data` holds; returns the count.
  static size_t copy_out(std::span<const uint8_t> bytes, std::span<uint8_t> data);
  // Logs why a request STALLs (rate-limited) and returns nullopt.
  std::nullopt_t reject(const SetupPacket& setup, std::string_view why) const;

  mutable std::mutex mutex_;

 private:
  std::optional<size_t> standard_request_locked(const SetupPacket& setup, std::span<uint8_t> data);
  std::optional<size_t> get_status_locked(const SetupPacket& setup, std::span<uint8_t> data);
  std::optional<size_t> feature_locked(const SetupPacket& setup, bool set);
  std::optional<size_t> get_descriptor_locked(const SetupPacket& setup, std::span<uint8_t> data);
  std::optional<size_t> set_address_locked(const SetupPacket& setup);
  std::optional<size_t> set_configuration_locked(const SetupPacket& setup);
  std::optional<size_t> interface_alt_locked(const SetupPacket& setup, std::span<uint8_t> data);
  // The endpoint with USB address `endpoint_address` (bit 7 = IN) in the
  // current configuration; endpoint 0 is not in the list.
  const EndpointDescriptor* find_endpoint_locked(uint8_t endpoint_address) const;
  static unsigned halt_bit(uint8_t endpoint_address) {
    return (endpoint_address & 0x0F) + ((endpoint_address & kDirIn) ? 16 : 0);
  }

  DeviceSpec spec_;
  std::vector<uint8_t> device_descriptor_;
  std::vector<uint8_t> configuration_descriptor_;
  std::vector<std::vector<uint8_t>> strings_;  // [0] is the LANGID list

  uint8_t address_ = 0;
  uint8_t configuration_ = 0;
  bool remote_wakeup_ = false;
  uint32_t halted_ = 0;  // bit halt_bit(address)
};

}  // namespace vmapple::usb
