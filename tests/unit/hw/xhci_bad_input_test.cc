// A hostile driver against the xHCI controller: bad TRB types, commands on
// disabled slots and in the wrong state, bad contexts, rings and tables
// outside RAM, Link TRB loops, oversized and babbling transfers, a full event
// ring. The controller answers with the xHCI completion codes (6.4.5) or
// sets HSE/HCE as the specification says, never hangs or crashes, and keeps
// working afterwards (a following good command completes).
#include <gtest/gtest.h>

#include <vector>

#include "unit/hw/fake_usb_device.h"
#include "unit/hw/xhci_rig.h"

namespace vmapple {
namespace {

using test::FakeHidDevice;
using test::Trb;
using test::TrbRing;
using test::XhciDriver;
using test::XhciRig;
namespace x = test::xhci;

constexpr unsigned kPort = 5;
constexpr unsigned kIntDci = x::dci(1, true);
constexpr uint64_t kNowhere = 0x1'0000'0000;  // no RAM, no device

class XhciBadInputTest : public ::testing::Test {
 protected:
  XhciBadInputTest() { rig_.xhci().attach(kPort, hid_); }

  XhciDriver& drv() { return rig_.driver(); }
  void start(XhciDriver::Options o = {}) { rig_.start(o); }
  XhciDriver::Device& configured() {
    drv().reset_port(kPort);
    XhciDriver::Device& d = drv().enable_and_address(kPort);
    drv().read_device_descriptor(d);
    EXPECT_EQ(drv().configure_interrupt_in(d, 0x81, 8, 10), x::kCcSuccess);
    EXPECT_EQ(drv().set_configuration(d, 1), x::kCcSuccess);
    return d;
  }
  unsigned cmd(unsigned type, unsigned slot, uint64_t param = 0, uint32_t extra = 0) {
    return drv().command(XhciDriver::command_trb(type, slot, param, extra)).completion_code();
  }
  // The controller still runs commands.
  void expect_alive() {
    EXPECT_FALSE(drv().usbsts() & (x::kStsHalted | x::kStsHse | x::kStsHce));
    EXPECT_EQ(drv().no_op().completion_code(), x::kCcSuccess);
  }
  // After a fatal error: HSE (a DMA to nothing is a host system error,
  // 5.4.2) with Run/Stop cleared and the controller halted, or HCE. Either
  // way HCRST brings it back.
  void expect_fatal_then_recover() {
    drv().wait_until([&] { return drv().usbsts() & (x::kStsHse | x::kStsHce); }, "HSE or HCE");
    uint32_t sts = drv().usbsts();
    if (sts & x::kStsHse) {
      drv().wait_until([&] { return drv().usbsts() & x::kStsHalted; }, "HCHalted after HSE");
      EXPECT_FALSE(drv().usbcmd() & x::kCmdRun);
    }
    rig_.start();
    EXPECT_FALSE(drv().usbsts() & (x::kStsHse | x::kStsHce));
    expect_alive();
  }
  uint64_t nothing_pending(unsigned ring = 0) {
    drv().collect(ring);
    return drv().pending(ring).size();
  }

