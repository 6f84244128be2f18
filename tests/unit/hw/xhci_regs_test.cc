// The XHCI register file as a guest driver sees it through BAR 0 and the
// PCI configuration space: exact values of spec 8.1/8.2, write rules of the
// operational, port and runtime registers, interrupt moderation timing and
// the interrupt delivery rules of spec 8.3.
#include <gtest/gtest.h>

#include "base/log.h"
#include "unit/hw/xhci_ctl_rig.h"

namespace vmapple {
namespace {

using namespace usb::xhci;
using test::FakeUsbDevice;
using test::XhciCtlRig;

TEST(XhciRegsTest, CapabilityRegistersHoldTheValuesOfSpec82) {
  XhciCtlRig rig;
  const uint32_t expected[16] = {
      0x0100'0040, 0x0800'1040, 0x0000'000F, 0, 0x0008'7001, 0x0000'2000, 0x0000'1000, 0,
      0x0200'0402, 0x2042'5355, 0x0000'0405, 0, 0x0300'0002, 0x2042'5355, 0x0000'0401, 0};
  for (unsigned i = 0; i < 16; ++i)
    EXPECT_EQ(rig.reg(4 * i), expected[i]) << "offset " << 4 * i;
  rig.set_reg(kHcsParams1, 0);  // read-only
  EXPECT_EQ(rig.reg(kHcsParams1), 0x0800'1040u);
  XhciCtlRig one({.interrupters = 1});
  EXPECT_EQ(one.reg(kHcsParams1), 0x0800'0140u);  // MaxIntrs 1
  EXPECT_THROW(XhciCtlRig({.interrupters = 0}), std::invalid_argument);
  EXPECT_THROW(XhciCtlRig({.interrupters = 17}), std::invalid_argument);
}

TEST(XhciRegsTest, PciIdentityAndCapabilitiesSitWhereSpec81SaysThem) {
  XhciCtlRig rig({.msi = true, .msix = true});
  auto& fn = rig.xhci();
  EXPECT_EQ(fn.config_read(0x00, 4), 0x000D'1B36u);
  EXPECT_EQ(fn.config_read(0x08, 4), 0x0C03'3001u);  // class 0C0330, revision 1
  EXPECT_EQ(fn.config_read(pci::kCacheLineSize, 1), 0x10u);
  EXPECT_EQ(fn.config_read(pci::kInterruptPin, 1), 1u);  // INTA
  EXPECT_EQ(fn.config_read(0x60, 1), 0x30u);             // SBRN: USB 3.0
  // BAR 0: 64-bit memory, 16 KiB.
  fn.config_write(pci::kBar0, 4, ~0u);
  fn.config_write(pci::kBar0 + 4, 4, ~0u);
  EXPECT_EQ(fn.config_read(pci::kBar0, 4), 0xFFFF'C004u);
  EXPECT_EQ(fn.config_read(pci::kBar0 + 4, 4), ~0u);
  // Capability list: PCIe at 0xA0, MSI at 0x70, MSI-X at 0x90.
  std::vector<std::pair<unsigned, unsigned>> caps;
  for (unsigned at = fn.config_read(pci::kCapabilitiesPointer, 1); at;
       at = fn.config_read(at + 1, 1))
    caps.push_back({at, fn.config_read(at, 1)});
  ASSERT_EQ(caps.size(), 3u);
  EXPECT_EQ(caps[0], std::make_pair(0xA0u, 0x10u));
  EXPECT_EQ(caps[1], std::make_pair(0x70u, unsigned{pci::kCapMsi}));
  EXPECT_EQ(caps[2], std::make_pair(0x90u, unsigned{pci::kCapMsix}));
  EXPECT_EQ(fn.config_read(0x92, 2) & 0x7FF, 15u);    // 16 vectors
  EXPECT_EQ(fn.config_read(0x94, 4), 0x3000u);        // table: BAR 0 + 0x3000
  EXPECT_EQ(fn.config_read(0x98, 4), 0x3800u);        // PBA: BAR 0 + 0x3800
  EXPECT_EQ((fn.config_read(0x72, 2) >> 1) & 7, 4u);  // MSI: 16 vectors capable
  // qemu-xhci defaults: neither MSI nor MSI-X.
  XhciCtlRig plain;
  unsigned first = plain.xhci().config_read(pci::kCapabilitiesPointer, 1);
  EXPECT_EQ(first, 0xA0u);
  EXPECT_EQ(plain.xhci().config_read(first + 1, 1), 0u);
}

TEST(XhciRegsTest, UsbcmdKeepsItsBitsAndRunStopDrivesHalted) {
  XhciCtlRig rig;
  EXPECT_EQ(rig.op(kUsbSts), kStsHch);
  EXPECT_EQ(rig.op(kPageSize), 1u);
  rig.set_op(kUsbCmd, ~0u & ~kCmdHcrst);
  EXPECT_EQ(rig.op(kUsbCmd), kCmdRs | kCmdInte | kCmdHsee | kCmdEwe | kCmdEu3s);
  EXPECT_EQ(rig.op(kUsbSts) & kStsHch, 0u);
  rig.set_op(kUsbCmd, 0);
  EXPECT_EQ(rig.op(kUsbSts) & kStsHch, kStsHch);
  rig.set_op(kDnCtrl, ~0u);
  EXPECT_EQ(rig.op(kDnCtrl), 0xFFFFu);
  rig.set_op(kConfig, ~0u);
  EXPECT_EQ(rig.op(kConfig), 0xFFu);
  rig.set_reg64(kOpBase + kDcbaap, 0x1234'5678'9ABC'DEFFull);
  EXPECT_EQ(rig.op(kDcbaap), 0x9ABC'DEC0u);
  EXPECT_EQ(rig.op(kDcbaapHigh), 0x1234'5678u);
  // HCRST puts everything back.
  rig.set_op(kUsbCmd, kCmdHcrst);
  EXPECT_EQ(rig.op(kUsbCmd), 0u);
  EXPECT_EQ(rig.op(kUsbSts), kStsHch);
  EXPECT_EQ(rig.op(kDnCtrl), 0u);
  EXPECT_EQ(rig.op(kConfig), 0u);
  EXPECT_EQ(rig.op(kDcbaap), 0u);
}

TEST(XhciRegsTest, CrcrReadsOnlyTheRingRunningBitAndStopsTheRingWithAnEvent) {
  XhciCtlRig rig;
  rig.start();
  EXPECT_EQ(rig.op(kCrcr), 0u);
  EXPECT_EQ(rig.op(kCrcrHigh), 0u);
  uint64_t noop = rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_EQ(rig.op(kCrcr), kCrcrCrr);
  auto done = rig.next_event(0);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->type(), unsigned{kTrbCommandCompletionEvent});
  EXPECT_EQ(done->parameter, noop);
  EXPECT_EQ(XhciCtlRig::code(*done), kCcSuccess);
  // While running, a new pointer is ignored; Command Stop stops the ring at
  // its dequeue pointer with a Command Ring Stopped completion.
  rig.set_reg64(kOpBase + kCrcr, 0xDEAD'0000 | kCrcrCs);
  EXPECT_EQ(rig.op(kCrcr), 0u);
  auto stopped = rig.next_event(0);
  ASSERT_TRUE(stopped);
  EXPECT_EQ(XhciCtlRig::code(*stopped), kCcCommandRingStopped);
  EXPECT_EQ(stopped->parameter, noop + 16);
  // The ring continues where it stopped once the doorbell rings again.
  uint64_t second = rig.post_command({0, 0, kTrbNoOpCommand << 10});
  auto e = rig.next_event(0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->parameter, second);
  // Command Abort acts the same (no command is ever in flight).
  rig.set_op(kCrcr, kCrcrCa);
  auto aborted = rig.next_event(0);
  ASSERT_TRUE(aborted);
  EXPECT_EQ(XhciCtlRig::code(*aborted), kCcCommandRingStopped);
}

TEST(XhciRegsTest, Usb2PortConnectsResetsAndClearsChangeBitsByWritingOne) {
  XhciCtlRig rig;
  FakeUsbDevice dev;
  for (unsigned p = 1; p <= 8; ++p)
    EXPECT_EQ(rig.reg(XhciCtlRig::portsc(p)), kPortPp | kPlsRxDetect << kPortPlsShift) << p;
  rig.start();
  rig.xhci().attach(5, dev);
  uint32_t sc = rig.reg(XhciCtlRig::portsc(5));
  EXPECT_EQ(sc, kPortCcs | kPortPp | kPortCsc | kPlsPolling << kPortPlsShift |
                    kSpeedFull << kPortSpeedShift);
  auto e = rig.next_event(0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type(), unsigned{kTrbPortStatusChangeEvent});
  EXPECT_EQ(e->parameter, 5ull << 24);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsPcd);
  // Writing back what was read clears CSC (write 1) and changes nothing else.
  rig.set_reg(XhciCtlRig::portsc(5), sc);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(5)), sc & ~kPortCsc);
  // Port reset: enabled, U0, PRC, another event; the device saw a bus reset.
  int resets = dev.resets;
  rig.set_reg(XhciCtlRig::portsc(5), kPortPp | kPortPr);
  sc = rig.reg(XhciCtlRig::portsc(5));
  EXPECT_EQ(sc & (kPortPed | kPortPr | kPortPrc | kPortPlsMask), kPortPed | kPortPrc);
  EXPECT_EQ(dev.resets, resets + 1);
  ASSERT_TRUE(rig.next_event(0));
  // PED is write-1-to-disable; the change bits stay until cleared.
  rig.set_reg(XhciCtlRig::portsc(5), kPortPp | kPortPed);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(5)) & (kPortPed | kPortPrc), kPortPrc);
  rig.set_reg(XhciCtlRig::portsc(5), kPortPp | kPortChangeBits);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(5)) & kPortChangeBits, 0u);
  // Detach: CCS drops, CSC and an event.
  rig.xhci().detach(5);
  sc = rig.reg(XhciCtlRig::portsc(5));
  EXPECT_EQ(sc & (kPortCcs | kPortCsc | kPortPed), kPortCsc);
  EXPECT_TRUE(rig.next_event(0));
}

TEST(XhciRegsTest, SuperSpeedPortComesUpEnabledAndTheWrongPortIsRefused) {
  XhciCtlRig rig;
  FakeUsbDevice super(usb::Speed::kSuper), full(usb::Speed::kFull);
  EXPECT_THROW(rig.xhci().attach(5, super), std::invalid_argument);
  EXPECT_THROW(rig.xhci().attach(1, full), std::invalid_argument);
  EXPECT_THROW(rig.xhci().attach(9, full), std::invalid_argument);
  rig.xhci().attach(1, super);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(1)), kPortCcs | kPortPed | kPortPp | kPortCsc |
                                                kPlsU0 << kPortPlsShift |
                                                kSpeedSuper << kPortSpeedShift);
  EXPECT_THROW(rig.xhci().attach(1, super), std::invalid_argument);
  // Link state writes need LWS: suspend to U3, then back to U0 with PLC.
  rig.start();
  rig.set_reg(XhciCtlRig::portsc(1), kPortPp | kPlsU3 << kPortPlsShift);  // no LWS
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(1)) & kPortPlsMask, kPlsU0 << kPortPlsShift);
  rig.set_reg(XhciCtlRig::portsc(1), kPortPp | kPortLws | kPlsU3 << kPortPlsShift);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(1)) & kPortPlsMask, kPlsU3 << kPortPlsShift);
  rig.set_reg(XhciCtlRig::portsc(1), kPortPp | kPortLws | kPlsU0 << kPortPlsShift);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(1)) & (kPortPlsMask | kPortPlc), kPortPlc);
  // Warm reset sets WRC and PRC.
  rig.set_reg(XhciCtlRig::portsc(1), kPortPp | kPortWpr);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(1)) & (kPortWrc | kPortPrc), kPortWrc | kPortPrc);
  // PORTPMSC keeps only its USB 3 fields.
  rig.set_reg(XhciCtlRig::portsc(1) + kPortPmsc, ~0u);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(1) + kPortPmsc), kPortPmscUsb3Mask);
  rig.set_reg(XhciCtlRig::portsc(6) + kPortPmsc, ~0u);
  EXPECT_EQ(rig.reg(XhciCtlRig::portsc(6) + kPortPmsc), kPortPmscUsb2Mask);
  rig.xhci().detach(1);  // the device must outlive its attachment
}

