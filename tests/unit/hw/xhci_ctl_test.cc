// The controller's command and transfer machinery against a fake device:
// slot and endpoint state machines with their completion codes, control
// and interrupt transfers (IDT, chaining, short packets, Event Data, NAK
// and the device's notifier), the interrupter rules of spec 8.3, and what a
// hostile guest gets for bad TRBs, loops and pointers outside RAM.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "base/log.h"
#include "unit/hw/xhci_ctl_rig.h"

namespace vmapple {
namespace {

using namespace usb::xhci;
using test::FakeUsbDevice;
using test::XhciCtlRig;

Trb cmd(unsigned type, unsigned slot = 0, uint64_t parameter = 0, uint32_t flags = 0) {
  return {parameter, 0, slot << 24 | type << 10 | flags};
}
uint8_t code(const Trb& e) {
  return XhciCtlRig::code(e);
}
unsigned slot_state(XhciCtlRig& rig, unsigned slot) {
  return *rig.memory().read_le<uint32_t>(rig.output(slot) + 12) >> 27;
}
unsigned ep_state(XhciCtlRig& rig, unsigned slot, unsigned dci) {
  return *rig.memory().read_le<uint32_t>(rig.output(slot) + 32 * dci) & 7;
}
// Normal TRB (transfer length, interrupter target, flags).
Trb normal(uint64_t buffer, uint32_t length, uint32_t flags, unsigned target = 0) {
  return {buffer, target << 22 | length, kTrbNormal << 10 | flags};
}
constexpr uint32_t kIoc = 1u << 5;
constexpr uint32_t kIsp = 1u << 2;
constexpr uint32_t kChain = 1u << 4;
constexpr uint32_t kIdt = 1u << 6;
constexpr uint32_t kDirIn = 1u << 16;

class XhciCtlTest : public ::testing::Test {
 protected:
  explicit XhciCtlTest(usb::XhciOptions options = {}, bool msi = false) : rig(options, msi) {
    rig.start();
    rig.xhci().attach(5, dev);
    rig.set_reg(XhciCtlRig::portsc(5), kPortPp | kPortPr);
    rig.drain_events(0);
  }
  ~XhciCtlTest() override { rig.xhci().detach(5); }

  XhciCtlRig rig;
  FakeUsbDevice dev;
};

TEST_F(XhciCtlTest, EnableSlotHandsOutSlotsUpToMaxSlotsEn) {
  rig.set_op(kConfig, 2);
  Trb a = rig.command(cmd(kTrbEnableSlot));
  Trb b = rig.command(cmd(kTrbEnableSlot));
  Trb c = rig.command(cmd(kTrbEnableSlot));
  EXPECT_EQ(code(a), kCcSuccess);
  EXPECT_EQ(a.slot_id(), 1u);
  EXPECT_EQ(b.slot_id(), 2u);
  EXPECT_EQ(code(c), kCcNoSlotsAvailable);
  EXPECT_EQ(c.slot_id(), 0u);
  EXPECT_EQ(code(rig.command(cmd(kTrbDisableSlot, 1))), kCcSuccess);
  EXPECT_EQ(code(rig.command(cmd(kTrbDisableSlot, 1))), kCcSlotNotEnabled);
  EXPECT_EQ(rig.command(cmd(kTrbEnableSlot)).slot_id(), 1u);
}

TEST_F(XhciCtlTest, AddressDeviceSendsSetAddressAndFillsTheOutputContext) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(slot, 1u);
  EXPECT_EQ(dev.address, slot);
  ASSERT_FALSE(dev.controls.empty());
  EXPECT_EQ(dev.controls.back().bRequest, 5);
  EXPECT_EQ(slot_state(rig, slot), kSlotStateAddressed);
  EXPECT_EQ(*rig.memory().read_le<uint32_t>(rig.output(slot) + 12) & 0xFF, slot);
  EXPECT_EQ(ep_state(rig, slot, 1), kEpRunning);
  // Addressing again is a Context State Error.
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, slot, XhciCtlRig::kInput))),
            kCcContextStateError);
}

