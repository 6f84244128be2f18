// The xHCI controller end to end, through PCI enumeration and the host-side
// driver of xhci_driver.h: capability registers, Linux-style bring-up, port
// reset, enumeration of a HID-like device (Enable Slot, Address Device,
// Evaluate Context, descriptors, Configure Endpoint, SET_CONFIGURATION) and
// interrupt IN reports delivered as Transfer Events with the INTx line.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/manual_timers.h"
#include "hw/usb/hid/usb_ids.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "hw/usb/hid/usb_tablet.h"
#include "unit/hw/fake_usb_device.h"
#include "unit/hw/xhci_rig.h"

namespace vmapple {
namespace {

using test::FakeHidDevice;
using test::Trb;
using test::XhciDriver;
using test::XhciRig;
namespace x = test::xhci;

constexpr unsigned kPort = 5;  // first USB 2 port
constexpr unsigned kIntDci = x::dci(1, true);

class XhciE2eTest : public ::testing::Test {
 protected:
  XhciE2eTest() { rig_.xhci().attach(kPort, hid_); }

  XhciDriver& drv() { return rig_.driver(); }

  // Bring-up, port reset, enumeration and configuration of the fake device.
  XhciDriver::Device& enumerate(unsigned port = kPort, unsigned interrupter = 0,
                                unsigned ring_trbs = 64) {
    unsigned speed = drv().reset_port(port);
    EXPECT_EQ(speed, x::kSpeedFull);
    XhciDriver::Device& d = drv().enable_and_address(port);
    auto dd = drv().read_device_descriptor(d);
    EXPECT_EQ(dd, hid_.device_descriptor);
    auto cfg = drv().read_configuration(d);
    EXPECT_EQ(cfg, hid_.configuration_descriptor);
    EXPECT_EQ(drv().configure_interrupt_in(d, 0x81, 8, 10, interrupter, 1, ring_trbs),
              x::kCcSuccess);
    EXPECT_EQ(drv().set_configuration(d, 1), x::kCcSuccess);
    return d;
  }