TEST(XhciRegsTest, MfindexCountsMicroframesWhileRunning) {
  XhciCtlRig rig;
  EXPECT_EQ(rig.reg(kRuntimeBase), 0u);
  rig.start();
  rig.timers().advance(125'000 * 10 + 1);
  EXPECT_EQ(rig.reg(kRuntimeBase), 10u);
  rig.set_op(kUsbCmd, 0);
  rig.timers().advance(125'000 * 5);
  EXPECT_EQ(rig.reg(kRuntimeBase), 10u);  // frozen while halted
  rig.set_op(kUsbCmd, kCmdRs);
  rig.timers().advance(125'000 * 0x4000);
  EXPECT_EQ(rig.reg(kRuntimeBase), 10u);  // wraps at 14 bits
}

TEST(XhciRegsTest, MfindexWrapEventsComeEvery2048MsWhenEweIsSet) {
  XhciCtlRig rig;
  rig.start();
  rig.timers().advance(kMfindexWrapNs);
  EXPECT_FALSE(rig.next_event(0));  // EWE off
  rig.set_op(kUsbCmd, kCmdRs | kCmdInte | kCmdEwe);
  rig.timers().advance(kMfindexWrapNs - 1);
  EXPECT_FALSE(rig.next_event(0));
  rig.timers().advance(1);
  auto e = rig.next_event(0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type(), unsigned{kTrbMfindexWrapEvent});
  EXPECT_EQ(XhciCtlRig::code(*e), kCcSuccess);
  EXPECT_EQ(rig.reg(kRuntimeBase), 0u);
  rig.timers().advance(kMfindexWrapNs);
  EXPECT_TRUE(rig.next_event(0));
  rig.set_op(kUsbCmd, kCmdRs | kCmdInte);
  rig.timers().advance(2 * kMfindexWrapNs);
  EXPECT_FALSE(rig.next_event(0));
  EXPECT_EQ(rig.timers().pending(), 0u);
}

TEST(XhciRegsTest, ImanIpIsWriteOneToClearAndTheInterruptPinFollowsIpIeInte) {
  XhciCtlRig rig;
  rig.start();
  EXPECT_FALSE(rig.link().intx);
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_TRUE(rig.link().intx);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kIman)), kImanIp | kImanIe);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsEint);
  EXPECT_TRUE(rig.reg(XhciCtlRig::intr(0, kErdp)) & kErdpEhb);
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIp);  // clears IP, and IE (written 0)
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kIman)), 0u);
  EXPECT_FALSE(rig.link().intx);
  // IP set with IE off: no interrupt until IE is turned on.
  rig.drain_events(0);
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kIman)), kImanIp);
  EXPECT_FALSE(rig.link().intx);
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIe);
  EXPECT_TRUE(rig.link().intx);
  rig.set_op(kUsbCmd, kCmdRs);  // INTE off
  EXPECT_FALSE(rig.link().intx);
  rig.set_op(kUsbCmd, kCmdRs | kCmdInte);
  EXPECT_TRUE(rig.link().intx);
  // Interrupt Disable in the PCI command register masks the pin.
  rig.xhci().config_write(
      pci::kCommand, 2,
      pci::kCommandMemorySpace | pci::kCommandBusMaster | pci::kCommandInterruptDisable);
  EXPECT_FALSE(rig.link().intx);
}

