// The USB HID keyboard driven through the UsbDevice seam as a host
// controller and a HID class driver would: enumeration, descriptors, the
// report descriptor's layout, boot/report protocol, idle repeat, LEDs,
// input reports, and hostile requests.
#include "hw/usb/hid/usb_keyboard.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/manual_timers.h"
#include "unit/hw/usb_hid_host.h"

namespace vmapple::usb {
namespace {

using test::Descriptor;
using test::HidLayout;
using test::Reply;
using test::UsbHost;

constexpr uint8_t kA = 0x04, kB = 0x05, kC = 0x06, kD = 0x07, kE = 0x08, kF = 0x09, kG = 0x0A;
constexpr uint8_t kLeftShift = 0xE1, kRightGui = 0xE7;
using Bytes = std::vector<uint8_t>;

class KeyboardTest : public ::testing::Test {
 protected:
  ManualTimers timers;
  UsbKeyboard keyboard{timers};
  UsbHost host{keyboard};

  void configure_no_idle() {
    host.configure();
    ASSERT_EQ(host.set_idle(0), TransferStatus::kOk);
  }
  Bytes next_report() {
    Reply r = host.interrupt_in();
    EXPECT_EQ(r.status, TransferStatus::kOk);
    return r.data;
  }
};

TEST_F(KeyboardTest, DeviceDescriptorFieldByField) {
  EXPECT_EQ(keyboard.speed(), Speed::kFull);
  // A host first reads 8 bytes to learn bMaxPacketSize0.
  Reply head = host.get_descriptor(1, 0, 8);
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head.data.size(), 8u);
  EXPECT_EQ(head.data[7], 64);

  Reply r = host.get_descriptor(1, 0, 64);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.data.size(), 18u);
  Descriptor d{r.data[1], r.data};
  EXPECT_EQ(d.bytes[0], 18);    // bLength
  EXPECT_EQ(d.bytes[1], 1);     // DEVICE
  EXPECT_EQ(d.u16(2), 0x0200);  // bcdUSB
  EXPECT_EQ(d.bytes[4], 0);     // class per interface
  EXPECT_EQ(d.bytes[5], 0);
  EXPECT_EQ(d.bytes[6], 0);
  EXPECT_EQ(d.u16(8), 0x0627);   // idVendor
  EXPECT_EQ(d.u16(10), 0x0001);  // idProduct
  EXPECT_EQ(d.u16(12), 0x0100);  // bcdDevice
  EXPECT_EQ(d.bytes[17], 1);     // bNumConfigurations
  EXPECT_EQ(host.string(d.bytes[14]), "vmapple");
  EXPECT_EQ(host.string(d.bytes[15]), "vmapple USB Keyboard");
  EXPECT_EQ(host.string(d.bytes[16]), "1");
  EXPECT_NE(d.bytes[14], d.bytes[15]);
}