TEST_F(XhciCtlTest, AddressDeviceWithBsrGoesToDefaultWithoutSetAddress) {
  unsigned slot = rig.enumerate(5, true);
  ASSERT_EQ(slot, 1u);
  EXPECT_TRUE(dev.controls.empty());
  EXPECT_EQ(slot_state(rig, slot), kSlotStateDefault);
  EXPECT_EQ(*rig.memory().read_le<uint32_t>(rig.output(slot) + 12) & 0xFF, 0u);
  // BSR=1 again from Default is refused; BSR=0 then addresses it.
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, slot, XhciCtlRig::kInput, 1u << 9))),
            kCcContextStateError);
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, slot, XhciCtlRig::kInput))), kCcSuccess);
  EXPECT_EQ(slot_state(rig, slot), kSlotStateAddressed);
  EXPECT_EQ(dev.address, slot);
}

TEST_F(XhciCtlTest, AddressDeviceRejectsBadInputContexts) {
  Trb e = rig.command(cmd(kTrbEnableSlot));
  unsigned slot = e.slot_id();
  rig.memory().write_le<uint64_t>(XhciCtlRig::kDcbaa + 8 * slot, rig.output(slot));
  rig.memory().zero(XhciCtlRig::kInput, 0x100);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 4, 1);  // A1 missing
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, slot, XhciCtlRig::kInput))), kCcParameterError);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 4, 3);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 64 + 4, 4u << 3);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 32 + 4, 9u << 16);  // no port 9
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, slot, XhciCtlRig::kInput))), kCcParameterError);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 32 + 4, 6u << 16);  // nothing there
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, slot, XhciCtlRig::kInput))),
            kCcUsbTransactionError);
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, 9, XhciCtlRig::kInput))), kCcSlotNotEnabled);
  EXPECT_EQ(code(rig.command(cmd(kTrbAddressDevice, 0, XhciCtlRig::kInput))), kCcSlotNotEnabled);
}

TEST_F(XhciCtlTest, ControlTransferWithDataStageAndShortPacket) {
  unsigned slot = rig.enumerate(5);
  uint64_t buf = XhciCtlRig::kBuffers;
  auto at = rig.queue(slot, 1,
                      {XhciCtlRig::setup_trb(0x80, 6, 0x100, 0, 64, 3),
                       {buf, 64, kTrbDataStage << 10 | kDirIn | kIsp},
                       {0, 0, kTrbStatusStage << 10 | kIoc}});
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 2u);
  // The device had 18 bytes for 64 asked: Short Packet with residual 46.
  EXPECT_EQ(events[0].type(), unsigned{kTrbTransferEvent});
  EXPECT_EQ(events[0].parameter, at[1]);
  EXPECT_EQ(code(events[0]), kCcShortPacket);
  EXPECT_EQ(events[0].status & 0xFFFFFF, 46u);
  EXPECT_EQ(events[0].slot_id(), slot);
  EXPECT_EQ(events[0].endpoint_id(), 1u);
  EXPECT_EQ(events[1].parameter, at[2]);
  EXPECT_EQ(code(events[1]), kCcSuccess);
  uint8_t got[18];
  rig.memory().read(buf, got);
  EXPECT_TRUE(std::equal(std::begin(got), std::end(got), dev.descriptor.begin()));
}

TEST_F(XhciCtlTest, ControlOutWithImmediateDataReachesTheDevice) {
  unsigned slot = rig.enumerate(5);
  rig.queue(slot, 1,
            {XhciCtlRig::setup_trb(0x21, 9, 0x200, 0, 1, 2),
             {0x07, 1, kTrbDataStage << 10 | kIdt},
             {0, 0, kTrbStatusStage << 10 | kDirIn | kIoc}});
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcSuccess);
  ASSERT_EQ(dev.out_data.size(), 1u);
  EXPECT_EQ(dev.out_data[0], 0x07);
}