TEST(XhciRegsTest, ErdpBusyBitIsWriteOneToClearAndHoldsFurtherInterrupts) {
  XhciCtlRig rig;
  rig.start();
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIp | kImanIe);
  EXPECT_FALSE(rig.link().intx);
  // EHB still set: a second event does not assert IP again.
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kIman)) & kImanIp, 0u);
  // Writing ERDP without EHB keeps it busy; writing 1 clears it, and since
  // events are still beyond the new dequeue pointer the interrupt fires.
  uint64_t erdp = rig.event_ring(0) + 16;
  rig.set_reg64(XhciCtlRig::intr(0, kErdp), erdp);
  EXPECT_TRUE(rig.reg(XhciCtlRig::intr(0, kErdp)) & kErdpEhb);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kIman)) & kImanIp, 0u);
  rig.set_reg64(XhciCtlRig::intr(0, kErdp), erdp | kErdpEhb);
  EXPECT_TRUE(rig.reg(XhciCtlRig::intr(0, kIman)) & kImanIp);
  EXPECT_TRUE(rig.link().intx);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kErdp)), static_cast<uint32_t>(erdp) | kErdpEhb);
}

TEST(XhciRegsTest, InterruptModerationSpacesInterruptsByImodiTimes250ns) {
  XhciCtlRig rig;
  rig.start();
  rig.set_reg(XhciCtlRig::intr(0, kImod), 4000);  // 1 ms
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kImod)), 4000u);
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  ASSERT_TRUE(rig.link().intx);  // the counter was 0: at once
  // IMODC now counts down from IMODI.
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kImod)) >> 16, 4000u);
  rig.drain_events(0);  // acknowledges (clears EHB)
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIp | kImanIe);
  ASSERT_FALSE(rig.link().intx);
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_FALSE(rig.link().intx);  // moderated
  rig.timers().advance(500'000);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(0, kImod)) >> 16, 2000u);
  EXPECT_FALSE(rig.link().intx);
  rig.timers().advance(499'999);
  EXPECT_FALSE(rig.link().intx);
  rig.timers().advance(1);
  EXPECT_TRUE(rig.link().intx);
  // Software may load IMODC directly.
  rig.drain_events(0);
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIp | kImanIe);
  rig.set_reg(XhciCtlRig::intr(0, kImod), 40u << 16 | 4000);  // 10 us left
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_FALSE(rig.link().intx);
  rig.timers().advance(10'000);
  EXPECT_TRUE(rig.link().intx);
}

TEST(XhciRegsTest, BadEventRingSetupSetsHostControllerError) {
  XhciCtlRig rig;
  rig.memory().write_le<uint64_t>(XhciCtlRig::kErst, rig.event_ring(0));
  rig.memory().write_le<uint32_t>(XhciCtlRig::kErst + 8, 8);  // below 16 TRBs
  rig.set_reg(XhciCtlRig::intr(0, kErstsz), 1);
  uint64_t errors = trace::guest_error_count();
  rig.set_reg64(XhciCtlRig::intr(0, kErstba), XhciCtlRig::kErst);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsHce);
  EXPECT_GT(trace::guest_error_count(), errors);
  rig.set_op(kUsbCmd, kCmdHcrst);
  EXPECT_FALSE(rig.op(kUsbSts) & kStsHce);
  rig.set_reg(XhciCtlRig::intr(0, kErstsz), 2);  // two segments: unsupported
  rig.set_reg64(XhciCtlRig::intr(0, kErstba), XhciCtlRig::kErst);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsHce);
}