  FakeHidDevice hid_;
  FakeHidDevice hid2_;
  XhciRig rig_;
};

TEST_F(XhciE2eTest, PciIdentityAndCapabilityRegisters) {
  const auto& f = rig_.function();
  EXPECT_EQ(f.vendor_id, 0x1B36);
  EXPECT_EQ(f.device_id, 0x000D);
  EXPECT_EQ(f.class_code, 0x0C0330u);
  EXPECT_EQ(f.pin, 1);
  EXPECT_EQ(f.bar_size[0], 0x4000u);
  EXPECT_EQ(rig_.ecam().read(XhciRig::kSlot, 0, 0x10) & 0x7, 0x4u);  // 64-bit memory BAR
  EXPECT_EQ(rig_.ecam().read(XhciRig::kSlot, 0, 0x60, 1), 0x30u);    // SBRN
  EXPECT_EQ(drv().cap32(x::kCapLength), 0x0100'0040u);
  EXPECT_EQ(drv().cap32(x::kHcsParams1), 0x0800'1040u);
  EXPECT_EQ(drv().cap32(x::kHcsParams2), 0x0000'000Fu);
  EXPECT_EQ(drv().cap32(x::kHccParams1), 0x0008'7001u);
  EXPECT_EQ(drv().cap32(x::kDbOff), 0x2000u);
  EXPECT_EQ(drv().cap32(x::kRtsOff), 0x1000u);
  // Extended capabilities: xECP counts dwords (0x8 -> offset 0x20).
  unsigned at = (drv().cap32(x::kHccParams1) >> 16) * 4;
  ASSERT_EQ(at, 0x20u);
  std::vector<uint32_t> protocols;
  for (unsigned guard = 0; at && guard < 16; ++guard) {
    uint32_t head = drv().cap32(at);
    ASSERT_EQ(head & 0xFF, 2u);                    // Supported Protocol
    EXPECT_EQ(drv().cap32(at + 4), 0x2042'5355u);  // "USB "
    protocols.push_back(head >> 16);
    uint32_t range = drv().cap32(at + 8);
    if (head >> 24 == 2) {
      EXPECT_EQ(range & 0xFFFF, 0x0405u);
    }
    if (head >> 24 == 3) {
      EXPECT_EQ(range & 0xFFFF, 0x0401u);
    }
    unsigned next = head >> 8 & 0xFF;
    at = next ? at + 4 * next : 0;
  }
  EXPECT_EQ(protocols, (std::vector<uint32_t>{0x0200, 0x0300}));
  EXPECT_EQ(drv().op32(x::kPageSize), 1u);
}

TEST_F(XhciE2eTest, BringUpLikeLinux) {
  drv().reset();
  uint32_t sts = drv().usbsts();
  EXPECT_TRUE(sts & x::kStsHalted);
  EXPECT_FALSE(sts & x::kStsCnr);
  // The device attached before the reset is still connected, port powered.
  uint32_t sc = drv().portsc(kPort);
  EXPECT_TRUE(sc & x::kPortCcs);
  EXPECT_TRUE(sc & x::kPortPp);
  EXPECT_FALSE(sc & x::kPortPed);
  EXPECT_EQ(x::port_speed(sc), x::kSpeedFull);
  EXPECT_FALSE(drv().portsc(kPort + 1) & x::kPortCcs);
  EXPECT_FALSE(drv().portsc(1) & x::kPortCcs);  // the USB 3 twin stays empty
  drv().start();
  EXPECT_FALSE(drv().usbsts() & x::kStsHalted);
  EXPECT_EQ(drv().op32(x::kConfig) & 0xFF, 64u);
  EXPECT_EQ(drv().op64(x::kDcbaap), drv().dcbaa());
  // The Command Ring Pointer reads as 0 (5.4.5).
  EXPECT_EQ(drv().op64(x::kCrcr) & ~0x3Full, 0u);
  EXPECT_EQ(drv().iman(0) & x::kImanIe, x::kImanIe);
  // A No-Op command completes on event ring 0 with the line raised.
  uint64_t before = rig_.intx().rising_edges();
  uint64_t at = drv().queue_command(XhciDriver::command_trb(x::kNoOpCommand));
  drv().ring_doorbell(0, 0);
  drv().wait_until([&] { return rig_.intx().level(); }, "INTx");
  EXPECT_TRUE(drv().iman(0) & x::kImanIp);
  EXPECT_TRUE(drv().usbsts() & x::kStsEint);
  EXPECT_TRUE(drv().erdp(0) & x::kErdpEhb);
  Trb e = drv().wait_command(at);
  EXPECT_EQ(e.completion_code(), x::kCcSuccess);
  EXPECT_EQ(e.slot_id(), 0u);
  EXPECT_TRUE(e.cycle());
  EXPECT_GT(rig_.intx().rising_edges(), before);
  // Acknowledged: IP and EHB clear, the line drops.
  EXPECT_FALSE(rig_.intx().level());
  EXPECT_FALSE(drv().iman(0) & x::kImanIp);
  EXPECT_FALSE(drv().erdp(0) & x::kErdpEhb);
  EXPECT_EQ(drv().erdp(0) & ~0xFull, drv().event_ring(0).dequeue_address());
}

TEST_F(XhciE2eTest, PortResetEnablesAndChangeBitsClearByWritingOne) {
  drv().reset();
  drv().start();
  unsigned resets = hid_.resets;
  drv().set_portsc(kPort, x::kPortPr);
  drv().wait_until([&] { return drv().portsc(kPort) & x::kPortPrc; }, "PRC");
  uint32_t sc = drv().portsc(kPort);
  EXPECT_TRUE(sc & x::kPortPed);
  EXPECT_FALSE(sc & x::kPortPr);
  EXPECT_EQ(x::port_link_state(sc), 0u);  // U0
  EXPECT_GT(hid_.resets, resets);
  // A Port Status Change event names the port.
  Trb psc = drv().wait_event(
      0, [](const Trb& t) { return t.type() == x::kPortStatusChange; }, "port status change");
  EXPECT_EQ(psc.port_id(), kPort);
  EXPECT_EQ(psc.completion_code(), x::kCcSuccess);
  // Writing 0 to the change bits keeps them; writing 1 clears only those.
  drv().set_portsc(kPort, 0);
  EXPECT_TRUE(drv().portsc(kPort) & x::kPortPrc);
  drv().set_portsc(kPort, x::kPortPrc);
  sc = drv().portsc(kPort);
  EXPECT_FALSE(sc & x::kPortPrc);
  EXPECT_TRUE(sc & x::kPortPed);
  drv().set_portsc(kPort, x::kPortCsc);
  EXPECT_FALSE(drv().portsc(kPort) & x::kPortCsc);
  EXPECT_TRUE(drv().portsc(kPort) & x::kPortCcs);
  // PED is write-1-to-disable.
  drv().set_portsc(kPort, x::kPortPed);
  EXPECT_FALSE(drv().portsc(kPort) & x::kPortPed);
  EXPECT_TRUE(drv().portsc(kPort) & x::kPortCcs);
}

TEST_F(XhciE2eTest, EnumeratesAndConfiguresTheDevice) {
  drv().reset();
  drv().start();
  ASSERT_EQ(drv().reset_port(kPort), x::kSpeedFull);
  XhciDriver::Device& d = drv().enable_and_address(kPort);
  EXPECT_GE(d.slot, 1u);
  EXPECT_LE(d.slot, 64u);
  // Address Device: SET_ADDRESS went to the device with the slot's address.
  EXPECT_EQ(drv().slot_state(d), x::kSlotAddressed);
  EXPECT_NE(drv().usb_address(d), 0u);
  EXPECT_EQ(hid_.address, drv().usb_address(d));
  EXPECT_EQ(drv().ep_state(d, 1), x::kEpRunning);
  EXPECT_EQ(drv().out_dword(d, 0, 1) >> 16 & 0xFF, kPort);  // root hub port
  // 8 bytes first with EP0 = 64, then Evaluate Context sets 8.
  auto dd = drv().read_device_descriptor(d);
  EXPECT_EQ(dd, hid_.device_descriptor);
  EXPECT_EQ(drv().out_dword(d, 1, 1) >> 16, 8u);
  auto cfg = drv().read_configuration(d);
  EXPECT_EQ(cfg, hid_.configuration_descriptor);
  // HID report descriptor: standard request to the interface.
  auto report =
      drv().get_descriptor(d, 0x22, 0, static_cast<uint16_t>(hid_.report_descriptor.size()), 0x81);
  EXPECT_EQ(report, hid_.report_descriptor);
  auto req = hid_.last_request(6);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->bmRequestType, 0x81);
  EXPECT_EQ(req->wValue, 0x2200);
  // Configure Endpoint: slot Configured, EP 1 IN (DCI 3) Running with our ring.
  ASSERT_EQ(drv().configure_interrupt_in(d, 0x81, 8, 10), x::kCcSuccess);
  EXPECT_EQ(drv().slot_state(d), x::kSlotConfigured);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpRunning);
  EXPECT_EQ(drv().out_dword(d, kIntDci, 1) >> 3 & 7, x::kEpInterruptIn);
  EXPECT_EQ(drv().out_dword(d, kIntDci, 1) >> 16, 8u);
  EXPECT_EQ(drv().out_dword(d, 0, 0) >> 27, kIntDci);  // context entries
  EXPECT_EQ(drv().set_configuration(d, 1), x::kCcSuccess);
  EXPECT_EQ(hid_.configuration, 1);
}

TEST_F(XhciE2eTest, ShortDescriptorReadIsAShortPacket) {
  drv().reset();
  drv().start();
  drv().reset_port(kPort);
  XhciDriver::Device& d = drv().enable_and_address(kPort);
  drv().read_device_descriptor(d);
  // Ask for 255 bytes of a 34-byte configuration: Short Packet on the Data
  // stage (ISP) with the residue, then Success on the Status stage.
  std::vector<uint8_t> buf(255);
  auto r = drv().control(d, 0x80, 6, 0x0200, 0, buf);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].completion_code(), x::kCcShortPacket);
  EXPECT_EQ(r.events[0].transfer_length(), 255u - 34u);
  EXPECT_EQ(r.events[1].completion_code(), x::kCcSuccess);
  EXPECT_EQ(r.events[1].transfer_length(), 0u);
  EXPECT_EQ(r.length, 34u);
  buf.resize(34);
  EXPECT_EQ(buf, hid_.configuration_descriptor);
}

TEST_F(XhciE2eTest, StalledRequestHaltsEp0UntilResetEndpoint) {
  drv().reset();
  drv().start();
  drv().reset_port(kPort);
  XhciDriver::Device& d = drv().enable_and_address(kPort);
  std::vector<uint8_t> buf(4);
  auto r = drv().control(d, 0xC0, 0x55, 0, 0, buf);  // vendor request: stall
  EXPECT_EQ(r.cc, x::kCcStall);
  EXPECT_EQ(drv().ep_state(d, 1), x::kEpHalted);
  // Reset Endpoint -> Stopped; Set TR Dequeue Pointer past the dead TD.
  EXPECT_EQ(drv()
                .command(XhciDriver::command_trb(x::kResetEndpoint, d.slot, 0, 1u << 16))
                .completion_code(),
            x::kCcSuccess);
  EXPECT_EQ(drv().ep_state(d, 1), x::kEpStopped);
  auto& ring = *d.endpoints.at(1).ring;
  EXPECT_EQ(
      drv()
          .command(XhciDriver::command_trb(
              x::kSetTrDequeue, d.slot, ring.enqueue_address() | (ring.cycle() ? 1 : 0), 1u << 16))
          .completion_code(),
      x::kCcSuccess);
  EXPECT_EQ(drv().ep_dequeue(d, 1) & ~0xFull, ring.enqueue_address());
  // The doorbell restarts it and the next request works.
  auto dd = drv().read_device_descriptor(d);
  EXPECT_EQ(dd, hid_.device_descriptor);
  EXPECT_EQ(drv().ep_state(d, 1), x::kEpRunning);
}

TEST_F(XhciE2eTest, ReportBecomesATransferEventWithTheLine) {
  drv().reset();
  drv().start();
  XhciDriver::Device& d = enumerate();
  uint64_t buf = rig_.arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  // Nothing to report: the endpoint NAKs, no event, the line is low.
  drv().service(0);
  drv().pending(0).clear();
  EXPECT_FALSE(drv().take_event(0, [](const Trb&) { return true; }));
  EXPECT_FALSE(rig_.intx().level());
  uint64_t edges = rig_.intx().rising_edges();
  hid_.push_report({0, 0, 0x04, 0, 0, 0, 0, 0});  // 'a'
  // The event is in the ring and the line is up before the driver looks.
  EXPECT_TRUE(rig_.intx().level());
  EXPECT_EQ(rig_.intx().rising_edges(), edges + 1);
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.type(), x::kTransferEvent);
  EXPECT_EQ(e.completion_code(), x::kCcSuccess);
  EXPECT_EQ(e.transfer_length(), 0u);
  EXPECT_EQ(e.slot_id(), d.slot);
  EXPECT_EQ(e.endpoint_id(), kIntDci);
  EXPECT_FALSE(e.event_data());
  std::vector<uint8_t> got(8);
  rig_.memory().read(buf, got);
  EXPECT_EQ(got, (std::vector<uint8_t>{0, 0, 0x04, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(rig_.intx().level());
  // A report that arrives before a TRB waits on the device until one is queued.
  hid_.push_report({0, 0, 0x05, 0, 0, 0, 0, 0});
  EXPECT_EQ(hid_.queued(), 1u);
  trb = drv().queue_normal(d, kIntDci, buf, 8);
  e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.completion_code(), x::kCcSuccess);
  rig_.memory().read(buf, got);
  EXPECT_EQ(got[2], 0x05);
  EXPECT_EQ(hid_.queued(), 0u);
}

TEST_F(XhciE2eTest, ShortReportWithIspIsAShortPacketEvent) {
  drv().reset();
  drv().start();
  XhciDriver::Device& d = enumerate();
  uint64_t buf = rig_.arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report({1, 2, 3});
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.completion_code(), x::kCcShortPacket);
  EXPECT_EQ(e.transfer_length(), 5u);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpRunning);
}

// Many reports through a 16-TRB transfer ring and a 16-TRB event ring: the
// Link TRB's toggle and the event ring's wrap must flip the cycle bits.
TEST_F(XhciE2eTest, RingsWrapWithCycleBits) {
  drv().reset();
  XhciDriver::Options o;
  o.event_ring_trbs = 16;
  drv().start(o);
  XhciDriver::Device& d = enumerate(kPort, 0, 16);
  uint64_t buf = rig_.arena().alloc(8, 64);
  std::vector<bool> cycles;
  for (unsigned i = 0; i < 100; ++i) {
    uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
    hid_.push_report({0, 0, static_cast<uint8_t>(i), 0, 0, 0, 0, 0});
    EXPECT_TRUE(rig_.intx().level()) << i;
    Trb e = drv().wait_transfer(d, trb, 0);
    ASSERT_EQ(e.completion_code(), x::kCcSuccess) << i;
    cycles.push_back(e.cycle());
    std::vector<uint8_t> got(8);
    rig_.memory().read(buf, got);
    ASSERT_EQ(got[2], i);
  }
  // Ring 0 already held command and port events; the cycle bit must have
  // flipped at least five times over 100 events in a 16-entry ring.
  unsigned flips = 0;
  for (size_t i = 1; i < cycles.size(); ++i)
    flips += cycles[i] != cycles[i - 1];
  EXPECT_GE(flips, 5u);
}

TEST_F(XhciE2eTest, HotPlugRaisesPortStatusChange) {
  drv().reset();
  drv().start();
  drv().service(0);
  drv().pending(0).clear();
  uint64_t edges = rig_.intx().rising_edges();
  rig_.xhci().attach(6, hid2_);
  EXPECT_TRUE(drv().portsc(6) & x::kPortCcs);
  EXPECT_TRUE(drv().portsc(6) & x::kPortCsc);
  EXPECT_TRUE(drv().usbsts() & x::kStsPcd);
  Trb psc = drv().wait_event(
      0, [](const Trb& t) { return t.type() == x::kPortStatusChange; }, "port status change");
  EXPECT_EQ(psc.port_id(), 6u);
  EXPECT_GT(rig_.intx().rising_edges(), edges);
  drv().set_portsc(6, x::kPortCsc);
  ASSERT_EQ(drv().reset_port(6), x::kSpeedFull);
  XhciDriver::Device& d = drv().enable_and_address(6);
  EXPECT_EQ(drv().read_device_descriptor(d), hid2_.device_descriptor);
  EXPECT_EQ(hid2_.address, drv().usb_address(d));
  // Unplug: CCS and PED drop, CSC set, another event.
  rig_.xhci().detach(6);
  uint32_t sc = drv().portsc(6);
  EXPECT_FALSE(sc & x::kPortCcs);
  EXPECT_FALSE(sc & x::kPortPed);
  EXPECT_TRUE(sc & x::kPortCsc);
  psc = drv().wait_event(
      0, [](const Trb& t) { return t.type() == x::kPortStatusChange; }, "port status change");
  EXPECT_EQ(psc.port_id(), 6u);
}

TEST_F(XhciE2eTest, TwoDevicesAndDisableSlot) {
  rig_.xhci().attach(6, hid2_);
  drv().reset();
  drv().start();
  XhciDriver::Device& a = enumerate(kPort);
  drv().reset_port(6);
  XhciDriver::Device& b = drv().enable_and_address(6);
  EXPECT_NE(a.slot, b.slot);
  EXPECT_NE(drv().usb_address(a), drv().usb_address(b));
  EXPECT_EQ(drv().disable_slot(b.slot), x::kCcSuccess);
  EXPECT_EQ(drv().disable_slot(b.slot), x::kCcSlotNotEnabled);
  // The other device still works.
  uint64_t buf = rig_.arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(a, kIntDci, buf, 8);
  hid_.push_report({9, 9, 9, 9, 9, 9, 9, 9});
  EXPECT_EQ(drv().wait_transfer(a, trb, 0).completion_code(), x::kCcSuccess);
}

// Reset Device (4.6.11), issued as Linux does after resetting the port (the
// command itself puts nothing on the bus): the slot goes back to Default
// with address 0 and only EP0; Address Device works again.
TEST_F(XhciE2eTest, ResetDeviceReturnsTheSlotToDefault) {
  drv().reset();
  drv().start();
  XhciDriver::Device& d = enumerate();
  ASSERT_EQ(drv().slot_state(d), x::kSlotConfigured);
  unsigned resets = hid_.resets;
  EXPECT_EQ(drv().reset_port(kPort), x::kSpeedFull);
  EXPECT_GT(hid_.resets, resets);
  EXPECT_EQ(hid_.address, 0);
  EXPECT_EQ(drv().command(XhciDriver::command_trb(x::kResetDevice, d.slot)).completion_code(),
            x::kCcSuccess);
  EXPECT_EQ(drv().slot_state(d), x::kSlotDefault);
  EXPECT_EQ(drv().usb_address(d), 0u);
  EXPECT_EQ(drv().out_dword(d, 0, 0) >> 27, 1u);  // context entries: EP0 only
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpDisabled);
  // The slot's interrupt endpoint no longer exists: its doorbell does nothing.
  drv().ring_doorbell(d.slot, kIntDci);
  EXPECT_FALSE(drv().take_event(0, [](const Trb& t) { return t.type() == x::kTransferEvent; }));
  d.endpoints.erase(kIntDci);
  d.endpoints.at(1).ring = std::make_unique<test::TrbRing>(rig_.memory(), rig_.arena(), 32);
  EXPECT_EQ(drv().address_device(d, false), x::kCcSuccess);
  EXPECT_EQ(drv().slot_state(d), x::kSlotAddressed);
  EXPECT_EQ(hid_.address, drv().usb_address(d));
  EXPECT_EQ(drv().get_descriptor(d, 1, 0, 18), hid_.device_descriptor);
}

// Stop Endpoint with a TD waiting on a NAKing interrupt endpoint (4.6.9):
// the TD is reported Stopped, the context's dequeue pointer names it, and a
// doorbell restarts it where it stopped.
TEST_F(XhciE2eTest, StopEndpointReportsThePendingTd) {
  drv().reset();
  drv().start();
  XhciDriver::Device& d = enumerate();
  uint64_t buf = rig_.arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  EXPECT_EQ(drv()
                .command(XhciDriver::command_trb(x::kStopEndpoint, d.slot, 0, kIntDci << 16))
                .completion_code(),
            x::kCcSuccess);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpStopped);
  EXPECT_EQ(drv().ep_dequeue(d, kIntDci) & ~0xFull, trb);
  auto stopped = drv().take_event(0, [&](const Trb& t) { return t.parameter == trb; });
  ASSERT_TRUE(stopped) << "no Transfer Event for the stopped TD";
  EXPECT_TRUE(stopped->completion_code() == x::kCcStopped ||
              stopped->completion_code() == x::kCcStopped + 1)
      << stopped->describe();
  // Stopped: input does not complete the TD until the doorbell.
  hid_.push_report({7, 7, 7, 7, 7, 7, 7, 7});
  EXPECT_FALSE(drv().take_event(0, [&](const Trb& t) { return t.parameter == trb; }));
  drv().ring_doorbell(d.slot, kIntDci);
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.completion_code(), x::kCcSuccess);
  std::vector<uint8_t> got(8);
  rig_.memory().read(buf, got);
  EXPECT_EQ(got, std::vector<uint8_t>(8, 7));
}