TEST_F(XhciCtlTest, StalledControlRequestHaltsEndpointZeroUntilReset) {
  unsigned slot = rig.enumerate(5);
  auto at = rig.queue(slot, 1,
                      {XhciCtlRig::setup_trb(0x80, 0x42, 0, 0, 4, 3),
                       {XhciCtlRig::kBuffers, 4, kTrbDataStage << 10 | kDirIn},
                       {0, 0, kTrbStatusStage << 10 | kIoc}});
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcStallError);
  EXPECT_EQ(events[0].parameter, at[1]);
  EXPECT_EQ(ep_state(rig, slot, 1), kEpHalted);
  // A doorbell on a halted endpoint does nothing.
  rig.doorbell(slot, 1);
  EXPECT_TRUE(rig.drain_events(0).empty());
  // Stop on a halted endpoint: Context State Error; Reset Endpoint works,
  // and only on a halted endpoint.
  EXPECT_EQ(code(rig.command(cmd(kTrbStopEndpoint, slot, 0, 1u << 16))), kCcContextStateError);
  EXPECT_EQ(code(rig.command(cmd(kTrbResetEndpoint, slot, 0, 1u << 16))), kCcSuccess);
  EXPECT_EQ(ep_state(rig, slot, 1), kEpStopped);
  EXPECT_EQ(code(rig.command(cmd(kTrbResetEndpoint, slot, 0, 1u << 16))), kCcContextStateError);
  // Skip the failed TD with Set TR Dequeue Pointer, then transfers work.
  uint64_t next = at[2] + 16;
  EXPECT_EQ(code(rig.command(cmd(kTrbSetTrDequeue, slot, next | 1, 1u << 16))), kCcSuccess);
  EXPECT_EQ(*rig.memory().read_le<uint64_t>(rig.output(slot) + 32 + 8), next | 1);
  rig.queue(
      slot, 1,
      {XhciCtlRig::setup_trb(0x00, 9, 1, 0, 0, 0), {0, 0, kTrbStatusStage << 10 | kDirIn | kIoc}});
  events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcSuccess);
  EXPECT_EQ(ep_state(rig, slot, 1), kEpRunning);
}

TEST_F(XhciCtlTest, InterruptInWaitsForTheDeviceNotifierThenCompletes) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  EXPECT_EQ(slot_state(rig, slot), kSlotStateConfigured);
  EXPECT_EQ(ep_state(rig, slot, 3), kEpRunning);
  auto at = rig.queue(slot, 3, {normal(XhciCtlRig::kBuffers, 8, kIoc | kIsp)});
  EXPECT_TRUE(rig.drain_events(0).empty());  // NAK: the TD waits
  unsigned tries = dev.transfers;
  dev.push_report({1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(dev.transfers, tries + 1);
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].parameter, at[0]);
  EXPECT_EQ(code(events[0]), kCcSuccess);
  EXPECT_EQ(events[0].endpoint_id(), 3u);
  EXPECT_EQ(*rig.memory().read_le<uint64_t>(XhciCtlRig::kBuffers), 0x0807060504030201ull);
  // A shorter report: Short Packet with the residual.
  rig.queue(slot, 3, {normal(XhciCtlRig::kBuffers, 8, kIoc | kIsp)});
  dev.push_report({9, 9, 9});
  events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcShortPacket);
  EXPECT_EQ(events[0].status & 0xFFFFFF, 5u);
}