TEST(XhciRegsTest, ErdpOutsideTheSegmentSetsHostControllerErrorWhenAnEventComes) {
  XhciCtlRig rig;
  rig.start();
  rig.set_reg64(XhciCtlRig::intr(0, kErdp), rig.event_ring(0) + 0x1000);
  rig.post_command({0, 0, kTrbNoOpCommand << 10});
  EXPECT_TRUE(rig.op(kUsbSts) & kStsHce);
  EXPECT_FALSE(rig.next_event(0, false));
}

TEST(XhciRegsTest, InterruptersBeyondMaxIntrsAreNotThere) {
  XhciCtlRig rig({.interrupters = 2});
  rig.set_reg(XhciCtlRig::intr(2, kImod), 77);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(2, kImod)), 0u);
  rig.set_reg(XhciCtlRig::intr(1, kImod), 77);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(1, kImod)), 77u);
}

TEST(XhciRegsTest, OddSizedOrMisalignedAccessesAreGuestErrorsNotCrashes) {
  XhciCtlRig rig;
  uint64_t errors = trace::guest_error_count();
  EXPECT_EQ(rig.xhci().read(0x41, 4), 0u);
  EXPECT_EQ(rig.xhci().read(0x40, 2), 0u);
  rig.xhci().write(0x40, 1, 1);
  rig.xhci().write(0x4000, 4, 1);
  EXPECT_EQ(rig.xhci().read(0x1'0000'0000ull, 4), 0u);
  EXPECT_EQ(rig.op(kUsbCmd), 0u);
  EXPECT_EQ(trace::guest_error_count(), errors + 5);
}

}  // namespace
}  // namespace vmapple
