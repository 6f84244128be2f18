#pragma once
// Test-side USB host for the HID device tests: issues control transfers and
// interrupt IN transfers through the UsbDevice seam exactly as a host
// controller would, and parses what comes back (standard descriptors, HID
// report descriptors). Written from USB 2.0 chapter 9 and HID 1.11 6.2.2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hw/usb/usb_device.h"

namespace vmapple::usb::test {

struct Reply {
  TransferStatus status = TransferStatus::kStall;
  std::vector<uint8_t> data;
  bool ok() const { return status == TransferStatus::kOk; }
};

class UsbHost {
 public:
  explicit UsbHost(UsbDevice& device) : device_(device) {
    device_.set_notifier([this](uint8_t ep) {
      std::lock_guard lock(mutex_);
      notified_.push_back(ep);
    });
  }

  // Device-to-host control transfer with a wLength-sized buffer.
  Reply in(uint8_t type, uint8_t request, uint16_t value, uint16_t index, uint16_t length) {
    SetupPacket setup{static_cast<uint8_t>(type | 0x80), request, value, index, length};
    std::vector<uint8_t> buffer(length, 0xEE);
    TransferResult r = device_.control(setup, buffer);
    EXPECT_LE(r.length, length);
    buffer.resize(std::min<size_t>(r.length, length));
    return {r.status, buffer};
  }

  // Host-to-device control transfer; wLength is the data's size.
  TransferStatus out(uint8_t type, uint8_t request, uint16_t value, uint16_t index,
                     std::vector<uint8_t> data = {}) {
    SetupPacket setup{type, request, value, index, static_cast<uint16_t>(data.size())};
    return device_.control(setup, data).status;
  }

  Reply get_descriptor(uint8_t type, uint8_t index, uint16_t length, uint16_t windex = 0,
                       uint8_t recipient = 0) {
    return in(recipient, 6, static_cast<uint16_t>(type << 8 | index), windex, length);
  }

  // Reads string descriptor `index` as ASCII (UTF-16LE high bytes zero).
  std::string string(uint8_t index) {
    Reply r = get_descriptor(3, index, 255, 0x0409);
    EXPECT_TRUE(r.ok());
    if (r.data.size() < 2) return {};
    EXPECT_EQ(r.data[0], r.data.size());
    EXPECT_EQ(r.data[1], 3);
    std::string s;
    for (size_t i = 2; i + 1 < r.data.size(); i += 2) {
      EXPECT_EQ(r.data[i + 1], 0);
      s += static_cast<char>(r.data[i]);
    }
    return s;
  }

  // SET_ADDRESS then SET_CONFIGURATION 1, as after enumeration.
  void configure(uint8_t address = 7) {
    ASSERT_EQ(out(0x00, 5, address, 0), TransferStatus::kOk);
    ASSERT_EQ(out(0x00, 9, 1, 0), TransferStatus::kOk);
  }

  // HID class requests on interface 0.
  TransferStatus set_idle(uint8_t duration) {
    return out(0x21, 0x0A, static_cast<uint16_t>(duration << 8), 0);
  }
  TransferStatus set_protocol(uint16_t protocol) { return out(0x21, 0x0B, protocol, 0); }

  Reply interrupt_in(size_t size = 8, uint8_t ep = 1) {
    std::vector<uint8_t> buffer(size, 0xEE);
    TransferResult r = device_.transfer(ep, true, buffer);
    buffer.resize(std::min(r.length, size));
    return {r.status, buffer};
  }

  std::vector<uint8_t> take_notifications() {
    std::lock_guard lock(mutex_);
    return std::exchange(notified_, {});
  }

