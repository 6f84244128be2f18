// The USB HID tablet driven through the UsbDevice seam as a host controller
// and HID driver would: descriptors, the report descriptor's layout, absolute
// positions, buttons, wheel, coalescing, and what a non-boot device refuses.
#include "hw/usb/hid/usb_tablet.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "base/log.h"
#include "base/manual_timers.h"
#include "unit/hw/usb_hid_host.h"

namespace vmapple::usb {
namespace {

using test::Descriptor;
using test::HidField;
using test::HidLayout;
using test::Reply;
using test::UsbHost;
using Bytes = std::vector<uint8_t>;

class TabletTest : public ::testing::Test {
 protected:
  ManualTimers timers;
  UsbTablet tablet{timers};
  UsbHost host{tablet};

  Bytes next_report() {
    Reply r = host.interrupt_in();
    EXPECT_EQ(r.status, TransferStatus::kOk);
    return r.data;
  }
  static Bytes report(uint8_t buttons, uint16_t x, uint16_t y, int8_t wheel = 0, int8_t pan = 0) {
    return {buttons,
            static_cast<uint8_t>(x),
            static_cast<uint8_t>(x >> 8),
            static_cast<uint8_t>(y),
            static_cast<uint8_t>(y >> 8),
            static_cast<uint8_t>(wheel),
            static_cast<uint8_t>(pan)};
  }
};

TEST_F(TabletTest, Descriptors) {
  Reply dev = host.get_descriptor(1, 0, 18);
  ASSERT_TRUE(dev.ok());
  ASSERT_EQ(dev.data.size(), 18u);
  Descriptor d{1, dev.data};
  EXPECT_EQ(d.u16(2), 0x0200);
  EXPECT_EQ(d.bytes[7], 64);
  EXPECT_EQ(d.u16(8), 0x0627);
  EXPECT_EQ(host.string(d.bytes[14]), "vmapple");
  EXPECT_EQ(host.string(d.bytes[15]), "vmapple USB Tablet");
  EXPECT_EQ(host.string(d.bytes[16]), "1");

  Reply cfg = host.get_descriptor(2, 0, 0xFFFF);
  ASSERT_TRUE(cfg.ok());
  std::vector<Descriptor> ds = test::split_descriptors(cfg.data);
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds[0].type, 2);
  EXPECT_EQ(ds[0].u16(2), cfg.data.size());
  EXPECT_EQ(ds[0].bytes[4], 1);
  EXPECT_EQ(ds[1].type, 4);
  EXPECT_EQ(ds[1].bytes[4], 1);  // one endpoint
  EXPECT_EQ(ds[1].bytes[5], 3);  // HID
  EXPECT_EQ(ds[1].bytes[6], 0);  // no boot subclass
  EXPECT_EQ(ds[1].bytes[7], 0);
  EXPECT_EQ(ds[2].type, 0x21);
  EXPECT_EQ(ds[2].u16(7), tablet.report_descriptor().size());
  EXPECT_EQ(ds[3].type, 5);
  EXPECT_EQ(ds[3].bytes[2], 0x81);
  EXPECT_EQ(ds[3].bytes[3], 3);
  EXPECT_EQ(ds[3].u16(4), 8);
  EXPECT_EQ(ds[3].bytes[6], 10);
  EXPECT_EQ(host.get_descriptor(0x22, 0, 0x200, 0, 1).data, tablet.report_descriptor());
}

TEST_F(TabletTest, ReportDescriptorLayout) {
  HidLayout layout = test::parse_report_descriptor(tablet.report_descriptor());
  EXPECT_TRUE(layout.balanced);
  ASSERT_EQ(layout.collections.size(), 2u);
  EXPECT_EQ(layout.collections[0].type, 1);  // application: generic desktop mouse
  EXPECT_EQ(layout.collections[0].page, 1u);
  EXPECT_EQ(layout.collections[0].usage, 2u);
  EXPECT_EQ(layout.collections[1].type, 0);  // physical: pointer
  EXPECT_EQ(layout.collections[1].usage, 1u);
  EXPECT_EQ(layout.collections[1].depth, 1u);
  EXPECT_EQ(layout.input_bits, UsbTablet::kReportLength * 8);
  EXPECT_EQ(layout.output_bits, 0u);
  EXPECT_EQ(layout.feature_bits, 0u);

  std::vector<HidField> in = layout.of(0x8);
  ASSERT_EQ(in.size(), 5u);
  // Buttons 1-5 in bits 0-4, padding to the byte.
  EXPECT_EQ(in[0].page, 9u);
  EXPECT_EQ(in[0].usage_min, 1u);
  EXPECT_EQ(in[0].usage_max, 5u);
  EXPECT_EQ(in[0].bit_offset, 0u);
  EXPECT_EQ(in[0].size, 1u);
  EXPECT_EQ(in[0].count, 5u);
  EXPECT_EQ(in[0].flags, 0x02u);
  EXPECT_EQ(in[1].flags & 1, 1u);
  EXPECT_EQ(in[1].size * in[1].count, 3u);
  // X and Y: absolute, 16 bits, 0..0x7FFF.
  EXPECT_EQ(in[2].page, 1u);
  EXPECT_EQ(in[2].usages, (std::vector<uint32_t>{0x30, 0x31}));
  EXPECT_EQ(in[2].bit_offset, 8u);
  EXPECT_EQ(in[2].size, 16u);
  EXPECT_EQ(in[2].count, 2u);
  EXPECT_EQ(in[2].flags, 0x02u);
  EXPECT_EQ(in[2].logical_min, 0);
  EXPECT_EQ(in[2].logical_max, 0x7FFF);
  // Wheel: relative, signed byte.
  EXPECT_EQ(in[3].page, 1u);
  EXPECT_EQ(in[3].usages, std::vector<uint32_t>{0x38});
  EXPECT_EQ(in[3].bit_offset, 40u);
  EXPECT_EQ(in[3].size, 8u);
  EXPECT_EQ(in[3].count, 1u);
  EXPECT_EQ(in[3].flags, 0x06u);
  EXPECT_EQ(in[3].logical_min, -127);
  EXPECT_EQ(in[3].logical_max, 127);
  // Horizontal pan: Consumer AC Pan, relative.
  EXPECT_EQ(in[4].page, 0x0Cu);
  EXPECT_EQ(in[4].usages, std::vector<uint32_t>{0x238});
  EXPECT_EQ(in[4].bit_offset, 48u);
  EXPECT_EQ(in[4].size, 8u);
  EXPECT_EQ(in[4].flags, 0x06u);
  EXPECT_EQ(in[4].logical_min, -127);
}

TEST_F(TabletTest, PositionButtonsWheel) {
  host.configure();
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  tablet.pointer_move(100, 0x1234);
  EXPECT_EQ(host.take_notifications(), Bytes{1});
  EXPECT_EQ(next_report(), report(0, 100, 0x1234));
  tablet.buttons(UsbTablet::kButtonLeft | UsbTablet::kButtonMiddle);
  EXPECT_EQ(next_report(), report(0x05, 100, 0x1234));
  tablet.buttons(0x05);  // no change, no report
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  tablet.buttons(0xFF);  // only five buttons exist
  EXPECT_EQ(next_report(), report(0x1F, 100, 0x1234));
  tablet.buttons(0);
  EXPECT_EQ(next_report(), report(0, 100, 0x1234));
  tablet.wheel(-3, 2);
  EXPECT_EQ(next_report(), report(0, 100, 0x1234, -3, 2));
  // GET_REPORT(Input): the state, wheel not repeated.
  EXPECT_EQ(host.in(0x21, 0x01, 0x0100, 0, 8).data, report(0, 100, 0x1234));

  // Coordinates clamp to the logical range.
  tablet.pointer_move(0x8000, 0xFFFFFFFF);
  EXPECT_EQ(next_report(), report(0, 0x7FFF, 0x7FFF));
  tablet.pointer_move_normalized(0.5, 0.25);
  EXPECT_EQ(next_report(), report(0, 16384, 8192));
  tablet.pointer_move_normalized(1.5, -0.5);
  EXPECT_EQ(next_report(), report(0, 0x7FFF, 0));
  tablet.pointer_move_normalized(std::numeric_limits<double>::quiet_NaN(),
                                 std::numeric_limits<double>::infinity());
  EXPECT_EQ(next_report(), report(0, 0, 0x7FFF));
}

TEST_F(TabletTest, MotionCoalescesWhileTheHostIsNotPolling) {
  host.configure();
  for (uint32_t i = 0; i < 1000; ++i)
    tablet.pointer_move(i, 2 * i);
  EXPECT_EQ(tablet.queued_reports(), 1u);
  EXPECT_EQ(next_report(), report(0, 999, 1998));

  // A button change is its own report at its own position: a drag keeps
  // where it started and ended.
  tablet.pointer_move(10, 10);
  tablet.buttons(UsbTablet::kButtonLeft);
  tablet.pointer_move(15, 15);
  tablet.pointer_move(20, 20);
  tablet.buttons(0);
  tablet.pointer_move(30, 30);
  tablet.pointer_move(40, 40);
  EXPECT_EQ(tablet.queued_reports(), 5u);
  EXPECT_EQ(next_report(), report(0, 10, 10));
  EXPECT_EQ(next_report(), report(1, 10, 10));
  EXPECT_EQ(next_report(), report(1, 20, 20));
  EXPECT_EQ(next_report(), report(0, 20, 20));
  EXPECT_EQ(next_report(), report(0, 40, 40));
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
}

TEST_F(TabletTest, WheelStepsAddUpAndSplit) {
  host.configure();
  tablet.wheel(1);
  tablet.wheel(1);
  tablet.pointer_move(5, 5);
  tablet.wheel(-1, 4);
  EXPECT_EQ(tablet.queued_reports(), 1u);
  EXPECT_EQ(next_report(), report(0, 5, 5, 1, 4));

  tablet.wheel(300);  // more than one report holds
  EXPECT_EQ(next_report(), report(0, 5, 5, 127));
  EXPECT_EQ(next_report(), report(0, 5, 5, 127));
  EXPECT_EQ(next_report(), report(0, 5, 5, 46));
  tablet.wheel(-128, -1000);
  EXPECT_EQ(next_report(), report(0, 5, 5, -127, -127));
  int pan_total = -127;
  for (Reply r = host.interrupt_in(); r.ok(); r = host.interrupt_in())
    pan_total += static_cast<int8_t>(r.data[6]);
  EXPECT_EQ(pan_total, -1000);

  // Absurd deltas are bounded by the queue, not looped over.
  tablet.wheel(std::numeric_limits<int>::max(), std::numeric_limits<int>::min());
  EXPECT_EQ(tablet.queued_reports(), UsbHidDevice::kQueueDepth);
}

TEST_F(TabletTest, NotABootDevice) {
  host.configure();
  EXPECT_EQ(host.in(0x21, 0x03, 0, 0, 1).status, TransferStatus::kStall);  // GET_PROTOCOL
  EXPECT_EQ(host.set_protocol(0), TransferStatus::kStall);
  EXPECT_EQ(tablet.protocol(), UsbHidDevice::kReportProtocol);
  // No output report.
  EXPECT_EQ(host.out(0x21, 0x09, 0x0200, 0, {1}), TransferStatus::kStall);
  EXPECT_EQ(host.in(0x21, 0x01, 0x0200, 0, 1).status, TransferStatus::kStall);
  // Idle: infinite by default, settable.
  EXPECT_EQ(host.in(0x21, 0x02, 0, 0, 1).data, Bytes{0});
  EXPECT_EQ(timers.pending(), 0u);
  ASSERT_EQ(host.set_idle(10), TransferStatus::kOk);  // 40 ms
  tablet.pointer_move(7, 8);
  next_report();
  timers.advance(40'000'000);
  EXPECT_EQ(next_report(), report(0, 7, 8));
}

TEST_F(TabletTest, HostileInput) {
  uint64_t errors = trace::guest_error_count();
  tablet.pointer_move(1, 1);  // not configured: nothing queued, no notification
  EXPECT_TRUE(host.take_notifications().empty());
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kStall);
  EXPECT_GT(trace::guest_error_count(), errors);
  host.configure();
  // The 7-byte report in a 4-byte buffer babbles.
  tablet.pointer_move(0x0102, 0x0304);
  Reply r = host.interrupt_in(4);
  EXPECT_EQ(r.status, TransferStatus::kBabble);
  EXPECT_EQ(r.data, (Bytes{0, 0x02, 0x01, 0x04}));
  // Every request a hostile host can form: no crash, sane lengths.
  for (unsigned type : {0x00, 0x01, 0x02, 0x21, 0x22, 0x40, 0x80, 0x81, 0x82, 0xA1, 0xC1}) {
    for (unsigned request = 0; request < 16; ++request) {
      for (uint16_t value : {0x0000, 0x0001, 0x0100, 0x0200, 0x0300, 0x2100, 0x2200, 0xFFFF}) {
        for (uint16_t length : {0, 1, 7, 255}) {
          if (type == 0x00 && (request == 5 || request == 9)) continue;  // keep the state
          std::vector<uint8_t> buffer(length);
          SetupPacket setup{static_cast<uint8_t>(type), static_cast<uint8_t>(request), value, 0,
                            length};
          TransferResult res = tablet.control(setup, buffer);
          EXPECT_LE(res.length, length);
        }
      }
    }
  }
  EXPECT_EQ(tablet.configuration(), 1);
}

}  // namespace
}  // namespace vmapple::usb
