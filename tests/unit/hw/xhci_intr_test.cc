// Interrupter selection and signalling (spec 8.3), the reason this controller
// exists: the macOS driver programs interrupters 1 and 2 and targets its
// endpoints' events at them while the function is in INTx mode. With
// conditional-intr-mapping on (the vmapple default) every event lands on
// event ring 0 and the INTx line rises at once; with it off the events stay
// on rings 1/2, set IP/EHB and USBSTS.EINT, and the line stays low (the
// reference's bug, reproduced). Also rule A (one interrupter), dropping
// events for missing interrupters, rule C (MSI vector = interrupter mod the
// enabled vectors), MSI-X vector n, and IMOD moderation in virtual time.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/manual_timers.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "unit/hw/fake_usb_device.h"
#include "unit/hw/xhci_rig.h"

namespace vmapple {
namespace {

using test::FakeHidDevice;
using test::RecordingMsiTarget;
using test::Trb;
using test::XhciDriver;
using test::XhciRig;
namespace x = test::xhci;

constexpr unsigned kPort = 5;
constexpr unsigned kIntDci = x::dci(1, true);
const std::vector<uint8_t> kKey{0, 0, 0x04, 0, 0, 0, 0, 0};

usb::XhciOptions options(bool conditional, unsigned interrupters = 16, bool msi = false,
                         bool msix = false) {
  usb::XhciOptions o;
  o.interrupters = interrupters;
  o.conditional_intr_mapping = conditional;
  o.msi = msi;
  o.msix = msix;
  return o;
}

// The ring holds no event at all: its first TRB still has cycle bit 0.
bool ring_untouched(XhciRig& rig, unsigned i) {
  auto& ring = rig.driver().event_ring(i);
  for (unsigned k = 0; k < ring.size(); ++k)
    if (test::read_trb(rig.memory(), ring.at(k)).control != 0) return false;
  return true;
}

// Enumerates the fake device the macOS way: EP0 TRBs target interrupter 2,
// the interrupt endpoint (and the slot) interrupter 1. `route` says where the
// driver should look for those events.
XhciDriver::Device& enumerate_macos(XhciRig& rig, std::function<unsigned(unsigned)> route) {
  XhciDriver& drv = rig.driver();
  drv.set_routing(std::move(route));
  drv.reset_port(kPort);
  XhciDriver::Device& d = drv.enable_and_address(kPort);
  std::vector<uint8_t> dd(18);
  auto r = drv.control(d, 0x80, 6, 0x0100, 0, dd, /*interrupter=*/2);
  EXPECT_EQ(r.cc, x::kCcSuccess);
  EXPECT_EQ(drv.configure_interrupt_in(d, 0x81, 8, 10, /*interrupter=*/1), x::kCcSuccess);
  EXPECT_EQ(drv.control(d, 0x00, 9, 1, 0, {}, 2).cc, x::kCcSuccess);
  return d;
}

class XhciIntrTest : public ::testing::Test {
 protected:
  void make(usb::XhciOptions o, bool msi_controller = false) {
    rig_ = std::make_unique<XhciRig>(o, msi_controller);
    rig_->xhci().attach(kPort, hid_);
  }
  XhciDriver& drv() { return rig_->driver(); }
  // Starts with `n` event rings, interrupters 0..n-1 enabled.
  void start(unsigned n = 3, uint16_t imodi = 0) {
    XhciDriver::Options o;
    o.interrupters = n;
    o.imodi = imodi;
    rig_->start(o);
  }
  // Leaves ring 0 drained and acknowledged, the line low.
  void quiesce() {
    for (unsigned i = 0; i < drv().options().interrupters; ++i) {
      drv().service(i);
      drv().pending(i).clear();
    }
    ASSERT_FALSE(rig_->intx().level());
  }