  FakeHidDevice hid_;
  XhciRig rig_;
};

TEST_F(XhciBadInputTest, UnknownCommandTypesAreTrbErrors) {
  start();
  for (unsigned type :
       {unsigned{x::kNormal}, unsigned{x::kIsoch}, unsigned{x::kTransferEvent}, 63u, 0u}) {
    Trb e = drv().command(XhciDriver::command_trb(type, 0));
    EXPECT_EQ(e.completion_code(), x::kCcTrbError) << "type " << type;
  }
  expect_alive();
}

TEST_F(XhciBadInputTest, CommandsOnDisabledSlotsAreSlotNotEnabled) {
  start();
  const unsigned slot = 7;  // never enabled
  uint64_t input = rig_.arena().alloc(33 * 32, 64);
  EXPECT_EQ(cmd(x::kAddressDevice, slot, input), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kConfigureEndpoint, slot, input), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kEvaluateContext, slot, input), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kResetEndpoint, slot, 0, 1u << 16), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kStopEndpoint, slot, 0, 1u << 16), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kSetTrDequeue, slot, input | 1, 1u << 16), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kResetDevice, slot), x::kCcSlotNotEnabled);
  EXPECT_EQ(cmd(x::kDisableSlot, slot), x::kCcSlotNotEnabled);
  // Slot IDs 0 and above MaxSlots name no slot at all.
  for (unsigned bad : {0u, 65u, 255u}) {
    unsigned cc = cmd(x::kAddressDevice, bad, input);
    EXPECT_TRUE(cc == x::kCcSlotNotEnabled || cc == x::kCcTrbError) << bad << " cc " << cc;
    cc = cmd(x::kDisableSlot, bad);
    EXPECT_TRUE(cc == x::kCcSlotNotEnabled || cc == x::kCcTrbError) << bad << " cc " << cc;
  }
  // Doorbells for disabled slots, slots beyond MaxSlots and bad targets do nothing.
  drv().ring_doorbell(slot, 1);
  drv().ring_doorbell(100, 1);
  drv().ring_doorbell(255, 3);
  EXPECT_EQ(nothing_pending(), 0u);
  expect_alive();
}

TEST_F(XhciBadInputTest, SlotsRunOutWithNoSlotsAvailable) {
  XhciDriver::Options o;
  o.max_slots = 2;
  start(o);
  unsigned cc = 0;
  unsigned a = drv().enable_slot(&cc);
  unsigned b = drv().enable_slot(&cc);
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_NE(a, b);
  EXPECT_LE(std::max(a, b), 2u);
  EXPECT_EQ(drv().enable_slot(&cc), 0u);
  EXPECT_EQ(cc, x::kCcNoSlots);
  EXPECT_EQ(drv().disable_slot(a), x::kCcSuccess);
  EXPECT_EQ(drv().enable_slot(&cc), a);
  expect_alive();
}

TEST_F(XhciBadInputTest, CommandsInTheWrongStateAreContextStateErrors) {
  start();
  drv().reset_port(kPort);
  // BSR = 1: the slot stays Default (no SET_ADDRESS on the bus).
  XhciDriver::Device& d = drv().enable_and_address(kPort, /*bsr=*/true);
  EXPECT_EQ(drv().slot_state(d), x::kSlotDefault);
  EXPECT_EQ(hid_.address, 0);
  EXPECT_FALSE(hid_.last_request(5));
  // Configure Endpoint needs Addressed or Configured (4.6.6).
  EXPECT_EQ(drv().configure_interrupt_in(d, 0x81, 8, 10), x::kCcContextState);
  // Reset Device of a Default slot (4.6.11).
  EXPECT_EQ(cmd(x::kResetDevice, d.slot), x::kCcContextState);
  // Now address it for real (allowed from Default), then not again.
  EXPECT_EQ(drv().address_device(d, false), x::kCcSuccess);
  EXPECT_EQ(drv().slot_state(d), x::kSlotAddressed);
  EXPECT_EQ(hid_.address, drv().usb_address(d));
  EXPECT_EQ(drv().address_device(d, false), x::kCcContextState);
  // Reset Endpoint needs Halted, Set TR Dequeue needs Stopped or Error.
  EXPECT_EQ(drv().ep_state(d, 1), x::kEpRunning);
  EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, 1u << 16), x::kCcContextState);
  auto& ring = *d.endpoints.at(1).ring;
  EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, ring.enqueue_address() | 1, 1u << 16),
            x::kCcContextState);
  // Stop Endpoint on a Running endpoint leaves it Stopped; a doorbell restarts it.
  EXPECT_EQ(cmd(x::kStopEndpoint, d.slot, 0, 1u << 16), x::kCcSuccess);
  EXPECT_EQ(drv().ep_state(d, 1), x::kEpStopped);
  EXPECT_EQ(drv().read_device_descriptor(d), hid_.device_descriptor);
  expect_alive();
}