TEST_F(XhciCtlTest, ChainedTrbsWithEventDataReportTheTotalLength) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  dev.push_report({1, 2, 3, 4, 5, 6});
  auto at = rig.queue(slot, 3,
                      {normal(XhciCtlRig::kBuffers, 4, kChain),
                       normal(XhciCtlRig::kBuffers + 0x100, 4, kChain),
                       {0xABCD'0000'1234ull, 0, kTrbEventData << 10 | kIoc}});
  auto events = rig.drain_events(0);
  // Short in the second TRB (no ISP there): one event for the Event Data TRB.
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].parameter, 0xABCD'0000'1234ull);
  EXPECT_TRUE(events[0].control & kEventDataFlag);
  EXPECT_EQ(code(events[0]), kCcShortPacket);
  EXPECT_EQ(events[0].status & 0xFFFFFF, 6u);
  EXPECT_EQ(*rig.memory().read_le<uint16_t>(XhciCtlRig::kBuffers + 0x100), 0x0605);
  (void)at;
}

TEST_F(XhciCtlTest, StopEndpointCompletesTheWaitingTdAsStopped) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  auto at = rig.queue(slot, 3, {normal(XhciCtlRig::kBuffers, 8, kIoc)});
  uint64_t stop = rig.post_command(cmd(kTrbStopEndpoint, slot, 0, 3u << 16));
  auto events = rig.drain_events(0);
  // First the TD completes as Stopped, then the command.
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type(), unsigned{kTrbTransferEvent});
  EXPECT_EQ(code(events[0]), kCcStopped);
  EXPECT_EQ(events[0].parameter, at[0]);
  EXPECT_EQ(events[0].status & 0xFFFFFF, 8u);
  EXPECT_EQ(events[1].parameter, stop);
  EXPECT_EQ(code(events[1]), kCcSuccess);
  EXPECT_EQ(ep_state(rig, slot, 3), kEpStopped);
  EXPECT_EQ(*rig.memory().read_le<uint64_t>(rig.output(slot) + 32 * 3 + 8), at[0] | 1);
  // The report now arrives but the endpoint is stopped: nothing happens
  // until the doorbell restarts it.
  dev.push_report({1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_TRUE(rig.drain_events(0).empty());
  rig.doorbell(slot, 3);
  events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcSuccess);
  EXPECT_EQ(ep_state(rig, slot, 3), kEpRunning);
}

TEST_F(XhciCtlTest, DeconfigureResetDeviceAndEvaluateContext) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  // Evaluate Context: EP0 max packet size and the slot's interrupter target.
  rig.memory().zero(XhciCtlRig::kInput, 0x100);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 4, 3);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 32 + 8, 5u << 22);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 64 + 4, 4u << 3 | 8u << 16);
  EXPECT_EQ(code(rig.command(cmd(kTrbEvaluateContext, slot, XhciCtlRig::kInput))), kCcSuccess);
  EXPECT_EQ(*rig.memory().read_le<uint32_t>(rig.output(slot) + 8) >> 22, 5u);
  EXPECT_EQ(*rig.memory().read_le<uint32_t>(rig.output(slot) + 32 + 4) >> 16, 8u);
  // Deconfigure: back to Addressed, the interrupt endpoint disabled.
  EXPECT_EQ(code(rig.command(cmd(kTrbConfigureEndpoint, slot, 0, 1u << 9))), kCcSuccess);
  EXPECT_EQ(slot_state(rig, slot), kSlotStateAddressed);
  EXPECT_EQ(ep_state(rig, slot, 3), kEpDisabled);
  rig.doorbell(slot, 3);  // disabled endpoint: ignored
  EXPECT_TRUE(rig.drain_events(0).empty());
  // Reset Device: Default state, address 0; twice is a Context State Error.
  EXPECT_EQ(code(rig.command(cmd(kTrbResetDevice, slot))), kCcSuccess);
  EXPECT_EQ(slot_state(rig, slot), kSlotStateDefault);
  EXPECT_EQ(code(rig.command(cmd(kTrbResetDevice, slot))), kCcContextStateError);
  // Configure Endpoint needs Addressed or Configured.
  EXPECT_EQ(code(rig.command(cmd(kTrbConfigureEndpoint, slot, XhciCtlRig::kInput))),
            kCcContextStateError);
}