TEST_F(KeyboardTest, ConfigurationDescriptorSet) {
  Reply head = host.get_descriptor(2, 0, 9);
  ASSERT_TRUE(head.ok());
  ASSERT_EQ(head.data.size(), 9u);
  uint16_t total = static_cast<uint16_t>(head.data[2] | head.data[3] << 8);
  EXPECT_EQ(total, 9 + 9 + 9 + 7);

  Reply r = host.get_descriptor(2, 0, 0xFF);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.data.size(), total);
  std::vector<Descriptor> ds = test::split_descriptors(r.data);
  ASSERT_EQ(ds.size(), 4u);

  const Descriptor& config = ds[0];
  EXPECT_EQ(config.type, 2);
  EXPECT_EQ(config.bytes[4], 1);     // bNumInterfaces
  EXPECT_EQ(config.bytes[5], 1);     // bConfigurationValue
  EXPECT_EQ(config.bytes[6], 0);     // iConfiguration
  EXPECT_EQ(config.bytes[7], 0xA0);  // bus powered, remote wakeup
  EXPECT_EQ(config.bytes[8], 50);    // 100 mA

  const Descriptor& interface = ds[1];
  EXPECT_EQ(interface.type, 4);
  EXPECT_EQ(interface.bytes[2], 0);  // bInterfaceNumber
  EXPECT_EQ(interface.bytes[3], 0);  // bAlternateSetting
  EXPECT_EQ(interface.bytes[4], 1);  // bNumEndpoints
  EXPECT_EQ(interface.bytes[5], 3);  // HID
  EXPECT_EQ(interface.bytes[6], 1);  // boot
  EXPECT_EQ(interface.bytes[7], 1);  // keyboard

  const Descriptor& hid = ds[2];
  EXPECT_EQ(hid.type, 0x21);
  EXPECT_EQ(hid.bytes.size(), 9u);
  EXPECT_EQ(hid.u16(2), 0x0111);  // bcdHID
  EXPECT_EQ(hid.bytes[4], 0);     // bCountryCode
  EXPECT_EQ(hid.bytes[5], 1);     // bNumDescriptors
  EXPECT_EQ(hid.bytes[6], 0x22);  // REPORT
  EXPECT_EQ(hid.u16(7), keyboard.report_descriptor().size());

  const Descriptor& endpoint = ds[3];
  EXPECT_EQ(endpoint.type, 5);
  EXPECT_EQ(endpoint.bytes[2], 0x81);  // EP 1 IN
  EXPECT_EQ(endpoint.bytes[3], 3);     // interrupt
  EXPECT_EQ(endpoint.u16(4), 8);       // wMaxPacketSize
  EXPECT_EQ(endpoint.bytes[6], 10);    // bInterval

  // The class descriptors are also readable from the interface.
  Reply hid_alone = host.get_descriptor(0x21, 0, 64, 0, /*recipient=*/1);
  ASSERT_TRUE(hid_alone.ok());
  EXPECT_EQ(hid_alone.data, hid.bytes);
  Reply report = host.get_descriptor(0x22, 0, 512, 0, 1);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.data, keyboard.report_descriptor());
}

TEST_F(KeyboardTest, StringDescriptors) {
  Reply langs = host.get_descriptor(3, 0, 255);
  ASSERT_TRUE(langs.ok());
  EXPECT_EQ(langs.data, (Bytes{4, 3, 0x09, 0x04}));
  // Truncated to wLength, bLength still the full size.
  Reply part = host.get_descriptor(3, 2, 2, 0x0409);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part.data, (Bytes{2 + 2 * 20, 3}));
  EXPECT_EQ(host.get_descriptor(3, 4, 255, 0x0409).status, TransferStatus::kStall);
  EXPECT_EQ(host.get_descriptor(3, 0xEE, 255, 0x0409).status, TransferStatus::kStall);
}

