// The TRB ring consumer (cycle state, Link TRBs, loop bound) and the event
// ring producer (segment table checks, cycle bit, full rules of spec 8.2).
#include <gtest/gtest.h>

#include "hw/usb/xhci/event_ring.h"
#include "hw/usb/xhci/ring.h"

namespace vmapple::usb::xhci {
namespace {

constexpr uint64_t kRam = 0x8000'0000;
constexpr uint64_t kSize = 0x10000;

class XhciRingTest : public ::testing::Test {
 protected:
  XhciRingTest() { memory.add_region("ram", kRam, kSize); }
  void put(uint64_t at, uint64_t parameter, uint32_t status, uint32_t control) {
    memory.write_le<uint64_t>(at, parameter);
    memory.write_le<uint32_t>(at + 8, status);
    memory.write_le<uint32_t>(at + 12, control);
  }
  Trb get(uint64_t at) {
    Trb t;
    EXPECT_TRUE(TrbRing::read_trb(memory, at, t));
    return t;
  }
  static uint32_t type(unsigned t, bool cycle) { return t << 10 | (cycle ? 1u : 0u); }
  GuestMemory memory;
};

TEST_F(XhciRingTest, ConsumesTrbsWhoseCycleMatchesAndStopsAtTheFirstThatDoesNot) {
  put(kRam, 0x1111, 1, type(kTrbNormal, true));
  put(kRam + 16, 0x2222, 2, type(kTrbNoOp, true));
  put(kRam + 32, 0x3333, 3, type(kTrbNormal, false));
  TrbRing ring(kRam, true);
  auto a = ring.next(memory);
  ASSERT_EQ(a.status, TrbRing::Status::kTrb);
  EXPECT_EQ(a.address, kRam);
  EXPECT_EQ(a.trb.parameter, 0x1111u);
  auto b = ring.next(memory);
  ASSERT_EQ(b.status, TrbRing::Status::kTrb);
  EXPECT_EQ(b.trb.type(), unsigned{kTrbNoOp});
  auto c = ring.next(memory);
  EXPECT_EQ(c.status, TrbRing::Status::kEmpty);
  EXPECT_EQ(ring.dequeue(), kRam + 32);  // stays at the producer's TRB
  put(kRam + 32, 0x3333, 3, type(kTrbNormal, true));
  EXPECT_EQ(ring.next(memory).trb.parameter, 0x3333u);
}

TEST_F(XhciRingTest, LinkTrbWithToggleCycleFlipsTheConsumerCycleState) {
  put(kRam, 1, 0, type(kTrbNormal, true));
  put(kRam + 16, kRam, 0, type(kTrbLink, true) | 2);  // back to the start, TC
  TrbRing ring(kRam, true);
  EXPECT_EQ(ring.next(memory).status, TrbRing::Status::kTrb);
  // The old TRB at kRam has cycle 1 but the ring now expects 0.
  EXPECT_EQ(ring.next(memory).status, TrbRing::Status::kEmpty);
  EXPECT_EQ(ring.dequeue(), kRam);
  EXPECT_FALSE(ring.cycle());
  put(kRam, 7, 0, type(kTrbNormal, false));
  auto f = ring.next(memory);
  ASSERT_EQ(f.status, TrbRing::Status::kTrb);
  EXPECT_EQ(f.trb.parameter, 7u);
}

TEST_F(XhciRingTest, LinkTrbWithoutToggleKeepsTheCycleAndFollowsToAnotherSegment) {
  put(kRam, kRam + 0x1000 + 5, 0, type(kTrbLink, true));  // low bits of the pointer ignored
  put(kRam + 0x1000, 9, 0, type(kTrbNormal, true));
  TrbRing ring(kRam, true);
  auto f = ring.next(memory);
  ASSERT_EQ(f.status, TrbRing::Status::kTrb);
  EXPECT_EQ(f.address, kRam + 0x1000);
  EXPECT_TRUE(ring.cycle());
}

TEST_F(XhciRingTest, AnEndlessChainOfLinkTrbsIsReportedNotFollowedForever) {
  put(kRam, kRam, 0, type(kTrbLink, true));  // links to itself, no toggle
  TrbRing ring(kRam, true);
  auto f = ring.next(memory);
  EXPECT_EQ(f.status, TrbRing::Status::kLinkLoop);
  // Two links pointing at each other, too.
  put(kRam + 0x100, kRam + 0x200, 0, type(kTrbLink, true));
  put(kRam + 0x200, kRam + 0x100, 0, type(kTrbLink, true));
  TrbRing pair(kRam + 0x100, true);
  EXPECT_EQ(pair.next(memory).status, TrbRing::Status::kLinkLoop);
}

TEST_F(XhciRingTest, ADequeuePointerOrLinkTargetOutsideRamIsABadAddress) {
  TrbRing outside(0x1000, true);
  EXPECT_EQ(outside.next(memory).status, TrbRing::Status::kBadAddress);
  put(kRam, 0xFFFF'FFFF'FFFF'FFF0ull, 0, type(kTrbLink, true));
  TrbRing ring(kRam, true);
  auto f = ring.next(memory);
  EXPECT_EQ(f.status, TrbRing::Status::kBadAddress);
  EXPECT_EQ(f.address, 0xFFFF'FFFF'FFFF'FFF0ull);
  // A pointer is 16-byte aligned (low bits dropped); just past RAM is outside.
  TrbRing last(kRam + kSize - 8, true);
  EXPECT_EQ(last.dequeue(), kRam + kSize - 16);
  EXPECT_NE(last.next(memory).status, TrbRing::Status::kBadAddress);
  TrbRing past(kRam + kSize, true);
  EXPECT_EQ(past.next(memory).status, TrbRing::Status::kBadAddress);
}

// ---- event ring ----

constexpr uint64_t kErst = kRam + 0x100;
constexpr uint64_t kSegment = kRam + 0x1000;

void write_erst(GuestMemory& m, uint64_t base, uint32_t size) {
  m.write_le<uint64_t>(kErst, base);
  m.write_le<uint32_t>(kErst + 8, size);
}

TEST_F(XhciRingTest, EventRingSetupAcceptsOnlyOneSegmentOf16To4096Trbs) {
  EventRing ring;
  write_erst(memory, kSegment, 16);
  EXPECT_EQ(ring.setup(memory, 0, kErst), EventRing::Setup::kDisabled);
  EXPECT_EQ(ring.setup(memory, 1, 0), EventRing::Setup::kDisabled);
  EXPECT_EQ(ring.setup(memory, 2, kErst), EventRing::Setup::kBadSize);
  EXPECT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kOk);
  EXPECT_TRUE(ring.enabled());
  write_erst(memory, kSegment, 15);
  EXPECT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kBadSize);
  EXPECT_FALSE(ring.enabled());
  write_erst(memory, kSegment, 4097);
  EXPECT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kBadSize);
  write_erst(memory, kSegment, 4096);
  EXPECT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kBadAddress);  // 64 KiB > RAM left
  write_erst(memory, 0x10'0000, 16);
  EXPECT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kBadAddress);
  EXPECT_EQ(ring.setup(memory, 1, 0x2000), EventRing::Setup::kBadAddress);  // table outside
}