  FakeHidDevice hid_;
  std::unique_ptr<XhciRig> rig_;
};

TEST_F(XhciIntrTest, ConditionalMappingOnDeliversEverythingOnRingZeroAtOnce) {
  make(options(/*conditional=*/true));
  start(3);
  // Enumeration itself (EP0 events targeted at 2) already completes on ring 0.
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned) { return 0u; });
  quiesce();
  uint64_t buf = rig_->arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  EXPECT_EQ(drv().endpoint_target(d, trb), 1u);
  uint64_t edges = rig_->intx().rising_edges();
  hid_.push_report(kKey);
  // The line is up before anyone polls: no timeout needed.
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(rig_->intx().rising_edges(), edges + 1);
  EXPECT_TRUE(drv().iman(0) & x::kImanIp);
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.completion_code(), x::kCcSuccess);
  EXPECT_EQ(e.endpoint_id(), kIntDci);
  // Rings 1 and 2 never saw an event; their interrupters stayed quiet.
  EXPECT_TRUE(ring_untouched(*rig_, 1));
  EXPECT_TRUE(ring_untouched(*rig_, 2));
  EXPECT_FALSE(drv().iman(1) & x::kImanIp);
  EXPECT_FALSE(drv().iman(2) & x::kImanIp);
  EXPECT_FALSE(drv().erdp(1) & x::kErdpEhb);
  // Only the line of slot 1, pin A, was touched.
  for (unsigned i = 0; i < 16; ++i) {
    if (i != rig_->intx_index()) {
      EXPECT_EQ(rig_->lines()[i].rising_edges(), 0u) << i;
    }
  }
}

TEST_F(XhciIntrTest, ConditionalMappingOffReproducesTheLostInterrupt) {
  make(options(/*conditional=*/false));
  start(3);
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned v) { return v; });
  quiesce();
  uint64_t buf = rig_->arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  uint64_t edges = rig_->intx().rising_edges();
  hid_.push_report(kKey);
  // The event is on ring 1 with interrupter 1's IP and EHB and USBSTS.EINT
  // set, but only interrupter 0 drives the pin: nothing reaches the CPU.
  EXPECT_TRUE(drv().iman(1) & x::kImanIp);
  EXPECT_TRUE(drv().erdp(1) & x::kErdpEhb);
  EXPECT_TRUE(drv().usbsts() & x::kStsEint);
  EXPECT_FALSE(drv().iman(0) & x::kImanIp);
  EXPECT_FALSE(rig_->intx().level());
  EXPECT_EQ(rig_->intx().rising_edges(), edges);
  EXPECT_FALSE(drv().take_event(0, [](const Trb& t) { return t.type() == x::kTransferEvent; }));
  // Time passing does not help either.
  rig_->timers().advance(100'000'000);
  EXPECT_FALSE(rig_->intx().level());
  // A driver that polls ring 1 (macOS's timeout) finds the event there.
  auto e = drv().take_event(1, [&](const Trb& t) { return t.parameter == trb; });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->completion_code(), x::kCcSuccess);
  EXPECT_EQ(e->slot_id(), d.slot);
  EXPECT_EQ(e->endpoint_id(), kIntDci);
  std::vector<uint8_t> got(8);
  rig_->memory().read(buf, got);
  EXPECT_EQ(got, kKey);
  EXPECT_FALSE(ring_untouched(*rig_, 2));  // EP0's events went to ring 2
}

TEST_F(XhciIntrTest, RuleASingleInterrupterTakesEverything) {
  make(options(/*conditional=*/false, /*interrupters=*/1));
  EXPECT_EQ(drv().max_interrupters(), 1u);
  start(1);
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned) { return 0u; });
  quiesce();
  uint64_t buf = rig_->arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report(kKey);
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(drv().wait_transfer(d, trb, 0).completion_code(), x::kCcSuccess);
}

TEST_F(XhciIntrTest, EventsForAMissingInterrupterAreDropped) {
  make(options(/*conditional=*/false, /*interrupters=*/4));
  EXPECT_EQ(drv().max_interrupters(), 4u);
  start(4);
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned v) { return v; });
  quiesce();
  uint64_t buf = rig_->arena().alloc(8, 64);
  d.endpoints.at(kIntDci).interrupter = 9;  // >= MaxIntrs
  drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report(kKey);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_FALSE(drv().take_event(i, [](const Trb& t) { return t.type() == x::kTransferEvent; }))
        << i;
    EXPECT_FALSE(drv().iman(i) & x::kImanIp) << i;
  }
  EXPECT_FALSE(rig_->intx().level());
  // The data moved anyway, and the next TRB (target 0) is reported.
  d.endpoints.at(kIntDci).interrupter = 0;
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report({0, 0, 0x05, 0, 0, 0, 0, 0});
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(drv().wait_transfer(d, trb, 0).completion_code(), x::kCcSuccess);
}