TEST_F(XhciCtlTest, ConfigureEndpointRejectsBadEndpointContextsAtomically) {
  unsigned slot = rig.enumerate(5);
  rig.memory().zero(XhciCtlRig::kInput, 0x400);
  rig.memory().write_le<uint32_t>(XhciCtlRig::kInput + 4, 1u << 3 | 1u << 4);  // A3, A4
  uint64_t ep3 = XhciCtlRig::kInput + 32 * 4;
  rig.memory().write_le<uint32_t>(ep3 + 4, 7u << 3 | 8u << 16);
  rig.memory().write_le<uint64_t>(ep3 + 8, XhciCtlRig::kTransferRings | 1);
  uint64_t ep4 = XhciCtlRig::kInput + 32 * 5;
  rig.memory().write_le<uint32_t>(ep4 + 4, 7u << 3 | 8u << 16);  // IN type on an OUT DCI
  rig.memory().write_le<uint64_t>(ep4 + 8, XhciCtlRig::kTransferRings | 1);
  EXPECT_EQ(code(rig.command(cmd(kTrbConfigureEndpoint, slot, XhciCtlRig::kInput))),
            kCcParameterError);
  EXPECT_EQ(ep_state(rig, slot, 3), kEpDisabled);  // nothing applied
  EXPECT_EQ(slot_state(rig, slot), kSlotStateAddressed);
}

TEST_F(XhciCtlTest, UnknownCommandsAndTransferTrbTypesAreTrbErrors) {
  EXPECT_EQ(code(rig.command(cmd(kTrbNormal))), kCcTrbError);
  EXPECT_EQ(code(rig.command(cmd(kTrbForceHeader))), kCcTrbError);
  EXPECT_EQ(code(rig.command(cmd(63))), kCcTrbError);
  EXPECT_EQ(code(rig.command(cmd(kTrbNoOpCommand))), kCcSuccess);
  unsigned slot = rig.enumerate(5);
  // A Normal TRB where a Setup Stage must be.
  auto at = rig.queue(slot, 1, {normal(XhciCtlRig::kBuffers, 8, kIoc)});
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcTrbError);
  EXPECT_EQ(events[0].parameter, at[0]);
  EXPECT_EQ(ep_state(rig, slot, 1), kEpHalted);
}

TEST_F(XhciCtlTest, SetupStageWithoutImmediateDataIsATrbError) {
  unsigned slot = rig.enumerate(5);
  Trb setup = XhciCtlRig::setup_trb(0x80, 6, 0x100, 0, 18, 3);
  setup.control &= ~kIdt;
  rig.queue(slot, 1, {setup, {0, 0, kTrbStatusStage << 10 | kIoc}});
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcTrbError);
}

TEST_F(XhciCtlTest, LinkTrbLoopsOnTheCommandRingEndWithATrbErrorAndAStoppedRing) {
  // Overwrite the next command slot with a Link TRB to itself.
  uint64_t at = rig.post_command({0, 0, kTrbNoOpCommand << 10}, false);
  rig.write_trb(at, {at, 0, kTrbLink << 10 | 1});
  rig.set_reg(kDoorbellBase, 0);
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcTrbError);
  EXPECT_EQ(rig.op(kCrcr), 0u);  // CRR clear
  EXPECT_FALSE(rig.op(kUsbSts) & (kStsHse | kStsHce));
}

TEST_F(XhciCtlTest, LinkTrbLoopOnATransferRingHaltsTheEndpoint) {
  unsigned slot = rig.enumerate(5);
  uint64_t base = XhciCtlRig::ring_base(slot, 1);
  rig.write_trb(base, {base, 0, kTrbLink << 10 | 1});
  rig.doorbell(slot, 1);
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcTrbError);
  EXPECT_EQ(ep_state(rig, slot, 1), kEpHalted);
}