TEST_F(XhciBadInputTest, BadInputContextsAreRejected) {
  start();
  drv().reset_port(kPort);
  unsigned slot = drv().enable_slot();
  ASSERT_NE(slot, 0u);
  uint64_t out = rig_.arena().alloc(32 * 32, 64);
  rig_.memory().write_le<uint64_t>(drv().dcbaa() + 8 * slot, out);
  uint64_t input = rig_.arena().alloc(33 * 32, 64);
  auto fill = [&](uint32_t add, unsigned port, unsigned ep_type) {
    std::vector<uint8_t> zero(33 * 32);
    rig_.memory().write(input, zero);
    rig_.memory().write_le<uint32_t>(input + 4, add);
    rig_.memory().write_le<uint32_t>(input + 32, (1u << 27) | (x::kSpeedFull << 20));
    rig_.memory().write_le<uint32_t>(input + 36, port << 16);
    uint64_t ring = rig_.arena().alloc(64 * 16, 64);
    rig_.memory().write_le<uint32_t>(input + 64 + 4, (3u << 1) | (ep_type << 3) | (64u << 16));
    rig_.memory().write_le<uint64_t>(input + 64 + 8, ring | 1);
  };
  auto rejected = [](unsigned cc) {
    return cc == x::kCcParameter || cc == x::kCcTrbError || cc == x::kCcTransaction ||
           cc == x::kCcContextState;
  };
  // Add flags other than A0|A1.
  fill(0b01, kPort, x::kEpControl);
  EXPECT_TRUE(rejected(cmd(x::kAddressDevice, slot, input)));
  // Root hub port 0, beyond MaxPorts, or a port without a device.
  for (unsigned port : {0u, 9u, 200u, 7u}) {
    fill(0b11, port, x::kEpControl);
    unsigned cc = cmd(x::kAddressDevice, slot, input);
    EXPECT_TRUE(rejected(cc)) << "port " << port << " cc " << cc;
  }
  // None of those may have enabled the device.
  EXPECT_EQ(hid_.address, 0);
  // Input context pointer outside RAM: HSE, or a completion that is not a success.
  uint64_t at = drv().queue_command(XhciDriver::command_trb(x::kAddressDevice, slot, kNowhere));
  drv().ring_doorbell(0, 0);
  if (drv().usbsts() & (x::kStsHse | x::kStsHce)) {
    expect_fatal_then_recover();
    return;
  }
  EXPECT_NE(drv().wait_command(at).completion_code(), x::kCcSuccess);
  // A good context still works on the same slot.
  fill(0b11, kPort, x::kEpControl);
  EXPECT_EQ(cmd(x::kAddressDevice, slot, input), x::kCcSuccess);
  EXPECT_NE(hid_.address, 0);
  expect_alive();
}

TEST_F(XhciBadInputTest, DeviceContextOutsideRamIsNotASuccess) {
  start();
  drv().reset_port(kPort);
  unsigned slot = drv().enable_slot();
  ASSERT_NE(slot, 0u);
  rig_.memory().write_le<uint64_t>(drv().dcbaa() + 8 * slot, kNowhere);
  uint64_t input = rig_.arena().alloc(33 * 32, 64);
  std::vector<uint8_t> zero(33 * 32);
  rig_.memory().write(input, zero);
  rig_.memory().write_le<uint32_t>(input + 4, 0b11);
  rig_.memory().write_le<uint32_t>(input + 32, (1u << 27) | (x::kSpeedFull << 20));
  rig_.memory().write_le<uint32_t>(input + 36, kPort << 16);
  uint64_t ring = rig_.arena().alloc(64 * 16, 64);
  rig_.memory().write_le<uint32_t>(input + 64 + 4, (3u << 1) | (x::kEpControl << 3) | (64u << 16));
  rig_.memory().write_le<uint64_t>(input + 64 + 8, ring | 1);
  uint64_t at = drv().queue_command(XhciDriver::command_trb(x::kAddressDevice, slot, input));
  drv().ring_doorbell(0, 0);
  if (drv().usbsts() & (x::kStsHse | x::kStsHce)) {
    expect_fatal_then_recover();
    return;
  }
  EXPECT_NE(drv().wait_command(at).completion_code(), x::kCcSuccess);
  expect_alive();
}