TEST_F(KeyboardTest, ReportDescriptorDescribesTheBootLayout) {
  HidLayout layout = test::parse_report_descriptor(keyboard.report_descriptor());
  EXPECT_TRUE(layout.balanced);
  ASSERT_EQ(layout.collections.size(), 1u);
  EXPECT_EQ(layout.collections[0].type, 1);    // application
  EXPECT_EQ(layout.collections[0].page, 1);    // generic desktop
  EXPECT_EQ(layout.collections[0].usage, 6u);  // keyboard

  EXPECT_EQ(layout.input_bits, 64u);  // the 8-byte boot report
  EXPECT_EQ(layout.output_bits, 8u);  // one LED byte
  EXPECT_EQ(layout.feature_bits, 0u);

  auto inputs = layout.of(0x8);
  ASSERT_EQ(inputs.size(), 3u);
  // Byte 0: modifiers E0..E7, one bit each.
  EXPECT_EQ(inputs[0].bit_offset, 0u);
  EXPECT_EQ(inputs[0].size, 1u);
  EXPECT_EQ(inputs[0].count, 8u);
  EXPECT_EQ(inputs[0].flags, 0x02u);  // data, variable, absolute
  EXPECT_EQ(inputs[0].page, 7u);
  EXPECT_TRUE(inputs[0].has_range);
  EXPECT_EQ(inputs[0].usage_min, 0xE0u);
  EXPECT_EQ(inputs[0].usage_max, 0xE7u);
  EXPECT_EQ(inputs[0].logical_min, 0);
  EXPECT_EQ(inputs[0].logical_max, 1);
  // Byte 1: constant.
  EXPECT_EQ(inputs[1].bit_offset, 8u);
  EXPECT_EQ(inputs[1].size * inputs[1].count, 8u);
  EXPECT_EQ(inputs[1].flags & 1, 1u);
  // Bytes 2-7: an array of six key usages.
  EXPECT_EQ(inputs[2].bit_offset, 16u);
  EXPECT_EQ(inputs[2].size, 8u);
  EXPECT_EQ(inputs[2].count, 6u);
  EXPECT_EQ(inputs[2].flags, 0x00u);  // data, array
  EXPECT_EQ(inputs[2].page, 7u);
  EXPECT_EQ(inputs[2].usage_min, 0u);
  EXPECT_EQ(inputs[2].usage_max, 0xDDu);
  EXPECT_EQ(inputs[2].logical_min, 0);
  EXPECT_EQ(inputs[2].logical_max, 0xDD);  // needs the 2-byte item: 0xDD > 127

  auto outputs = layout.of(0x9);
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].page, 8u);  // LEDs
  EXPECT_EQ(outputs[0].usage_min, 1u);
  EXPECT_EQ(outputs[0].usage_max, 5u);
  EXPECT_EQ(outputs[0].size, 1u);
  EXPECT_EQ(outputs[0].count, 5u);
  EXPECT_EQ(outputs[0].flags, 0x02u);
  EXPECT_EQ(outputs[1].bit_offset, 5u);
  EXPECT_EQ(outputs[1].size * outputs[1].count, 3u);
  EXPECT_EQ(outputs[1].flags & 1, 1u);
}

TEST_F(KeyboardTest, AddressAndConfigurationStates) {
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kStall);  // not configured
  ASSERT_EQ(host.out(0, 5, 42, 0), TransferStatus::kOk);
  EXPECT_EQ(keyboard.address(), 42);
  EXPECT_EQ(host.in(0, 8, 0, 0, 1).data, Bytes{0});
  ASSERT_EQ(host.out(0, 9, 1, 0), TransferStatus::kOk);
  EXPECT_EQ(keyboard.configuration(), 1);
  EXPECT_EQ(host.in(0, 8, 0, 0, 1).data, Bytes{1});
  EXPECT_EQ(host.out(0, 5, 43, 0), TransferStatus::kStall);  // not while configured
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  EXPECT_EQ(host.in(1, 10, 0, 0, 1).data, Bytes{0});  // GET_INTERFACE
  EXPECT_EQ(host.out(1, 11, 0, 0), TransferStatus::kOk);
  EXPECT_EQ(host.out(1, 11, 1, 0), TransferStatus::kStall);  // no alternate 1
  EXPECT_EQ(host.out(0, 9, 2, 0), TransferStatus::kStall);   // no configuration 2
  EXPECT_EQ(keyboard.configuration(), 1);
  ASSERT_EQ(host.out(0, 9, 0, 0), TransferStatus::kOk);  // back to Address
  EXPECT_EQ(keyboard.configuration(), 0);
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kStall);

  host.configure(9);
  keyboard.bus_reset();
  EXPECT_EQ(keyboard.address(), 0);
  EXPECT_EQ(keyboard.configuration(), 0);
}