TEST_F(XhciCtlTest, AnEndlessRingIsServedInBoundedSlicesAcrossTimerTicks) {
  // A command ring whose Link TRB (no toggle) makes the same No-Op valid
  // forever: every pass does a bounded amount of work and defers the rest.
  uint64_t at = rig.post_command({0, 0, kTrbNoOpCommand << 10}, false);
  rig.write_trb(at + 16, {at, 0, kTrbLink << 10 | 1});
  rig.set_reg(XhciCtlRig::intr(0, kErstsz), 0);
  rig.set_reg(kDoorbellBase, 0);  // returns: the work is bounded
  EXPECT_EQ(rig.op(kCrcr), kCrcrCrr);
  EXPECT_GE(rig.timers().pending(), 1u);
  rig.timers().advance(usb::Xhci::kDeferNs);
  EXPECT_GE(rig.timers().pending(), 1u);
  rig.set_op(kCrcr, kCrcrCs);
  rig.timers().advance(usb::Xhci::kDeferNs);
  EXPECT_EQ(rig.op(kCrcr), 0u);
}

TEST_F(XhciCtlTest, RingsAndContextsOutsideRamRaiseHostSystemError) {
  rig.set_reg64(kOpBase + kCrcr, 0);
  uint64_t errors = trace::guest_error_count();
  rig.set_reg64(kOpBase + kCrcr, 0x10'0000 | 1);  // no RAM there
  rig.set_reg(kDoorbellBase, 0);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsHse);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsHch);
  EXPECT_FALSE(rig.op(kUsbCmd) & kCmdRs);
  EXPECT_GT(trace::guest_error_count(), errors);
  EXPECT_TRUE(rig.drain_events(0).empty());
}

TEST_F(XhciCtlTest, TransferBufferOutsideRamRaisesHostSystemError) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  dev.push_report({1, 2, 3, 4, 5, 6, 7, 8});
  rig.queue(slot, 3, {normal(0xFFFF'FFFF'0000ull, 8, kIoc)});
  EXPECT_TRUE(rig.op(kUsbSts) & kStsHse);
  EXPECT_TRUE(rig.drain_events(0).empty());
}

TEST_F(XhciCtlTest, OversizedTdIsATrbError) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  std::vector<Trb> trbs;
  for (int i = 0; i < 40; ++i)
    trbs.push_back(normal(XhciCtlRig::kBuffers, 0x1'FFFF, i < 39 ? kChain : kIoc));
  rig.queue(slot, 3, trbs);
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcTrbError);
  EXPECT_EQ(ep_state(rig, slot, 3), kEpHalted);
  EXPECT_EQ(dev.transfers, 0u);
}

TEST_F(XhciCtlTest, CommandsOnDisabledSlotsOrEndpoints) {
  EXPECT_EQ(code(rig.command(cmd(kTrbConfigureEndpoint, 3))), kCcSlotNotEnabled);
  EXPECT_EQ(code(rig.command(cmd(kTrbStopEndpoint, 70, 0, 1u << 16))), kCcSlotNotEnabled);
  unsigned slot = rig.command(cmd(kTrbEnableSlot)).slot_id();
  EXPECT_EQ(code(rig.command(cmd(kTrbStopEndpoint, slot, 0, 1u << 16))), kCcContextStateError);
  EXPECT_EQ(code(rig.command(cmd(kTrbResetEndpoint, slot, 0, 0))), kCcTrbError);
  EXPECT_EQ(code(rig.command(cmd(kTrbSetTrDequeue, slot, 0x1000, 2u << 16))), kCcContextStateError);
  EXPECT_EQ(code(rig.command(cmd(kTrbEvaluateContext, slot, XhciCtlRig::kInput))),
            kCcContextStateError);
  EXPECT_EQ(code(rig.command(cmd(kTrbResetDevice, slot))), kCcContextStateError);
  rig.set_reg(kDoorbellBase + 4 * slot, 1);  // doorbell: nothing to do
  EXPECT_TRUE(rig.drain_events(0).empty());
}