TEST_F(XhciBadInputTest, CommandRingOutsideRamIsAHostSystemError) {
  start();
  drv().set_op64(x::kCrcr, kNowhere | x::kCrcrRcs);
  drv().ring_doorbell(0, 0);
  expect_fatal_then_recover();
}

TEST_F(XhciBadInputTest, EventRingTableOutsideRam) {
  start();
  drv().set_erstba(0, kNowhere);
  uint64_t at = drv().queue_command(XhciDriver::command_trb(x::kNoOpCommand));
  (void)at;
  drv().ring_doorbell(0, 0);
  expect_fatal_then_recover();
}

TEST_F(XhciBadInputTest, EventRingSegmentSizeOutOfRangeIsHce) {
  start();
  // Spec 8.2: segments of 16..4096 TRBs only.
  uint64_t erst = rig_.arena().alloc(64, 64);
  uint64_t seg = rig_.arena().alloc(16 * 8, 64);
  rig_.memory().write_le<uint64_t>(erst, seg);
  rig_.memory().write_le<uint32_t>(erst + 8, 8);
  drv().set_erstsz(0, 1);
  drv().set_erstba(0, erst);
  drv().queue_command(XhciDriver::command_trb(x::kNoOpCommand));
  drv().ring_doorbell(0, 0);
  EXPECT_TRUE(drv().usbsts() & x::kStsHce);
  // Nothing was written into the undersized segment.
  for (unsigned i = 0; i < 8; ++i)
    EXPECT_EQ(rig_.memory().read_le<uint32_t>(seg + 16 * i + 12).value_or(1), 0u);
  expect_fatal_then_recover();
}

TEST_F(XhciBadInputTest, TransferRingOutsideRam) {
  start();
  XhciDriver::Device& d = configured();
  // Stop the interrupt endpoint and point it into nothing.
  EXPECT_EQ(cmd(x::kStopEndpoint, d.slot, 0, kIntDci << 16), x::kCcSuccess);
  EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, kNowhere | 1, kIntDci << 16), x::kCcSuccess);
  drv().ring_doorbell(d.slot, kIntDci);
  hid_.push_report({1, 2, 3, 4, 5, 6, 7, 8});
  expect_fatal_then_recover();
}

TEST_F(XhciBadInputTest, BadTrbTypeOnATransferRingIsATrbError) {
  start();
  drv().reset_port(kPort);
  XhciDriver::Device& d = drv().enable_and_address(kPort);
  drv().read_device_descriptor(d);
  auto& ring = *d.endpoints.at(1).ring;
  for (unsigned type : {unsigned{x::kEnableSlot}, 63u, unsigned{x::kTransferEvent}}) {
    uint64_t bad = ring.push({0, 0, (type << 10) | x::kTrbIoc});
    drv().ring_doorbell(d.slot, 1);
    Trb e = drv().wait_event(
        0, [&](const Trb& t) { return t.type() == x::kTransferEvent && t.parameter == bad; },
        "TRB Error event");
    EXPECT_EQ(e.completion_code(), x::kCcTrbError) << type;
    EXPECT_EQ(e.slot_id(), d.slot);
    EXPECT_EQ(e.endpoint_id(), 1u);
    if (drv().ep_state(d, 1) == x::kEpHalted) {
      EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, 1u << 16), x::kCcSuccess);
      EXPECT_EQ(
          cmd(x::kSetTrDequeue, d.slot, ring.enqueue_address() | (ring.cycle() ? 1 : 0), 1u << 16),
          x::kCcSuccess);
    }
    EXPECT_EQ(drv().get_descriptor(d, 1, 0, 18), hid_.device_descriptor);
  }
  expect_alive();
}