 private:
  UsbDevice& device_;
  std::mutex mutex_;
  std::vector<uint8_t> notified_;
};

// One descriptor inside a configuration descriptor set.
struct Descriptor {
  uint8_t type;
  std::vector<uint8_t> bytes;  // including bLength and bDescriptorType
  uint16_t u16(size_t offset) const {
    return static_cast<uint16_t>(bytes.at(offset) | bytes.at(offset + 1) << 8);
  }
};

inline std::vector<Descriptor> split_descriptors(const std::vector<uint8_t>& data) {
  std::vector<Descriptor> out;
  for (size_t i = 0; i < data.size();) {
    uint8_t length = data[i];
    EXPECT_GE(length, 2u) << "at " << i;
    EXPECT_LE(i + length, data.size()) << "at " << i;
    if (length < 2 || i + length > data.size()) break;
    out.push_back({data[i + 1], {data.begin() + i, data.begin() + i + length}});
    i += length;
  }
  return out;
}

// A HID report descriptor parsed into its main items (HID 1.11 6.2.2).
struct HidField {
  uint8_t main_tag = 0;  // 0x8 Input, 0x9 Output, 0xB Feature
  unsigned bit_offset = 0;
  unsigned size = 0;
  unsigned count = 0;
  uint32_t flags = 0;
  uint32_t page = 0;
  std::vector<uint32_t> usages;  // Usage items, in order
  uint32_t usage_min = 0, usage_max = 0;
  bool has_range = false;
  int32_t logical_min = 0, logical_max = 0;
};

struct HidCollection {
  uint8_t type;
  uint32_t page;
  uint32_t usage;
  unsigned depth;
};

struct HidLayout {
  std::vector<HidField> fields;
  std::vector<HidCollection> collections;
  unsigned input_bits = 0, output_bits = 0, feature_bits = 0;
  bool balanced = true;

  std::vector<HidField> of(uint8_t tag) const {
    std::vector<HidField> out;
    for (const HidField& f : fields)
      if (f.main_tag == tag) out.push_back(f);
    return out;
  }
};

inline HidLayout parse_report_descriptor(std::span<const uint8_t> d) {
  HidLayout layout;
  uint32_t page = 0, size = 0, count = 0;
  int32_t lmin = 0, lmax = 0;
  std::vector<uint32_t> usages;
  uint32_t umin = 0, umax = 0;
  bool range = false;
  unsigned depth = 0;
  for (size_t i = 0; i < d.size();) {
    uint8_t prefix = d[i++];
    if (prefix == 0xFE) {  // long item: skip
      ADD_FAILURE() << "long item";
      break;
    }
    unsigned n = prefix & 3;
    if (n == 3) n = 4;
    EXPECT_LE(i + n, d.size()) << "item runs past the end";
    if (i + n > d.size()) break;
    uint32_t value = 0;
    for (unsigned k = 0; k < n; ++k)
      value |= uint32_t{d[i + k]} << (8 * k);
    int32_t svalue = n == 1   ? static_cast<int8_t>(value)
                     : n == 2 ? static_cast<int16_t>(value)
                              : static_cast<int32_t>(value);
    i += n;
    uint8_t type = (prefix >> 2) & 3, tag = prefix >> 4;
    if (type == 0) {  // main
      if (tag == 0x8 || tag == 0x9 || tag == 0xB) {
        HidField f;
        f.main_tag = tag;
        unsigned& bits = tag == 0x8   ? layout.input_bits
                         : tag == 0x9 ? layout.output_bits
                                      : layout.feature_bits;
        f.bit_offset = bits;
        f.size = size;
        f.count = count;
        f.flags = value;
        f.page = page;
        f.usages = usages;
        f.usage_min = umin;
        f.usage_max = umax;
        f.has_range = range;
        f.logical_min = lmin;
        f.logical_max = lmax;
        bits += size * count;
        layout.fields.push_back(f);
      } else if (tag == 0xA) {
        layout.collections.push_back(
            {static_cast<uint8_t>(value), page, usages.empty() ? 0 : usages.front(), depth});
        ++depth;
      } else if (tag == 0xC) {
        if (depth == 0)
          layout.balanced = false;
        else
          --depth;
      } else {
        ADD_FAILURE() << "unknown main tag " << int{tag};
      }
      usages.clear();
      range = false;
      umin = umax = 0;
    } else if (type == 1) {  // global
      switch (tag) {
        case 0:
          page = value;
          break;
        case 1:
          lmin = svalue;
          break;
        case 2:
          lmax = svalue;
          break;
        case 7:
          size = value;
          break;
        case 9:
          count = value;
          break;
        default:
          ADD_FAILURE() << "unexpected global tag " << int{tag};
      }
    } else if (type == 2) {  // local
      switch (tag) {
        case 0:
          usages.push_back(value);
          break;
        case 1:
          umin = value;
          range = true;
          break;
        case 2:
          umax = value;
          range = true;
          break;
        default:
          ADD_FAILURE() << "unexpected local tag " << int{tag};
      }
    } else {
      ADD_FAILURE() << "reserved item type";
    }
  }
  if (depth != 0) layout.balanced = false;
  return layout;
}

}  // namespace vmapple::usb::test