// Configure Endpoint with DC = 1 (deconfigure, 4.6.6): every endpoint but
// EP0 is disabled and the slot goes back to Addressed.
TEST_F(XhciE2eTest, DeconfigureReturnsTheSlotToAddressed) {
  drv().reset();
  drv().start();
  XhciDriver::Device& d = enumerate();
  EXPECT_EQ(drv()
                .command(XhciDriver::command_trb(x::kConfigureEndpoint, d.slot, d.input, 1u << 9))
                .completion_code(),
            x::kCcSuccess);
  EXPECT_EQ(drv().slot_state(d), x::kSlotAddressed);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpDisabled);
  // Configured again with the same input context path.
  EXPECT_EQ(drv().configure_interrupt_in(d, 0x81, 8, 10), x::kCcSuccess);
  EXPECT_EQ(drv().slot_state(d), x::kSlotConfigured);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpRunning);
}

// Linux stops the command ring (CRCR.CS) on a command timeout: the
// controller posts Command Ring Stopped at the next TRB and clears CRR;
// then the driver may move the ring and continue.
TEST_F(XhciE2eTest, CommandRingStopAndMove) {
  drv().reset();
  drv().start();
  EXPECT_EQ(drv().no_op().completion_code(), x::kCcSuccess);
  EXPECT_TRUE(drv().op64(x::kCrcr) & x::kCrcrCrr);
  uint64_t next = drv().command_ring().enqueue_address();
  drv().set_op64(x::kCrcr, x::kCrcrCs);
  Trb e = drv().wait_event(
      0, [](const Trb& t) { return t.type() == x::kCommandCompletion; }, "ring stopped");
  EXPECT_EQ(e.completion_code(), 24u);  // Command Ring Stopped
  EXPECT_EQ(e.parameter, next);
  EXPECT_FALSE(drv().op64(x::kCrcr) & x::kCrcrCrr);
  // A new ring at a new place.
  test::TrbRing fresh(rig_.memory(), rig_.arena(), 16);
  drv().set_op64(x::kCrcr, fresh.base() | x::kCrcrRcs);
  uint64_t at = fresh.push(XhciDriver::command_trb(x::kNoOpCommand));
  drv().ring_doorbell(0, 0);
  EXPECT_EQ(drv().wait_command(at).completion_code(), x::kCcSuccess);
}