TEST_F(XhciBadInputTest, LinkTrbLoopsDoNotHang) {
  start();
  XhciDriver::Device& d = configured();
  // EP0: a Link TRB to itself without Toggle Cycle; then two that point at
  // each other. The doorbell must return.
  auto& ring = *d.endpoints.at(1).ring;
  uint64_t self = ring.enqueue_address();
  ring.push({self, 0, x::kLink << 10});
  drv().ring_doorbell(d.slot, 1);
  rig_.timers().advance(10'000'000);
  // If the controller reports the loop, it is a TRB Error naming the Link TRB.
  auto reported = [&](uint64_t at) {
    auto e = drv().take_event(
        0, [&](const Trb& t) { return t.type() == x::kTransferEvent && t.parameter == at; });
    if (e) {
      EXPECT_EQ(e->completion_code(), x::kCcTrbError) << e->describe();
    }
  };
  reported(self);
  // The interrupt endpoint: a two-Link cycle in a fresh segment.
  uint64_t a = rig_.arena().alloc(32, 64), b = a + 16;
  test::write_trb(rig_.memory(), a, {b, 0, (x::kLink << 10) | 1});
  test::write_trb(rig_.memory(), b, {a, 0, (x::kLink << 10) | 1});
  EXPECT_EQ(cmd(x::kStopEndpoint, d.slot, 0, kIntDci << 16), x::kCcSuccess);
  EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, a | 1, kIntDci << 16), x::kCcSuccess);
  drv().ring_doorbell(d.slot, kIntDci);
  hid_.push_report({1, 2, 3, 4, 5, 6, 7, 8});
  rig_.timers().advance(10'000'000);
  reported(a);
  reported(b);
  if (drv().usbsts() & (x::kStsHse | x::kStsHce)) {
    expect_fatal_then_recover();
    return;
  }
  // Recovery without a reset: stop both endpoints, give them fresh rings.
  unsigned cc = cmd(x::kStopEndpoint, d.slot, 0, 1u << 16);
  EXPECT_TRUE(cc == x::kCcSuccess || cc == x::kCcContextState) << cc;
  if (drv().ep_state(d, 1) == x::kEpHalted) {
    EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, 1u << 16), x::kCcSuccess);
  }
  d.endpoints.at(1).ring = std::make_unique<TrbRing>(rig_.memory(), rig_.arena(), 32);
  EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, d.endpoints.at(1).ring->base() | 1, 1u << 16),
            x::kCcSuccess);
  EXPECT_EQ(drv().get_descriptor(d, 1, 0, 18), hid_.device_descriptor);
  cc = cmd(x::kStopEndpoint, d.slot, 0, kIntDci << 16);
  EXPECT_TRUE(cc == x::kCcSuccess || cc == x::kCcContextState) << cc;
  if (drv().ep_state(d, kIntDci) == x::kEpHalted) {
    EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, kIntDci << 16), x::kCcSuccess);
  }
  auto& ep = d.endpoints.at(kIntDci);
  ep.ring = std::make_unique<TrbRing>(rig_.memory(), rig_.arena(), 32);
  EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, ep.ring->base() | 1, kIntDci << 16), x::kCcSuccess);
  uint64_t buf = rig_.arena().alloc(8, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report({9, 8, 7, 6, 5, 4, 3, 2});
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_TRUE(e.completion_code() == x::kCcSuccess) << e.describe();
  expect_alive();
}

