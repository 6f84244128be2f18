#pragma once
// Standard USB descriptors (USB 2.0 chapter 9.6) and the HID class
// descriptor (HID 1.11 section 6.2.1) as plain structs with the field names
// of the specifications. Each one serialises itself little-endian, so a
// device's descriptors are written as data, not as byte blobs.
#include <cstdint>
#include <string_view>
#include <vector>

namespace vmapple::usb {

// USB 2.0 table 9-5 and HID 1.11 section 7.1.
enum class DescriptorType : uint8_t {
  kDevice = 1,
  kConfiguration = 2,
  kString = 3,
  kInterface = 4,
  kEndpoint = 5,
  kDeviceQualifier = 6,
  kOtherSpeedConfiguration = 7,
  kHid = 0x21,
  kReport = 0x22,
};

// Appends little-endian fields to a descriptor buffer.
class DescriptorWriter {
 public:
  explicit DescriptorWriter(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v));
    out_.push_back(static_cast<uint8_t>(v >> 8));
  }
  void type(DescriptorType t) { u8(static_cast<uint8_t>(t)); }

 private:
  std::vector<uint8_t>& out_;
};

// USB 2.0 table 9-8.
struct DeviceDescriptor {
  static constexpr uint8_t kLength = 18;
  uint16_t bcdUSB = 0x0200;
  uint8_t bDeviceClass = 0;  // 0: each interface names its class
  uint8_t bDeviceSubClass = 0;
  uint8_t bDeviceProtocol = 0;
  uint8_t bMaxPacketSize0 = 64;
  uint16_t idVendor = 0;
  uint16_t idProduct = 0;
  uint16_t bcdDevice = 0;
  uint8_t iManufacturer = 0;
  uint8_t iProduct = 0;
  uint8_t iSerialNumber = 0;
  uint8_t bNumConfigurations = 1;

  void append_to(std::vector<uint8_t>& out) const {
    DescriptorWriter w(out);
    w.u8(kLength);
    w.type(DescriptorType::kDevice);
    w.u16(bcdUSB);
    w.u8(bDeviceClass);
    w.u8(bDeviceSubClass);
    w.u8(bDeviceProtocol);
    w.u8(bMaxPacketSize0);
    w.u16(idVendor);
    w.u16(idProduct);
    w.u16(bcdDevice);
    w.u8(iManufacturer);
    w.u8(iProduct);
    w.u8(iSerialNumber);
    w.u8(bNumConfigurations);
  }
};

// USB 2.0 table 9-10. wTotalLength and bNumInterfaces are filled in by
// whoever assembles the whole configuration.
struct ConfigurationDescriptor {
  static constexpr uint8_t kLength = 9;
  static constexpr uint8_t kAttrReserved = 0x80;  // bit 7 must be one
  static constexpr uint8_t kAttrSelfPowered = 0x40;
  static constexpr uint8_t kAttrRemoteWakeup = 0x20;
  uint16_t wTotalLength = 0;
  uint8_t bNumInterfaces = 0;
  uint8_t bConfigurationValue = 1;
  uint8_t iConfiguration = 0;
  uint8_t bmAttributes = kAttrReserved;
  uint8_t bMaxPower = 50;  // in 2 mA units

  void append_to(std::vector<uint8_t>& out) const {
    DescriptorWriter w(out);
    w.u8(kLength);
    w.type(DescriptorType::kConfiguration);
    w.u16(wTotalLength);
    w.u8(bNumInterfaces);
    w.u8(bConfigurationValue);
    w.u8(iConfiguration);
    w.u8(bmAttributes);
    w.u8(bMaxPower);
  }
};

// USB 2.0 table 9-12.
struct InterfaceDescriptor {
  static constexpr uint8_t kLength = 9;
  uint8_t bInterfaceNumber = 0;
  uint8_t bAlternateSetting = 0;
  uint8_t bNumEndpoints = 0;
  uint8_t bInterfaceClass = 0;
  uint8_t bInterfaceSubClass = 0;
  uint8_t bInterfaceProtocol = 0;
  uint8_t iInterface = 0;

  void append_to(std::vector<uint8_t>& out) const {
    DescriptorWriter w(out);
    w.u8(kLength);
    w.type(DescriptorType::kInterface);
    w.u8(bInterfaceNumber);
    w.u8(bAlternateSetting);
    w.u8(bNumEndpoints);
    w.u8(bInterfaceClass);
    w.u8(bInterfaceSubClass);
    w.u8(bInterfaceProtocol);
    w.u8(iInterface);
  }
};

// USB 2.0 table 9-13.
struct EndpointDescriptor {
  static constexpr uint8_t kLength = 7;
  static constexpr uint8_t kDirIn = 0x80;   // bEndpointAddress bit 7
  static constexpr uint8_t kInterrupt = 3;  // bmAttributes transfer type
  uint8_t bEndpointAddress = 0;
  uint8_t bmAttributes = kInterrupt;
  uint16_t wMaxPacketSize = 8;
  uint8_t bInterval = 10;  // full speed: frames (ms)

  uint8_t number() const { return bEndpointAddress & 0x0F; }
  bool in() const { return (bEndpointAddress & kDirIn) != 0; }

  void append_to(std::vector<uint8_t>& out) const {
    DescriptorWriter w(out);
    w.u8(kLength);
    w.type(DescriptorType::kEndpoint);
    w.u8(bEndpointAddress);
    w.u8(bmAttributes);
    w.u16(wMaxPacketSize);
    w.u8(bInterval);
  }
};

// HID 1.11 section 6.2.1, with its one mandatory report descriptor entry.
struct HidDescriptor {
  static constexpr uint8_t kLength = 9;
  uint16_t bcdHID = 0x0111;
  uint8_t bCountryCode = 0;  // not localised
  uint8_t bNumDescriptors = 1;
  uint16_t wDescriptorLength = 0;  // of the report descriptor

  void append_to(std::vector<uint8_t>& out) const {
    DescriptorWriter w(out);
    w.u8(kLength);
    w.type(DescriptorType::kHid);
    w.u16(bcdHID);
    w.u8(bCountryCode);
    w.u8(bNumDescriptors);
    w.type(DescriptorType::kReport);
    w.u16(wDescriptorLength);
  }
};

// USB 2.0 section 9.6.7: string zero lists the supported LANGIDs; the others
// hold UTF-16LE text (ours are ASCII, at most 126 characters).
inline std::vector<uint8_t> language_descriptor(uint16_t langid) {
  std::vector<uint8_t> out;
  DescriptorWriter w(out);
  w.u8(4);
  w.type(DescriptorType::kString);
  w.u16(langid);
  return out;
}

inline std::vector<uint8_t> string_descriptor(std::string_view text) {
  if (text.size() > 126) text = text.substr(0, 126);
  std::vector<uint8_t> out;
  DescriptorWriter w(out);
  w.u8(static_cast<uint8_t>(2 + 2 * text.size()));
  w.type(DescriptorType::kString);
  for (char c : text)
    w.u16(static_cast<uint8_t>(c));
  return out;
}

}  // namespace vmapple::usb
