#pragma once
// Writes HID report descriptors item by item (HID 1.11 section 6.2.2), so a
// device's report layout reads like the specification's tables instead of a
// byte blob. Short items only; each value takes the smallest size that holds
// it (signed for logical/physical extents, unsigned otherwise).
#include <cstdint>
#include <vector>

namespace vmapple::usb {

// Usage pages (HID Usage Tables 1.12, section 3).
namespace hid_page {
inline constexpr uint16_t kGenericDesktop = 0x01;
inline constexpr uint16_t kKeyboard = 0x07;
inline constexpr uint16_t kLeds = 0x08;
inline constexpr uint16_t kButton = 0x09;
inline constexpr uint16_t kConsumer = 0x0C;
}  // namespace hid_page

// Main item data bits (HID 1.11 section 6.2.2.5).
namespace hid_main {
inline constexpr uint8_t kConstant = 0x01;  // else Data
inline constexpr uint8_t kVariable = 0x02;  // else Array
inline constexpr uint8_t kRelative = 0x04;  // else Absolute
}  // namespace hid_main

class HidReportBuilder {
 public:
  // Item tags with their type bits (bTag << 4 | bType << 2).
  enum Tag : uint8_t {
    kInput = 0x80,
    kOutput = 0x90,
    kCollection = 0xA0,
    kFeature = 0xB0,
    kEndCollection = 0xC0,
    kUsagePage = 0x04,
    kLogicalMinimum = 0x14,
    kLogicalMaximum = 0x24,
    kReportSize = 0x74,
    kReportId = 0x84,
    kReportCount = 0x94,
    kUsage = 0x08,
    kUsageMinimum = 0x18,
    kUsageMaximum = 0x28,
  };
  enum CollectionType : uint8_t { kPhysical = 0x00, kApplication = 0x01 };

  HidReportBuilder& usage_page(uint16_t page) { return unsigned_item(kUsagePage, page); }
  HidReportBuilder& usage(uint16_t id) { return unsigned_item(kUsage, id); }
  HidReportBuilder& usage_minimum(uint16_t id) { return unsigned_item(kUsageMinimum, id); }
  HidReportBuilder& usage_maximum(uint16_t id) { return unsigned_item(kUsageMaximum, id); }
  HidReportBuilder& logical_minimum(int32_t v) { return signed_item(kLogicalMinimum, v); }
  HidReportBuilder& logical_maximum(int32_t v) { return signed_item(kLogicalMaximum, v); }
  HidReportBuilder& report_size(uint32_t bits) { return unsigned_item(kReportSize, bits); }
  HidReportBuilder& report_count(uint32_t n) { return unsigned_item(kReportCount, n); }
  HidReportBuilder& input(uint8_t bits) { return unsigned_item(kInput, bits); }
  HidReportBuilder& output(uint8_t bits) { return unsigned_item(kOutput, bits); }
  HidReportBuilder& collection(CollectionType type) { return unsigned_item(kCollection, type); }
  HidReportBuilder& end_collection() {
    bytes_.push_back(kEndCollection);
    return *this;
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  HidReportBuilder& unsigned_item(Tag tag, uint32_t v) {
    return item(tag, v, v <= 0xFF ? 1 : v <= 0xFFFF ? 2 : 4);
  }
  HidReportBuilder& signed_item(Tag tag, int32_t v) {
    unsigned size = (v >= -128 && v <= 127) ? 1 : (v >= -32768 && v <= 32767) ? 2 : 4;
    return item(tag, static_cast<uint32_t>(v), size);
  }
  HidReportBuilder& item(Tag tag, uint32_t v, unsigned size) {
    bytes_.push_back(static_cast<uint8_t>(tag | (size == 4 ? 3 : size)));
    for (unsigned i = 0; i < size; ++i)
      bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }

  std::vector<uint8_t> bytes_;
};

}  // namespace vmapple::usb