TEST_F(XhciBadInputTest, CommandRingLinkLoopDoesNotHang) {
  start();
  auto& ring = drv().command_ring();
  uint64_t self = ring.enqueue_address();
  ring.push({self, 0, x::kLink << 10});
  drv().ring_doorbell(0, 0);
  rig_.timers().advance(10'000'000);
  // HCRST recovers whatever state the ring left.
  rig_.start();
  expect_alive();
}

TEST_F(XhciBadInputTest, BabbleHaltsTheEndpointUntilReset) {
  start();
  XhciDriver::Device& d = configured();
  uint64_t buf = rig_.arena().alloc(16, 64);
  rig_.memory().write_le<uint64_t>(buf + 8, 0xAAAA'AAAA'AAAA'AAAAull);
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report(std::vector<uint8_t>(12, 0x55));  // more than the TRB takes
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.completion_code(), x::kCcBabble);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpHalted);
  // Nothing was written past the 8-byte buffer.
  EXPECT_EQ(rig_.memory().read_le<uint64_t>(buf + 8).value(), 0xAAAA'AAAA'AAAA'AAAAull);
  // A halted endpoint ignores its doorbell.
  uint64_t next = drv().queue_normal(d, kIntDci, buf, 8);
  hid_.push_report({1, 1, 1, 1, 1, 1, 1, 1});
  EXPECT_FALSE(drv().take_event(0, [&](const Trb& t) { return t.parameter == next; }));
  EXPECT_EQ(hid_.queued(), 1u);
  // Reset Endpoint -> Stopped; Set TR Dequeue to the pending TRB; doorbell.
  EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, kIntDci << 16), x::kCcSuccess);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpStopped);
  auto& ring = *d.endpoints.at(kIntDci).ring;
  EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, next | (ring.cycle() ? 1 : 0), kIntDci << 16),
            x::kCcSuccess);
  drv().ring_doorbell(d.slot, kIntDci);
  e = drv().wait_transfer(d, next, 0);
  EXPECT_EQ(e.completion_code(), x::kCcSuccess);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpRunning);
  expect_alive();
}

TEST_F(XhciBadInputTest, StallOnTheInterruptEndpoint) {
  start();
  XhciDriver::Device& d = configured();
  uint64_t buf = rig_.arena().alloc(8, 64);
  hid_.stall_next = true;
  uint64_t trb = drv().queue_normal(d, kIntDci, buf, 8);
  Trb e = drv().wait_transfer(d, trb, 0);
  EXPECT_EQ(e.completion_code(), x::kCcStall);
  EXPECT_EQ(drv().ep_state(d, kIntDci), x::kEpHalted);
  EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, kIntDci << 16), x::kCcSuccess);
  expect_alive();
}

TEST_F(XhciBadInputTest, OversizedAndOutOfRamBuffers) {
  start();
  XhciDriver::Device& d = configured();
  // A TRB Transfer Length above 64 KiB (6.4.1.1): a TRB Error, or at most the
  // device's 8 bytes moved with the rest as residue.
  uint64_t big = rig_.arena().alloc(0x20000, 64);
  uint64_t trb = drv().queue_normal(d, kIntDci, big, 0x1FFFF);
  hid_.push_report({1, 2, 3, 4, 5, 6, 7, 8});
  Trb e = drv().wait_transfer(d, trb, 0);
  if (e.completion_code() == x::kCcShortPacket) {
    EXPECT_EQ(e.transfer_length(), 0x1FFFFu - 8);
  } else {
    EXPECT_EQ(e.completion_code(), x::kCcTrbError) << e.describe();
    if (drv().ep_state(d, kIntDci) == x::kEpHalted) {
      EXPECT_EQ(cmd(x::kResetEndpoint, d.slot, 0, kIntDci << 16), x::kCcSuccess);
      auto& ring = *d.endpoints.at(kIntDci).ring;
      EXPECT_EQ(cmd(x::kSetTrDequeue, d.slot, ring.enqueue_address() | (ring.cycle() ? 1 : 0),
                    kIntDci << 16),
                x::kCcSuccess);
    }
  }
  // A buffer that runs off the end of RAM: the DMA fails (HSE), or the TD
  // ends in an error; RAM below the end keeps its bytes only up to the edge.
  trb = drv().queue_normal(d, kIntDci, rig_.ram_end() - 4, 8);
  hid_.push_report({1, 2, 3, 4, 5, 6, 7, 8});
  if (drv().usbsts() & (x::kStsHse | x::kStsHce)) {
    expect_fatal_then_recover();
    return;
  }
  e = drv().wait_transfer(d, trb, 0);
  EXPECT_TRUE(e.completion_code() == x::kCcDataBuffer || e.completion_code() == x::kCcTrbError)
      << e.describe();
  expect_alive();
}