// MFINDEX counts 125 us microframes while running (5.5.1).
TEST_F(XhciE2eTest, MfindexCountsMicroframes) {
  drv().reset();
  drv().start();
  auto mfindex = [&] { return static_cast<uint32_t>(drv().r(drv().rt_base(), 4)) & 0x3FFF; };
  uint32_t a = mfindex();
  rig_.timers().advance(1'000'000);  // 1 ms = 8 microframes
  uint32_t b = mfindex();
  EXPECT_EQ((b - a) & 0x3FFF, 8u);
}

// The real HID keyboard and tablet on ports 5 and 6 (spec 2.8), enumerated
// and configured the way Linux's usbhid does, with reports injected through
// the host input API.
class XhciHidTest : public ::testing::Test {
 protected:
  XhciHidTest() {
    rig_.xhci().attach(5, kbd_);
    rig_.xhci().attach(6, tablet_);
    rig_.start();
  }
  XhciDriver& drv() { return rig_.driver(); }

  // What the configuration descriptor says about the HID function.
  struct HidFunction {
    uint8_t interface_class = 0, subclass = 0, protocol = 0;
    uint16_t report_length = 0;
    uint8_t ep_address = 0, ep_attributes = 0, interval = 0;
    uint16_t mps = 0;
  };
  static HidFunction parse(const std::vector<uint8_t>& cfg) {
    HidFunction f;
    for (size_t at = 0; at + 1 < cfg.size() && cfg[at] >= 2; at += cfg[at]) {
      const uint8_t* d = &cfg[at];
      if (d[1] == 4) {
        f.interface_class = d[5];
        f.subclass = d[6];
        f.protocol = d[7];
      } else if (d[1] == 0x21) {
        EXPECT_EQ(d[6], 0x22);  // first class descriptor: a report descriptor
        f.report_length = static_cast<uint16_t>(d[7] | d[8] << 8);
      } else if (d[1] == 5) {
        f.ep_address = d[2];
        f.ep_attributes = d[3];
        f.mps = static_cast<uint16_t>(d[4] | d[5] << 8);
        f.interval = d[6];
      }
    }
    return f;
  }