TEST_F(XhciRingTest, EventsCarryTheProducerCycleWhichTogglesOnEveryWrap) {
  EventRing ring;
  write_erst(memory, kSegment, 16);
  ASSERT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kOk);
  uint64_t erdp = kSegment;
  for (unsigned n = 0; n < 40; ++n) {
    Trb e = make_event(kTrbPortStatusChangeEvent, uint64_t{n} << 24, kCcSuccess);
    ASSERT_EQ(ring.write(memory, e, erdp), EventRing::Result::kWritten) << n;
    uint64_t at = kSegment + 16 * (n % 16);
    Trb got = get(at);
    EXPECT_EQ(got.parameter, uint64_t{n} << 24);
    EXPECT_EQ(got.type(), unsigned{kTrbPortStatusChangeEvent});
    EXPECT_EQ(got.cycle(), (n / 16) % 2 == 0) << n;
    erdp = kSegment + 16 * ((n + 1) % 16);  // the consumer keeps up
  }
}

TEST_F(XhciRingTest, FullRingWritesEventRingFullThenDropsEvents) {
  EventRing ring;
  write_erst(memory, kSegment, 16);
  ASSERT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kOk);
  const uint64_t erdp = kSegment;  // the consumer never moves
  Trb e = make_event(kTrbPortStatusChangeEvent, 0, kCcSuccess);
  for (unsigned n = 0; n < 14; ++n)
    ASSERT_EQ(ring.write(memory, e, erdp), EventRing::Result::kWritten) << n;
  // Enqueue index 14: 14 + 2 == 16 == 0 (mod 16) == dequeue.
  EXPECT_EQ(ring.write(memory, e, erdp), EventRing::Result::kFullWritten);
  Trb full = get(kSegment + 14 * 16);
  EXPECT_EQ(full.type(), unsigned{kTrbHostControllerEvent});
  EXPECT_EQ(full.status >> 24, unsigned{kCcEventRingFull});
  EXPECT_TRUE(full.cycle());
  // Enqueue index 15: plus 1 is the dequeue index: dropped, nothing written.
  memory.write_le<uint32_t>(kSegment + 15 * 16 + 12, 0);
  EXPECT_EQ(ring.write(memory, e, erdp), EventRing::Result::kDropped);
  EXPECT_EQ(get(kSegment + 15 * 16).control, 0u);
  EXPECT_EQ(ring.enqueue_pointer(), kSegment + 15 * 16);
  // Once the consumer catches up, events flow again.
  EXPECT_EQ(ring.write(memory, e, kSegment + 15 * 16 - 16 * 5), EventRing::Result::kWritten);
}

TEST_F(XhciRingTest, DequeuePointerOutsideTheSegmentIsReported) {
  EventRing ring;
  write_erst(memory, kSegment, 16);
  ASSERT_EQ(ring.setup(memory, 1, kErst), EventRing::Setup::kOk);
  Trb e = make_event(kTrbPortStatusChangeEvent, 0, kCcSuccess);
  EXPECT_EQ(ring.write(memory, e, kSegment + 16 * 16), EventRing::Result::kBadDequeue);
  EXPECT_EQ(ring.write(memory, e, kSegment - 16), EventRing::Result::kBadDequeue);
  EXPECT_EQ(ring.write(memory, e, kSegment + 5 * 16 + 0xF), EventRing::Result::kWritten);
  EXPECT_TRUE(ring.has_events(kSegment));
  EXPECT_FALSE(ring.has_events(kSegment + 16));
  EventRing none;
  EXPECT_EQ(none.write(memory, e, 0), EventRing::Result::kDisabled);
}

}  // namespace
}  // namespace vmapple::usb::xhci