// Spec 8.2: with ERDP never advanced, a 16-TRB ring takes 14 events, then an
// Event Ring Full Error Host Controller event, then drops events; once the
// driver catches up the next event is delivered.
TEST_F(XhciBadInputTest, FullEventRing) {
  XhciDriver::Options o;
  o.event_ring_trbs = 16;
  start(o);
  std::vector<uint64_t> cmds;
  for (int i = 0; i < 20; ++i)
    cmds.push_back(drv().queue_command(XhciDriver::command_trb(x::kNoOpCommand)));
  drv().ring_doorbell(0, 0);
  auto& ring = drv().event_ring(0);
  for (unsigned i = 0; i < 14; ++i) {
    Trb t = test::read_trb(rig_.memory(), ring.at(i));
    EXPECT_TRUE(t.cycle()) << i;
    EXPECT_EQ(t.type(), x::kCommandCompletion) << i;
    EXPECT_EQ(t.parameter, cmds[i]) << i;
    EXPECT_EQ(t.completion_code(), x::kCcSuccess) << i;
  }
  Trb full = test::read_trb(rig_.memory(), ring.at(14));
  EXPECT_TRUE(full.cycle());
  EXPECT_EQ(full.type(), x::kHostController);
  EXPECT_EQ(full.completion_code(), x::kCcEventRingFull);
  EXPECT_FALSE(test::read_trb(rig_.memory(), ring.at(15)).cycle());
  EXPECT_EQ(drv().service(0), 15u);
  drv().pending(0).clear();
  expect_alive();
  // expect_alive's No-Op took index 15; the next event wraps to index 0
  // with the cycle bit flipped to 0.
  EXPECT_EQ(drv().no_op().completion_code(), x::kCcSuccess);
  EXPECT_FALSE(test::read_trb(rig_.memory(), ring.at(0)).cycle());
}

TEST_F(XhciBadInputTest, GarbageRegisterWritesDoNotBreakIt) {
  start();
  // Reserved and read-only registers, odd sizes, the whole BAR.
  for (uint64_t off = 0; off < 0x4000; off += 4) {
    if (off >= 0x20 && off < 0x40) continue;
    uint64_t gpa = drv().bar() + off;
    bool op = off >= 0x40 && off < 0x1000;
    bool rt = off >= 0x1000 && off < 0x2000;
    // Leave the live registers alone: USBCMD, CRCR, DCBAAP, CONFIG,
    // interrupter 0, the doorbells and MSI-X.
    if (op && (off - 0x40 == x::kUsbCmd || (off - 0x40 >= x::kCrcr && off - 0x40 < 0x3C) ||
               off - 0x40 >= 0x400))
      continue;
    // Runtime: an ERSTSZ other than 1 is HCE by design (spec 8.2).
    if (rt || off >= 0x2000) continue;
    (void)rig_.space().write(gpa, 4, 0xFFFF'FFFF);
  }
  // Narrow accesses to reserved space (xHCI registers are dwords, 5.1).
  (void)rig_.space().write(drv().bar() + 0x81, 1, 0xFF);
  (void)rig_.space().write(drv().bar() + 0x1FFF, 1, 0xFF);
  expect_alive();
}

}  // namespace
}  // namespace vmapple