TEST_F(KeyboardTest, GetStatusAndEndpointHalt) {
  host.configure();
  EXPECT_EQ(host.in(0, 0, 0, 0, 2).data, (Bytes{0, 0}));
  ASSERT_EQ(host.out(0, 3, 1, 0), TransferStatus::kOk);  // SET_FEATURE remote wakeup
  EXPECT_EQ(host.in(0, 0, 0, 0, 2).data, (Bytes{2, 0}));
  ASSERT_EQ(host.out(0, 1, 1, 0), TransferStatus::kOk);
  EXPECT_EQ(host.in(0, 0, 0, 0, 2).data, (Bytes{0, 0}));
  EXPECT_EQ(host.in(1, 0, 0, 0, 2).data, (Bytes{0, 0}));     // interface 0
  EXPECT_EQ(host.in(2, 0, 0, 0x00, 2).data, (Bytes{0, 0}));  // endpoint 0
  EXPECT_EQ(host.in(2, 0, 0, 0x81, 2).data, (Bytes{0, 0}));

  ASSERT_EQ(host.out(2, 3, 0, 0x81), TransferStatus::kOk);  // halt EP 1 IN
  EXPECT_TRUE(keyboard.endpoint_halted(0x81));
  EXPECT_EQ(host.in(2, 0, 0, 0x81, 2).data, (Bytes{1, 0}));
  keyboard.key_down(kA);
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kStall);
  ASSERT_EQ(host.out(2, 1, 0, 0x81), TransferStatus::kOk);  // clear it
  EXPECT_FALSE(keyboard.endpoint_halted(0x81));
  EXPECT_EQ(next_report(), (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));  // kept while halted

  // No such endpoint/interface: STALL.
  EXPECT_EQ(host.in(2, 0, 0, 0x82, 2).status, TransferStatus::kStall);
  EXPECT_EQ(host.in(2, 0, 0, 0x01, 2).status, TransferStatus::kStall);  // OUT 1
  EXPECT_EQ(host.in(1, 0, 0, 1, 2).status, TransferStatus::kStall);
  EXPECT_EQ(host.out(2, 3, 0, 0x02), TransferStatus::kStall);
}