// MSI: the capability at 0x70; with MSI enabled normal mapping resumes even
// with conditional mapping on, and interrupter n signals vector n mod the
// enabled vector count (rule C). IP clears at once; INTx stays low.
TEST_F(XhciIntrTest, RuleCMsiVectorIsInterrupterModuloEnabledVectors) {
  make(options(/*conditional=*/true, 16, /*msi=*/true), /*msi_controller=*/true);
  const auto& ecam = rig_->ecam();
  auto caps = test::find_capabilities(ecam, XhciRig::kSlot, 0, pci::kCapMsi);
  ASSERT_EQ(caps.size(), 1u);
  unsigned c = caps[0];
  EXPECT_EQ(c, 0x70u);
  uint16_t control = static_cast<uint16_t>(ecam.read(XhciRig::kSlot, 0, c + PciMsi::kControl, 2));
  unsigned mmc = control >> 1 & 7;
  ASSERT_GE(mmc, 1u) << "need at least 2 vectors for the modulo check";
  bool is64 = control & PciMsi::kControl64Bit;
  unsigned data_reg = is64 ? PciMsi::kData : PciMsi::kAddressHigh;
  ecam.write(XhciRig::kSlot, 0, c + PciMsi::kAddressLow, 0xFEE0'0000);
  if (is64) ecam.write(XhciRig::kSlot, 0, c + PciMsi::kAddressHigh, 0);
  ecam.write(XhciRig::kSlot, 0, c + data_reg, 0x4000, 2);
  // macOS enables one vector.
  ecam.write(XhciRig::kSlot, 0, c + PciMsi::kControl, PciMsi::kControlEnable, 2);
  start(4);
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned v) { return v; });
  for (unsigned i = 0; i < 4; ++i) {
    drv().service(i);
    drv().pending(i).clear();
  }
  rig_->msi().take();
  uint64_t buf = rig_->arena().alloc(8, 64);
  auto deliver = [&](unsigned interrupter) {
    d.endpoints.at(kIntDci).interrupter = interrupter;
    uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
    hid_.push_report(kKey);
    // Event on ring n (mapping resumed), IP already cleared by the message.
    auto e = drv().take_event(interrupter, [&](const Trb& t) { return t.parameter == trb; });
    EXPECT_TRUE(e) << "interrupter " << interrupter;
    EXPECT_FALSE(drv().iman(interrupter) & x::kImanIp) << interrupter;
    drv().acknowledge(interrupter);
    auto sent = rig_->msi().take();
    EXPECT_EQ(sent.size(), 1u) << interrupter;
    return sent.empty() ? ~0u : sent[0].data;
  };
  EXPECT_EQ(deliver(1), 0x4000u);
  EXPECT_EQ(deliver(2), 0x4000u);
  EXPECT_EQ(deliver(0), 0x4000u);
  EXPECT_FALSE(rig_->intx().level());
  EXPECT_EQ(rig_->intx().rising_edges(), 0u);
  // Two vectors: 1 -> 1, 2 -> 0, 3 -> 1.
  ecam.write(XhciRig::kSlot, 0, c + PciMsi::kControl, PciMsi::kControlEnable | (1u << 4), 2);
  EXPECT_EQ(deliver(1), 0x4001u);
  EXPECT_EQ(deliver(2), 0x4000u);
  EXPECT_EQ(deliver(3), 0x4001u);
  // MSI off again: INTx mode, conditional mapping sends ring 1's event to 0.
  ecam.write(XhciRig::kSlot, 0, c + PciMsi::kControl, 0, 2);
  d.endpoints.at(kIntDci).interrupter = 1;
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report(kKey);
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_TRUE(rig_->msi().take().empty());
  EXPECT_EQ(drv().wait_transfer(d, trb, 0).completion_code(), x::kCcSuccess);
}