// Reports pushed from another thread (the host input path) while the vCPU
// thread queues TDs: every report arrives exactly once, in order.
TEST_F(XhciCtlTest, ReportsFromAnotherThreadAreNeitherLostNorDuplicated) {
  unsigned slot = rig.enumerate(5);
  ASSERT_EQ(code(rig.configure_interrupt_in(slot)), kCcSuccess);
  constexpr unsigned kReports = 200;
  std::thread input([&] {
    for (unsigned i = 0; i < kReports; ++i) {
      dev.push_report({static_cast<uint8_t>(i), 0, 0, 0, 0, 0, 0, 0});
      if (i % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  });
  unsigned got = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  uint64_t buffer = XhciCtlRig::kBuffers;
  rig.queue(slot, 3, {normal(buffer, 8, kIoc)});
  while (got < kReports && std::chrono::steady_clock::now() < deadline) {
    auto e = rig.next_event(0);
    if (!e) {
      std::this_thread::yield();
      continue;
    }
    ASSERT_EQ(code(*e), kCcSuccess);
    EXPECT_EQ(*rig.memory().read_le<uint8_t>(buffer), static_cast<uint8_t>(got));
    ++got;
    if (got < kReports) rig.queue(slot, 3, {normal(buffer, 8, kIoc)});
  }
  input.join();
  EXPECT_EQ(got, kReports);
  EXPECT_TRUE(dev.reports.empty());
}

// ---- interrupter rules (spec 8.3) ----

// A control transfer whose Status Stage targets interrupter `target`.
void status_event_on(XhciCtlRig& rig, unsigned slot, unsigned target) {
  rig.queue(slot, 1,
            {XhciCtlRig::setup_trb(0x00, 9, 1, 0, 0, 0),
             {0, target << 22, kTrbStatusStage << 10 | kDirIn | kIoc}});
}

TEST_F(XhciCtlTest, WithoutConditionalMappingEventsStayOnTheirRingAndThePinStaysLow) {
  unsigned slot = rig.enumerate(5);
  rig.setup_interrupter(2);
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIp | kImanIe);
  ASSERT_FALSE(rig.link().intx);
  status_event_on(rig, slot, 2);
  EXPECT_TRUE(rig.drain_events(0).empty());
  EXPECT_TRUE(rig.reg(XhciCtlRig::intr(2, kIman)) & kImanIp);
  EXPECT_TRUE(rig.op(kUsbSts) & kStsEint);
  EXPECT_FALSE(rig.link().intx);  // only interrupter 0 drives INTx
  auto e = rig.next_event(2);
  ASSERT_TRUE(e);
  EXPECT_EQ(code(*e), kCcSuccess);
  // A target beyond MaxIntrs is dropped.
  status_event_on(rig, slot, 20);
  EXPECT_TRUE(rig.drain_events(0).empty());
  EXPECT_FALSE(rig.next_event(2));
}

class XhciMappedTest : public XhciCtlTest {
 protected:
  XhciMappedTest()
      : XhciCtlTest({.conditional_intr_mapping = true, .msi = true, .msix = true}, true) {}
  void enable_msi(unsigned mme) {
    unsigned cap = usb::XhciPci::kMsiCapOffset;
    rig.xhci().config_write(cap + 4, 4, 0xFEE0'0000);
    rig.xhci().config_write(cap + 0xC, 2, 0x40);
    rig.xhci().config_write(cap + 2, 2, 1 | mme << 4);
  }
};

TEST_F(XhciMappedTest, RuleBSendsEveryEventToRingZeroWhileInPinMode) {
  unsigned slot = rig.enumerate(5);
  rig.setup_interrupter(1);
  rig.setup_interrupter(2);
  rig.set_reg(XhciCtlRig::intr(0, kIman), kImanIp | kImanIe);
  status_event_on(rig, slot, 2);
  EXPECT_TRUE(rig.link().intx);  // asserted at once
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcSuccess);
  EXPECT_FALSE(rig.next_event(2));
  // Once MSI is on, normal mapping resumes: ring 2, vector 2 mod 4.
  enable_msi(2);  // 4 vectors
  rig.link().messages.clear();
  status_event_on(rig, slot, 2);
  EXPECT_TRUE(rig.drain_events(0).empty());
  ASSERT_TRUE(rig.next_event(2));
  ASSERT_EQ(rig.link().messages.size(), 1u);
  EXPECT_EQ(rig.link().messages[0].data, 0x42u);
  EXPECT_FALSE(rig.link().intx);
}

TEST_F(XhciMappedTest, RuleCFoldsInterruptersOntoTheEnabledMsiVectorsAndClearsIp) {
  unsigned slot = rig.enumerate(5);
  enable_msi(0);  // macOS enables a single vector
  rig.setup_interrupter(1);
  rig.setup_interrupter(3);
  rig.link().messages.clear();
  status_event_on(rig, slot, 3);
  ASSERT_EQ(rig.link().messages.size(), 1u);
  EXPECT_EQ(rig.link().messages[0].address, 0xFEE0'0000u);
  EXPECT_EQ(rig.link().messages[0].data, 0x40u);                 // vector 3 mod 1 = 0
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(3, kIman)) & kImanIp, 0u);  // cleared at once
  ASSERT_TRUE(rig.next_event(3));
  enable_msi(1);  // two vectors
  rig.link().messages.clear();
  status_event_on(rig, slot, 3);
  ASSERT_EQ(rig.link().messages.size(), 1u);
  EXPECT_EQ(rig.link().messages[0].data, 0x41u);  // 3 mod 2 = 1
}