TEST_F(KeyboardTest, KeyReports) {
  configure_no_idle();
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  EXPECT_TRUE(host.take_notifications().empty());

  ASSERT_TRUE(keyboard.key_down(kA));
  EXPECT_EQ(host.take_notifications(), Bytes{1});
  EXPECT_EQ(next_report(), (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);

  keyboard.key_down(kLeftShift);
  keyboard.key_down(kB);
  keyboard.key_down(kRightGui);
  EXPECT_EQ(next_report(), (Bytes{0x02, 0, kA, 0, 0, 0, 0, 0}));
  EXPECT_EQ(next_report(), (Bytes{0x02, 0, kA, kB, 0, 0, 0, 0}));
  EXPECT_EQ(next_report(), (Bytes{0x82, 0, kA, kB, 0, 0, 0, 0}));

  keyboard.key_up(kA);  // later keys move up, press order kept
  EXPECT_EQ(next_report(), (Bytes{0x82, 0, kB, 0, 0, 0, 0, 0}));
  keyboard.key_down(kB);  // already down: no report
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  keyboard.release_all();
  EXPECT_EQ(next_report(), Bytes(8, 0));

  // Not keys of this keyboard.
  EXPECT_FALSE(keyboard.key_down(0x00));
  EXPECT_FALSE(keyboard.key_down(0x01));
  EXPECT_FALSE(keyboard.key_down(0x03));
  EXPECT_FALSE(keyboard.key_down(0xDE));
  EXPECT_FALSE(keyboard.key_down(0xE8));
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
}

TEST_F(KeyboardTest, MoreThanSixKeysIsRollOver) {
  configure_no_idle();
  for (uint8_t k : {kA, kB, kC, kD, kE, kF})
    keyboard.key_down(k);
  keyboard.key_down(kLeftShift);
  for (int i = 0; i < 6; ++i)
    host.interrupt_in();
  EXPECT_EQ(next_report(), (Bytes{0x02, 0, kA, kB, kC, kD, kE, kF}));
  keyboard.key_down(kG);
  EXPECT_EQ(next_report(), (Bytes{0x02, 0, 1, 1, 1, 1, 1, 1}));
  keyboard.key_up(kC);
  EXPECT_EQ(next_report(), (Bytes{0x02, 0, kA, kB, kD, kE, kF, kG}));
}

TEST_F(KeyboardTest, InputBeforeConfigurationIsNotQueued) {
  keyboard.key_down(kA);
  EXPECT_TRUE(host.take_notifications().empty());
  configure_no_idle();
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  // The state is there: GET_REPORT(Input) reads it.
  Reply r = host.in(0x21, 0x01, 0x0100, 0, 8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.data, (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));
  EXPECT_EQ(host.in(0x21, 0x01, 0x0100, 0, 3).data, (Bytes{0, 0, kA}));  // wLength
}

TEST_F(KeyboardTest, LedsThroughSetReport) {
  host.configure();
  EXPECT_EQ(keyboard.leds(), 0);
  ASSERT_EQ(host.out(0x21, 0x09, 0x0200, 0, {0x03}), TransferStatus::kOk);
  EXPECT_EQ(keyboard.leds(), UsbKeyboard::kLedNumLock | UsbKeyboard::kLedCapsLock);
  EXPECT_EQ(host.in(0x21, 0x01, 0x0200, 0, 1).data, Bytes{0x03});
  ASSERT_EQ(host.out(0x21, 0x09, 0x0200, 0, {0xFF}), TransferStatus::kOk);
  EXPECT_EQ(keyboard.leds(), 0x1F);  // padding bits dropped
  // Not an output report, a report ID we lack, or no data: STALL, LEDs kept.
  EXPECT_EQ(host.out(0x21, 0x09, 0x0100, 0, {0x00}), TransferStatus::kStall);
  EXPECT_EQ(host.out(0x21, 0x09, 0x0300, 0, {0x00}), TransferStatus::kStall);
  EXPECT_EQ(host.out(0x21, 0x09, 0x0201, 0, {0x00}), TransferStatus::kStall);
  EXPECT_EQ(host.out(0x21, 0x09, 0x0200, 0, {}), TransferStatus::kStall);
  EXPECT_EQ(keyboard.leds(), 0x1F);
  EXPECT_EQ(host.in(0x21, 0x01, 0x0300, 0, 8).status, TransferStatus::kStall);  // feature
  keyboard.bus_reset();
  EXPECT_EQ(keyboard.leds(), 0);
}

TEST_F(KeyboardTest, BootAndReportProtocol) {
  host.configure();
  EXPECT_EQ(host.in(0x21, 0x03, 0, 0, 1).data, Bytes{1});  // report protocol
  ASSERT_EQ(host.set_protocol(0), TransferStatus::kOk);
  EXPECT_EQ(keyboard.protocol(), UsbHidDevice::kBootProtocol);
  EXPECT_EQ(host.in(0x21, 0x03, 0, 0, 1).data, Bytes{0});
  ASSERT_EQ(host.set_idle(0), TransferStatus::kOk);
  keyboard.key_down(kLeftShift);
  EXPECT_EQ(next_report(), (Bytes{0x02, 0, 0, 0, 0, 0, 0, 0}));  // boot layout
  EXPECT_EQ(host.set_protocol(2), TransferStatus::kStall);
  EXPECT_EQ(keyboard.protocol(), UsbHidDevice::kBootProtocol);
  ASSERT_EQ(host.set_protocol(1), TransferStatus::kOk);
  EXPECT_EQ(keyboard.protocol(), UsbHidDevice::kReportProtocol);
  host.set_protocol(0);
  keyboard.bus_reset();  // HID 1.11 7.2.6: report protocol after reset
  EXPECT_EQ(keyboard.protocol(), UsbHidDevice::kReportProtocol);
}

TEST_F(KeyboardTest, IdleRateRepeatsTheLastReport) {
  host.configure();
  EXPECT_EQ(host.in(0x21, 0x02, 0, 0, 1).data, Bytes{125});  // 500 ms default
  ASSERT_EQ(host.set_idle(25), TransferStatus::kOk);         // 100 ms
  EXPECT_EQ(keyboard.idle_rate(), 25);
  EXPECT_EQ(host.in(0x21, 0x02, 0, 0, 1).data, Bytes{25});

  keyboard.key_down(kA);
  host.take_notifications();
  timers.advance(30'000'000);
  EXPECT_EQ(next_report(), (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));  // period starts here
  timers.advance(99'000'000);
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  EXPECT_TRUE(host.take_notifications().empty());
  timers.advance(1'000'000);
  EXPECT_EQ(host.take_notifications(), Bytes{1});
  EXPECT_EQ(next_report(), (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));
  timers.advance(100'000'000);
  EXPECT_EQ(next_report(), (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));
  // A host that does not poll gets one repeat, not a pile.
  timers.advance(1'000'000'000);
  EXPECT_EQ(keyboard.queued_reports(), 1u);

  // Rate 0: reports only on change.
  ASSERT_EQ(host.set_idle(0), TransferStatus::kOk);
  host.interrupt_in();
  host.take_notifications();
  timers.advance(10'000'000'000);
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
  EXPECT_TRUE(host.take_notifications().empty());
  EXPECT_EQ(timers.pending(), 0u);
  // A report ID we do not have: STALL, rate kept.
  EXPECT_EQ(host.out(0x21, 0x0A, 0x1901, 0), TransferStatus::kStall);
  EXPECT_EQ(keyboard.idle_rate(), 0);
}

TEST_F(KeyboardTest, UnpolledQueueIsBoundedAndKeepsTheNewestState) {
  configure_no_idle();
  for (int i = 0; i < 100; ++i) {
    keyboard.key_down(kA);
    keyboard.key_up(kA);
  }
  keyboard.key_down(kB);
  EXPECT_EQ(keyboard.queued_reports(), UsbHidDevice::kQueueDepth);
  Bytes last;
  for (size_t i = 0; i < UsbHidDevice::kQueueDepth; ++i)
    last = next_report();
  EXPECT_EQ(last, (Bytes{0, 0, kB, 0, 0, 0, 0, 0}));
  EXPECT_EQ(host.interrupt_in().status, TransferStatus::kNak);
}

TEST_F(KeyboardTest, NotifierRunsWithoutTheDeviceLock) {
  configure_no_idle();
  // A controller that reacts at once, from inside the notification.
  Bytes seen;
  keyboard.set_notifier([&](uint8_t ep) {
    uint8_t buffer[8];
    TransferResult r = keyboard.transfer(ep, true, buffer);
    ASSERT_EQ(r.status, TransferStatus::kOk);
    seen.assign(buffer, buffer + r.length);
  });
  keyboard.key_down(kC);
  EXPECT_EQ(seen, (Bytes{0, 0, kC, 0, 0, 0, 0, 0}));
}

TEST_F(KeyboardTest, ConcurrentInputAndPolling) {
  configure_no_idle();
  std::atomic<bool> done{false};
  std::thread typist([&] {
    for (int i = 0; i < 2000; ++i) {
      keyboard.key_down(static_cast<uint8_t>(kA + i % 20));
      keyboard.key_up(static_cast<uint8_t>(kA + i % 20));
    }
    done = true;
  });
  size_t reports = 0;
  Bytes last;
  while (!done || keyboard.queued_reports() != 0) {
    Reply r = host.interrupt_in();
    if (r.ok()) {
      ++reports;
      last = r.data;
      // Each report is one whole state: at most one key down here.
      EXPECT_EQ(r.data.size(), 8u);
      EXPECT_EQ(r.data[3], 0);
    }
  }
  typist.join();
  EXPECT_GT(reports, 0u);
  EXPECT_EQ(last, Bytes(8, 0));
}

TEST_F(KeyboardTest, LinuxKeyCodes) {
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(30), kA);    // KEY_A
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(16), 0x14);  // KEY_Q
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(50), 0x10);  // KEY_M
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(2), 0x1E);   // KEY_1
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(11), 0x27);  // KEY_0
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(1), 0x29);   // KEY_ESC
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(28), 0x28);  // KEY_ENTER
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(57), 0x2C);  // KEY_SPACE
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(42), kLeftShift);
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(125), 0xE3);  // KEY_LEFTMETA
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(126), 0xE7);  // KEY_RIGHTMETA
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(59), 0x3A);   // KEY_F1
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(88), 0x45);   // KEY_F12
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(194), 0x73);  // KEY_F24
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(103), 0x52);  // KEY_UP
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(108), 0x51);  // KEY_DOWN
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(105), 0x50);  // KEY_LEFT
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(106), 0x4F);  // KEY_RIGHT
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(111), 0x4C);  // KEY_DELETE
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(96), 0x58);   // KEY_KPENTER
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(0), 0);       // KEY_RESERVED
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(84), 0);      // unassigned
  EXPECT_EQ(UsbKeyboard::usage_from_linux_key(0xFFFF), 0);
  // Every mapped code gives a usage the keyboard accepts.
  for (uint16_t code = 0; code < 256; ++code) {
    uint8_t usage = UsbKeyboard::usage_from_linux_key(code);
    if (usage == 0) continue;
    EXPECT_TRUE(keyboard.key_down(usage)) << code;
  }
}