  // Port reset, addressing, descriptors, Configure Endpoint, SET_CONFIGURATION
  // and SET_IDLE(0). Returns the device; `f` gets the parsed function.
  XhciDriver::Device& bring_up(unsigned port, const std::vector<uint8_t>& expected_report,
                               HidFunction& f) {
    EXPECT_EQ(drv().reset_port(port), x::kSpeedFull);
    XhciDriver::Device& d = drv().enable_and_address(port);
    auto dd = drv().read_device_descriptor(d);
    EXPECT_EQ(dd.size(), 18u);
    EXPECT_EQ(dd.at(1), 1);                       // DEVICE
    EXPECT_EQ(dd.at(2) | dd.at(3) << 8, 0x0200);  // USB 2.0
    EXPECT_EQ(dd.at(8) | dd.at(9) << 8, usb::kVendorId);
    EXPECT_EQ(dd.at(17), 1);                              // one configuration
    EXPECT_EQ(drv().out_dword(d, 1, 1) >> 16, dd.at(7));  // EP0 size as the device says
    auto cfg = drv().read_configuration(d);
    EXPECT_EQ(cfg.at(1), 2);
    EXPECT_EQ(cfg.size(), size_t(cfg.at(2) | cfg.at(3) << 8));
    f = parse(cfg);
    EXPECT_EQ(f.interface_class, 3);  // HID
    EXPECT_EQ(f.ep_address, 0x81);
    EXPECT_EQ(f.ep_attributes & 3, 3);  // interrupt
    EXPECT_EQ(f.report_length, expected_report.size());
    auto report = drv().get_descriptor(d, 0x22, 0, f.report_length, 0x81);
    EXPECT_EQ(report, expected_report);
    EXPECT_EQ(drv().configure_interrupt_in(d, f.ep_address, f.mps, f.interval), x::kCcSuccess);
    EXPECT_EQ(drv().out_dword(d, kIntDci, 1) >> 16, f.mps);
    EXPECT_EQ(drv().set_configuration(d, cfg.at(5)), x::kCcSuccess);
    EXPECT_EQ(drv().control(d, 0x21, 0x0A, 0, 0, {}).cc, x::kCcSuccess);  // SET_IDLE(0)
    return d;
  }