TEST_F(XhciIntrTest, MsixInterrupterNSignalsVectorN) {
  make(options(/*conditional=*/true, 16, false, /*msix=*/true), /*msi_controller=*/true);
  const auto& ecam = rig_->ecam();
  auto caps = test::find_capabilities(ecam, XhciRig::kSlot, 0, pci::kCapMsix);
  ASSERT_EQ(caps.size(), 1u);
  unsigned c = caps[0];
  EXPECT_EQ(c, 0x90u);
  EXPECT_EQ(ecam.read(XhciRig::kSlot, 0, c + PciMsix::kControl, 2) & 0x7FF, 15u);  // 16 vectors
  EXPECT_EQ(ecam.read(XhciRig::kSlot, 0, c + PciMsix::kTable), 0x3000u);           // BAR 0 + 0x3000
  EXPECT_EQ(ecam.read(XhciRig::kSlot, 0, c + PciMsix::kPba), 0x3800u);
  uint64_t table = rig_->function().bar_address[0] + 0x3000;
  for (unsigned v = 0; v < 16; ++v) {
    drv().w(table + 16 * v, 4, 0xFEE0'0000 + 0x10 * v);
    drv().w(table + 16 * v + 4, 4, 0);
    drv().w(table + 16 * v + 8, 4, 0x100 + v);
    drv().w(table + 16 * v + 12, 4, 0);  // unmasked
  }
  ecam.write(XhciRig::kSlot, 0, c + PciMsix::kControl, PciMsix::kControlEnable, 2);
  start(4);
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned v) { return v; });
  for (unsigned i = 0; i < 4; ++i) {
    drv().service(i);
    drv().pending(i).clear();
  }
  rig_->msi().take();
  uint64_t buf = rig_->arena().alloc(8, 64);
  for (unsigned v : {1u, 2u, 3u, 0u}) {
    d.endpoints.at(kIntDci).interrupter = v;
    uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
    hid_.push_report(kKey);
    EXPECT_TRUE(drv().take_event(v, [&](const Trb& t) { return t.parameter == trb; })) << v;
    EXPECT_FALSE(drv().iman(v) & x::kImanIp) << v;
    drv().acknowledge(v);
    auto sent = rig_->msi().take();
    ASSERT_EQ(sent.size(), 1u) << v;
    EXPECT_EQ(sent[0], (RecordingMsiTarget::Message{0xFEE0'0000 + 0x10 * v, 0x100 + v})) << v;
  }
  EXPECT_EQ(rig_->intx().rising_edges(), 0u);
}

// IMOD (5.5.2.2, 4.17.2): at most one interrupt per IMODI x 250 ns; events
// are written at once, the interrupt waits for the interval.
TEST_F(XhciIntrTest, ImodModeratesTheInterruptNotTheEvent) {
  make(options(/*conditional=*/true));
  rig_->timers().advance(10'000'000);  // away from time 0
  start(3);
  XhciDriver::Device& d = enumerate_macos(*rig_, [](unsigned) { return 0u; });
  quiesce();
  drv().set_imod(0, 4000);  // 1 ms, counter 0
  EXPECT_EQ(drv().imod(0) & 0xFFFF, 4000u);
  uint64_t buf = rig_->arena().alloc(8, 64);
  // First event: the counter is 0, the line rises at once.
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report(kKey);
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(drv().wait_transfer(d, trb, 0).completion_code(), x::kCcSuccess);
  EXPECT_FALSE(rig_->intx().level());  // acknowledged: IP cleared, counter reloaded
  uint64_t edges = rig_->intx().rising_edges();
  // Three more events inside the interval: written now, one interrupt later.
  std::vector<uint64_t> trbs;
  for (int i = 0; i < 3; ++i) {
    trbs.push_back(drv().queue_normal(d, kIntDci, buf, 8));
    hid_.push_report(kKey);
  }
  EXPECT_EQ(drv().collect(0), 3u);
  EXPECT_FALSE(rig_->intx().level());
  rig_->timers().advance(999'000);
  EXPECT_FALSE(rig_->intx().level());
  EXPECT_EQ(rig_->intx().rising_edges(), edges);
  rig_->timers().advance(1'000);
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(rig_->intx().rising_edges(), edges + 1);
  EXPECT_TRUE(drv().iman(0) & x::kImanIp);
  drv().acknowledge(0);
  EXPECT_FALSE(rig_->intx().level());
  for (uint64_t t : trbs)
    EXPECT_EQ(drv().wait_transfer(d, t, 0).completion_code(), x::kCcSuccess);
  // IMODI = 0: no moderation.
  drv().set_imod(0, 0);
  trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report(kKey);
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(drv().wait_transfer(d, trb, 0).completion_code(), x::kCcSuccess);
}

// IE = 0 or USBCMD.INTE = 0 keeps the pin low; setting them back with IP
// still pending raises it (pin = IP && IE && INTE).
TEST_F(XhciIntrTest, PinFollowsIpIeAndInte) {
  make(options(/*conditional=*/true));
  start(1);
  drv().set_iman(0, 0);  // IE off
  uint64_t at = drv().queue_command(XhciDriver::command_trb(x::kNoOpCommand));
  drv().ring_doorbell(0, 0);
  EXPECT_FALSE(rig_->intx().level());
  drv().set_iman(0, x::kImanIe);
  EXPECT_TRUE(drv().iman(0) & x::kImanIp);
  EXPECT_TRUE(rig_->intx().level());
  drv().set_op32(x::kUsbCmd, drv().usbcmd() & ~x::kCmdInte);
  EXPECT_FALSE(rig_->intx().level());
  drv().set_op32(x::kUsbCmd, drv().usbcmd() | x::kCmdInte);
  EXPECT_TRUE(rig_->intx().level());
  EXPECT_EQ(drv().wait_command(at).completion_code(), x::kCcSuccess);
  EXPECT_FALSE(rig_->intx().level());
}

// The same with the real HID keyboard and a key press through its input
// API: on (vmapple) the line is up when key_down() returns; off (the
// reference's default) the event sits on ring 1 and the line stays low.
class XhciIntrKeyboardTest : public ::testing::TestWithParam<bool> {
 protected:
  ManualTimers hid_timers_;
  usb::UsbKeyboard kbd_{hid_timers_};
};

TEST_P(XhciIntrKeyboardTest, KeyPressWithMacosTargets) {
  const bool conditional = GetParam();
  XhciRig rig(options(conditional));
  rig.xhci().attach(5, kbd_);
  XhciDriver::Options o;
  o.interrupters = 3;
  XhciDriver& drv = rig.start(o);
  if (conditional) drv.set_routing([](unsigned) { return 0u; });
  drv.reset_port(5);
  XhciDriver::Device& d = drv.enable_and_address(5);
  std::vector<uint8_t> dd(18);
  ASSERT_EQ(drv.control(d, 0x80, 6, 0x0100, 0, dd, 2).cc, x::kCcSuccess);
  ASSERT_EQ(drv.configure_interrupt_in(d, 0x81, 8, 10, 1), x::kCcSuccess);
  ASSERT_EQ(drv.control(d, 0x00, 9, 1, 0, {}, 2).cc, x::kCcSuccess);
  ASSERT_EQ(drv.control(d, 0x21, 0x0A, 0, 0, {}, 2).cc, x::kCcSuccess);
  for (unsigned i = 0; i < 3; ++i) {
    drv.service(i);
    drv.pending(i).clear();
  }
  ASSERT_FALSE(rig.intx().level());
  uint64_t buf = rig.arena().alloc(8, 64);
  uint64_t trb = drv.queue_normal(d, kIntDci, buf, 8);
  uint64_t edges = rig.intx().rising_edges();
  ASSERT_TRUE(kbd_.key_down(0x04));
  unsigned ring = conditional ? 0 : 1;
  EXPECT_EQ(rig.intx().level(), conditional);
  EXPECT_EQ(rig.intx().rising_edges(), edges + (conditional ? 1 : 0));
  EXPECT_TRUE(drv.iman(ring) & x::kImanIp);
  EXPECT_EQ(bool(drv.iman(conditional ? 1 : 0) & x::kImanIp), false);
  auto e = drv.take_event(ring, [&](const Trb& t) { return t.parameter == trb; });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->completion_code(), x::kCcSuccess);
  EXPECT_EQ(rig.memory().read_le<uint8_t>(buf + 2).value(), 0x04);
  EXPECT_FALSE(drv.take_event(conditional ? 1 : 0,
                              [](const Trb& t) { return t.type() == x::kTransferEvent; }));
}

INSTANTIATE_TEST_SUITE_P(ConditionalMapping, XhciIntrKeyboardTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "On" : "Off"; });

}  // namespace
}  // namespace vmapple