// Requests a hostile or confused host may send: each STALLs, counts a
// guest error and leaves the device working.
TEST_F(KeyboardTest, HostileRequestsStall) {
  host.configure();
  struct Bad {
    SetupPacket setup;
    const char* why;
  };
  const Bad cases[] = {
      {{0x00, 6, 0x0100, 0, 18}, "GET_DESCRIPTOR as OUT"},
      {{0x82, 6, 0x0100, 0, 18}, "GET_DESCRIPTOR to an endpoint"},
      {{0x80, 6, 0x0201, 0, 64}, "configuration index 1"},
      {{0x80, 6, 0x0900, 0, 64}, "unknown descriptor type"},
      {{0x80, 6, 0x2100, 0, 64}, "HID descriptor from the device"},
      {{0x81, 6, 0x2200, 1, 64}, "report descriptor of interface 1"},
      {{0x81, 6, 0x2201, 0, 64}, "report descriptor index 1"},
      {{0x81, 6, 0x2300, 0, 64}, "physical descriptor"},
      {{0x00, 5, 200, 0, 0}, "address above 127"},
      {{0x00, 7, 0x0100, 0, 0}, "SET_DESCRIPTOR"},
      {{0x82, 12, 0, 0x81, 2}, "SYNCH_FRAME"},
      {{0x80, 0, 1, 0, 2}, "GET_STATUS wValue 1"},
      {{0x83, 0, 0, 0, 2}, "GET_STATUS other recipient"},
      {{0x82, 0, 0, 0x1F81, 2}, "GET_STATUS endpoint high byte"},
      {{0x00, 3, 2, 0, 0}, "TEST_MODE"},
      {{0x01, 3, 0, 0, 0}, "interface feature"},
      {{0x02, 3, 1, 0x81, 0}, "endpoint feature 1"},
      {{0x00, 1, 1, 0, 4}, "CLEAR_FEATURE with data"},
      {{0x80, 99, 0, 0, 8}, "unknown standard request"},
      {{0xC0, 1, 0, 0, 8}, "vendor request"},
      {{0xE0, 1, 0, 0, 8}, "reserved type"},
      {{0xA1, 0x01, 0x0100, 1, 8}, "GET_REPORT interface 1"},
      {{0xA1, 0x01, 0x0105, 0, 8}, "GET_REPORT id 5"},
      {{0x21, 0x01, 0x0100, 0, 0}, "GET_REPORT as OUT"},
      {{0xA1, 0x09, 0x0200, 0, 1}, "SET_REPORT as IN"},
      {{0xA0, 0x01, 0x0100, 0, 8}, "class request to the device"},
      {{0xA2, 0x01, 0x0100, 0x81, 8}, "class request to an endpoint"},
      {{0xA1, 0x04, 0, 0, 8}, "unknown class request"},
      {{0xA1, 0x02, 0x0001, 0, 1}, "GET_IDLE id 1"},
      {{0x21, 0x0A, 0x1900, 0, 4}, "SET_IDLE with data"},
      {{0xA1, 0x03, 1, 0, 1}, "GET_PROTOCOL wValue 1"},
      {{0x21, 0x0B, 0xFFFF, 0, 0}, "SET_PROTOCOL 0xFFFF"},
      {{0x81, 10, 0, 5, 1}, "GET_INTERFACE 5"},
      {{0x01, 11, 0, 5, 0}, "SET_INTERFACE 5"},
      {{0x00, 9, 0x0101, 0, 0}, "SET_CONFIGURATION high byte"},
  };
  for (const Bad& c : cases) {
    uint64_t errors = trace::guest_error_count();
    std::vector<uint8_t> buffer(c.setup.wLength, 0xEE);
    TransferResult r = keyboard.control(c.setup, buffer);
    EXPECT_EQ(r.status, TransferStatus::kStall) << c.why;
    EXPECT_EQ(r.length, 0u) << c.why;
    EXPECT_EQ(trace::guest_error_count(), errors + 1) << c.why;
    EXPECT_EQ(buffer, std::vector<uint8_t>(c.setup.wLength, 0xEE)) << c.why;
  }
  // A full-speed-only device has no device qualifier (a normal probe: no
  // guest error needed, but a STALL).
  EXPECT_EQ(host.get_descriptor(6, 0, 10).status, TransferStatus::kStall);
  EXPECT_EQ(host.get_descriptor(7, 0, 9).status, TransferStatus::kStall);
  // The device still works.
  EXPECT_EQ(keyboard.address(), 7);
  EXPECT_EQ(keyboard.configuration(), 1);
  EXPECT_EQ(host.get_descriptor(1, 0, 18).data.size(), 18u);
}