  // Queues an interrupt IN TRB of the endpoint's size; nothing may complete
  // before `inject` runs, then its event arrives with the INTx line already up.
  std::vector<uint8_t> report(XhciDriver::Device& d, uint16_t mps,
                              const std::function<void()>& inject, size_t expect_length) {
    uint64_t buf = rig_.arena().alloc(mps, 64);
    uint64_t trb = drv().queue_normal(d, kIntDci, buf, mps);
    EXPECT_FALSE(drv().take_event(0, [&](const Trb& t) { return t.parameter == trb; }));
    drv().service(0);
    EXPECT_FALSE(rig_.intx().level());
    inject();
    EXPECT_TRUE(rig_.intx().level());
    Trb e = drv().wait_transfer(d, trb, 0);
    EXPECT_EQ(e.endpoint_id(), kIntDci);
    if (expect_length == mps) {
      EXPECT_EQ(e.completion_code(), x::kCcSuccess);
      EXPECT_EQ(e.transfer_length(), 0u);
    } else {
      EXPECT_EQ(e.completion_code(), x::kCcShortPacket);
      EXPECT_EQ(e.transfer_length(), mps - expect_length);
    }
    std::vector<uint8_t> got(expect_length);
    rig_.memory().read(buf, got);
    return got;
  }