TEST_F(XhciMappedTest, MsixSignalsVectorNAndTakesPrecedenceOverMsi) {
  unsigned slot = rig.enumerate(5);
  enable_msi(0);
  // MSI-X vector 2 entry in BAR 0 at 0x3000 + 16 * 2, unmasked.
  rig.set_reg(kMsixTable + 32, 0xFEE0'1000);
  rig.set_reg(kMsixTable + 32 + 8, 0x77);
  rig.set_reg(kMsixTable + 32 + 12, 0);
  rig.xhci().config_write(usb::XhciPci::kMsixCapOffset + 2, 2, 0x8000);
  rig.setup_interrupter(2);
  rig.link().messages.clear();
  status_event_on(rig, slot, 2);
  ASSERT_EQ(rig.link().messages.size(), 1u);
  EXPECT_EQ(rig.link().messages[0].address, 0xFEE0'1000u);
  EXPECT_EQ(rig.link().messages[0].data, 0x77u);
  EXPECT_EQ(rig.reg(XhciCtlRig::intr(2, kIman)) & kImanIp, 0u);
  EXPECT_FALSE(rig.link().intx);
}

class XhciSingleInterrupterTest : public XhciCtlTest {
 protected:
  XhciSingleInterrupterTest() : XhciCtlTest({.interrupters = 1, .msi = true}, true) {}
};

TEST_F(XhciSingleInterrupterTest, RuleAMapsEveryTargetToInterrupterZero) {
  unsigned slot = rig.enumerate(5);
  unsigned cap = usb::XhciPci::kMsiCapOffset;
  rig.xhci().config_write(cap + 4, 4, 0xFEE0'0000);
  rig.xhci().config_write(cap + 2, 2, 1);  // MSI on: rule B would not apply
  rig.link().messages.clear();
  status_event_on(rig, slot, 5);
  auto events = rig.drain_events(0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(code(events[0]), kCcSuccess);
  EXPECT_EQ(rig.link().messages.size(), 1u);
}

}  // namespace
}  // namespace vmapple