TEST_F(KeyboardTest, HostileTransfersAndBuffers) {
  configure_no_idle();
  uint8_t byte = 0;
  for (uint8_t ep : {0, 2, 15, 16, 0x81, 0xFF}) {
    uint64_t errors = trace::guest_error_count();
    EXPECT_EQ(keyboard.transfer(ep, true, {&byte, 1}).status, TransferStatus::kStall) << int{ep};
    EXPECT_GT(trace::guest_error_count(), errors);
  }
  EXPECT_EQ(keyboard.transfer(1, false, {&byte, 1}).status, TransferStatus::kStall);  // OUT 1

  // A buffer smaller than the report babbles with what fit.
  keyboard.key_down(kA);
  Reply r = host.interrupt_in(3);
  EXPECT_EQ(r.status, TransferStatus::kBabble);
  EXPECT_EQ(r.data, (Bytes{0, 0, kA}));
  keyboard.key_down(kB);
  EXPECT_EQ(host.interrupt_in(0).status, TransferStatus::kBabble);
  // A larger one gets a short packet.
  keyboard.key_up(kB);
  r = host.interrupt_in(64);
  EXPECT_EQ(r.status, TransferStatus::kOk);
  EXPECT_EQ(r.data, (Bytes{0, 0, kA, 0, 0, 0, 0, 0}));

  // Control: wLength 0 reads nothing; a buffer longer than wLength is not
  // written past wLength.
  EXPECT_EQ(host.get_descriptor(1, 0, 0).data.size(), 0u);
  std::vector<uint8_t> big(64, 0xEE);
  TransferResult c = keyboard.control({0x80, 6, 0x0100, 0, 4}, big);
  EXPECT_EQ(c.length, 4u);
  EXPECT_EQ(big[4], 0xEE);
  c = keyboard.control({0x80, 6, 0x0100, 0, 64}, {big.data(), 5});
  EXPECT_EQ(c.status, TransferStatus::kOk);
  EXPECT_EQ(c.length, 5u);
}

}  // namespace
}  // namespace vmapple::usb