  ManualTimers hid_timers_;  // the devices' idle timers (never advanced)
  usb::UsbKeyboard kbd_{hid_timers_};
  usb::UsbTablet tablet_{hid_timers_};
  XhciRig rig_;
};

TEST_F(XhciHidTest, KeyboardEnumeratesAndReportsKeys) {
  HidFunction f;
  XhciDriver::Device& d = bring_up(5, usb::UsbKeyboard::build_report_descriptor(), f);
  EXPECT_EQ(f.subclass, 1);  // boot interface
  EXPECT_EQ(f.protocol, 1);  // keyboard
  EXPECT_EQ(f.mps, 8);
  auto key = [&](bool down, uint8_t usage) {
    return [=, this] { EXPECT_TRUE(down ? kbd_.key_down(usage) : kbd_.key_up(usage)); };
  };
  EXPECT_EQ(report(d, f.mps, key(true, 0x04), 8),
            (std::vector<uint8_t>{0, 0, 0x04, 0, 0, 0, 0, 0}));  // 'a' down
  EXPECT_EQ(report(d, f.mps, key(true, 0xE1), 8),
            (std::vector<uint8_t>{0x02, 0, 0x04, 0, 0, 0, 0, 0}));  // + left shift
  EXPECT_EQ(report(d, f.mps, key(true, 0x05), 8),
            (std::vector<uint8_t>{0x02, 0, 0x04, 0x05, 0, 0, 0, 0}));  // + 'b'
  EXPECT_EQ(report(d, f.mps, key(false, 0x04), 8),
            (std::vector<uint8_t>{0x02, 0, 0x05, 0, 0, 0, 0, 0}));
  EXPECT_EQ(report(
                d, f.mps, [&] { kbd_.release_all(); }, 8),
            std::vector<uint8_t>(8, 0));
  // LEDs through SET_REPORT (output report, interface 0).
  std::vector<uint8_t> leds{usb::UsbKeyboard::kLedCapsLock | usb::UsbKeyboard::kLedNumLock};
  EXPECT_EQ(drv().control(d, 0x21, 0x09, 0x0200, 0, leds).cc, x::kCcSuccess);
  EXPECT_EQ(kbd_.leds(), usb::UsbKeyboard::kLedCapsLock | usb::UsbKeyboard::kLedNumLock);
}

TEST_F(XhciHidTest, TabletEnumeratesAndReportsPointer) {
  HidFunction f;
  XhciDriver::Device& d = bring_up(6, usb::UsbTablet::build_report_descriptor(), f);
  EXPECT_EQ(f.subclass, 0);
  EXPECT_EQ(f.mps, 8);
  constexpr size_t n = usb::UsbTablet::kReportLength;
  // buttons, X lo/hi, Y lo/hi, wheel, pan; 7 bytes in an 8-byte TRB: short.
  EXPECT_EQ(report(
                d, f.mps, [&] { tablet_.pointer_move(0x1234, 0x5678); }, n),
            (std::vector<uint8_t>{0, 0x34, 0x12, 0x78, 0x56, 0, 0}));
  EXPECT_EQ(report(
                d, f.mps, [&] { tablet_.buttons(usb::UsbTablet::kButtonLeft); }, n),
            (std::vector<uint8_t>{1, 0x34, 0x12, 0x78, 0x56, 0, 0}));
  EXPECT_EQ(report(
                d, f.mps, [&] { tablet_.buttons(0); }, n),
            (std::vector<uint8_t>{0, 0x34, 0x12, 0x78, 0x56, 0, 0}));
  EXPECT_EQ(report(
                d, f.mps, [&] { tablet_.wheel(3); }, n),
            (std::vector<uint8_t>{0, 0x34, 0x12, 0x78, 0x56, 3, 0}));
  EXPECT_EQ(report(
                d, f.mps, [&] { tablet_.wheel(-2, 1); }, n),
            (std::vector<uint8_t>{0, 0x34, 0x12, 0x78, 0x56, 0xFE, 1}));
  EXPECT_EQ(report(
                d, f.mps, [&] { tablet_.pointer_move_normalized(1.0, 0.0); }, n),
            (std::vector<uint8_t>{0, 0xFF, 0x7F, 0, 0, 0, 0}));
}

TEST_F(XhciHidTest, BothDevicesTogether) {
  HidFunction fk, ft;
  XhciDriver::Device& k = bring_up(5, usb::UsbKeyboard::build_report_descriptor(), fk);
  XhciDriver::Device& t = bring_up(6, usb::UsbTablet::build_report_descriptor(), ft);
  EXPECT_NE(k.slot, t.slot);
  uint64_t kb = rig_.arena().alloc(8, 64), tb = rig_.arena().alloc(8, 64);
  uint64_t ktrb = drv().queue_normal(k, kIntDci, kb, 8);
  uint64_t ttrb = drv().queue_normal(t, kIntDci, tb, 8);
  tablet_.pointer_move(100, 200);
  kbd_.key_down(0x29);  // Escape
  Trb te = drv().wait_transfer(t, ttrb, 0);
  Trb ke = drv().wait_transfer(k, ktrb, 0);
  EXPECT_EQ(te.slot_id(), t.slot);
  EXPECT_EQ(ke.slot_id(), k.slot);
  EXPECT_EQ(ke.completion_code(), x::kCcSuccess);
  EXPECT_EQ(te.completion_code(), x::kCcShortPacket);
  EXPECT_EQ(rig_.memory().read_le<uint8_t>(kb + 2).value(), 0x29);
  EXPECT_EQ(rig_.memory().read_le<uint16_t>(tb + 1).value(), 100);
  EXPECT_EQ(rig_.memory().read_le<uint16_t>(tb + 3).value(), 200);
}

}  // namespace
}  // namespace vmapple
