// The split virtqueue, with rings laid out in guest RAM as a driver lays them
// out: chains, indirect tables, the used ring, notification suppression in
// both directions, and every malformed-ring path (which must break the queue,
// report a guest error and never read outside what was validated).
#include "hw/virtio/virtqueue.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/log.h"
#include "unit/hw/virtq_driver.h"

namespace vmapple::virtio {
namespace {

using test::DriverBuf;
using test::GuestAllocator;
using test::VirtqDriver;

constexpr uint64_t kRam = 0x4000'0000;
constexpr uint64_t kRamSize = 16 << 20;
constexpr uint64_t kAllFeatures = kFVersion1 | kFRingIndirectDesc | kFRingEventIdx;

class VirtqueueTest : public ::testing::Test {
 protected:
  VirtqueueTest() : alloc_(kRam, kRamSize), vq_(memory_) {
    memory_.add_region("ram", kRam, kRamSize);
    trace::set_sink([this](std::string_view, std::string_view m) { traces_.emplace_back(m); });
  }
  ~VirtqueueTest() override { trace::reset_sink(); }

  VirtqDriver& driver(uint16_t size = 8) {
    drv_ = std::make_unique<VirtqDriver>(memory_, alloc_, size);
    return *drv_;
  }
  void setup(uint64_t features = kAllFeatures, uint16_t max = 256) {
    ASSERT_TRUE(vq_.setup(drv_->state(), features, max));
    ASSERT_TRUE(vq_.active());
  }
  Virtqueue::Pop pop() { return vq_.pop(chain_); }
  // A pop that must break the queue with a guest error.
  void expect_broken() {
    uint64_t errors = trace::guest_error_count();
    EXPECT_EQ(pop(), Virtqueue::Pop::kBroken);
    EXPECT_TRUE(vq_.broken());
    EXPECT_GT(trace::guest_error_count(), errors);
    EXPECT_EQ(pop(), Virtqueue::Pop::kBroken) << "stays broken";
  }

  GuestMemory memory_;
  GuestAllocator alloc_;
  std::unique_ptr<VirtqDriver> drv_;
  Virtqueue vq_;
  Chain chain_;
  std::vector<std::string> traces_;
};

TEST_F(VirtqueueTest, EmptyAndInactive) {
  EXPECT_EQ(pop(), Virtqueue::Pop::kEmpty) << "never set up";
  driver();
  QueueState off = drv_->state();
  off.enabled = false;
  EXPECT_TRUE(vq_.setup(off, kAllFeatures, 256));
  EXPECT_FALSE(vq_.active());
  setup();
  EXPECT_EQ(pop(), Virtqueue::Pop::kEmpty);
  EXPECT_EQ(vq_.size(), 8);
}

TEST_F(VirtqueueTest, DirectChainInOrder) {
  auto& d = driver();
  setup();
  DriverBuf bufs[] = {{kRam + 0x10000, 16, false},
                      {kRam + 0x20000, 4096, true},
                      {kRam + 0x30000, 0, true},  // empty: dropped
                      {kRam + 0x40000, 1, true}};
  uint16_t head = *d.add(bufs);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  EXPECT_EQ(chain_.head, head);
  ASSERT_EQ(chain_.buffers.size(), 3u);
  EXPECT_EQ(chain_.buffers[0].gpa, kRam + 0x10000);
  EXPECT_FALSE(chain_.buffers[0].writable);
  EXPECT_EQ(chain_.buffers[1].len, 4096u);
  EXPECT_TRUE(chain_.buffers[2].writable);
  EXPECT_EQ(chain_.readable_bytes, 16u);
  EXPECT_EQ(chain_.writable_bytes, 4097u);
  EXPECT_FALSE(chain_.misordered);
  EXPECT_EQ(vq_.in_flight(), 1);
  EXPECT_EQ(pop(), Virtqueue::Pop::kEmpty);
}

TEST_F(VirtqueueTest, ReadableAfterWritableIsMisorderedNotBroken) {
  auto& d = driver();
  setup();
  DriverBuf bufs[] = {{kRam + 0x10000, 16, true}, {kRam + 0x20000, 16, false}};
  d.add(bufs);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  EXPECT_TRUE(chain_.misordered);
  EXPECT_FALSE(vq_.broken());
}

TEST_F(VirtqueueTest, PushWritesUsedRingAndIndex) {
  auto& d = driver();
  setup();
  DriverBuf a[] = {{kRam + 0x10000, 16, true}};
  uint16_t h1 = *d.add(a);
  uint16_t h2 = *d.add(a);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  vq_.push(h2, 7);  // out of order is allowed
  vq_.push(h1, 9);
  EXPECT_EQ(d.used_idx(), 2);
  auto u1 = d.get_used();
  auto u2 = d.get_used();
  ASSERT_TRUE(u1 && u2);
  EXPECT_EQ(u1->id, h2);
  EXPECT_EQ(u1->len, 7u);
  EXPECT_EQ(u2->id, h1);
  EXPECT_EQ(u2->len, 9u);
  EXPECT_EQ(vq_.in_flight(), 0);
}

TEST_F(VirtqueueTest, RingIndicesWrapAround) {
  auto& d = driver(4);
  setup();
  DriverBuf a[] = {{kRam + 0x10000, 16, true}};
  for (int i = 0; i < 70000; ++i) {
    uint16_t h = *d.add(a);
    ASSERT_EQ(pop(), Virtqueue::Pop::kChain) << i;
    ASSERT_EQ(chain_.head, h);
    vq_.push(h, 1);
    ASSERT_TRUE(d.get_used());
  }
  EXPECT_EQ(d.used_idx(), static_cast<uint16_t>(70000));
}

TEST_F(VirtqueueTest, IndirectTable) {
  auto& d = driver();
  setup();
  uint64_t table = alloc_.alloc(4 * kDescSize);
  DriverBuf bufs[] = {{kRam + 0x10000, 16, false},
                      {kRam + 0x11000, 512, true},
                      {kRam + 0x12000, 512, true},
                      {kRam + 0x13000, 1, true}};
  uint16_t head = *d.add_indirect(bufs, table);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  EXPECT_EQ(chain_.head, head);
  ASSERT_EQ(chain_.buffers.size(), 4u);
  EXPECT_EQ(chain_.buffers[2].gpa, kRam + 0x12000);
  EXPECT_EQ(chain_.writable_bytes, 1025u);
}

TEST_F(VirtqueueTest, DirectDescriptorsThenIndirect) {
  auto& d = driver();
  setup();
  uint64_t table = alloc_.alloc(2 * kDescSize);
  d.write_table_desc(table, 0, kRam + 0x11000, 512, kDescFWrite | kDescFNext, 1);
  d.write_table_desc(table, 1, kRam + 0x12000, 1, kDescFWrite, 0);
  d.write_desc(0, kRam + 0x10000, 16, kDescFNext, 5);
  d.write_desc(5, table, 2 * kDescSize, kDescFIndirect, 0);
  d.publish(0);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  ASSERT_EQ(chain_.buffers.size(), 3u);
  EXPECT_EQ(chain_.readable_bytes, 16u);
  EXPECT_EQ(chain_.writable_bytes, 513u);
}

TEST_F(VirtqueueTest, IndirectWithoutFeatureBreaks) {
  auto& d = driver();
  setup(kFVersion1);
  uint64_t table = alloc_.alloc(kDescSize);
  DriverBuf bufs[] = {{kRam + 0x10000, 16, true}};
  d.add_indirect(bufs, table);
  expect_broken();
}

TEST_F(VirtqueueTest, NestedIndirectBreaks) {
  auto& d = driver();
  setup();
  uint64_t table = alloc_.alloc(kDescSize);
  d.write_table_desc(table, 0, table, kDescSize, kDescFIndirect, 0);
  d.write_desc(0, table, kDescSize, kDescFIndirect, 0);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, IndirectWithNextBreaks) {
  auto& d = driver();
  setup();
  uint64_t table = alloc_.alloc(kDescSize);
  d.write_table_desc(table, 0, kRam + 0x10000, 1, kDescFWrite, 0);
  d.write_desc(0, table, kDescSize, kDescFIndirect | kDescFNext, 1);
  d.write_desc(1, kRam + 0x10000, 1, kDescFWrite, 0);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, IndirectBadLengthBreaks) {
  for (uint32_t len : {0u, 15u, 17u}) {
    auto& d = driver();
    setup();
    d.write_desc(0, kRam + 0x10000, len, kDescFIndirect, 0);
    d.publish(0);
    expect_broken();
  }
}

TEST_F(VirtqueueTest, IndirectTableOutsideRamBreaks) {
  auto& d = driver();
  setup();
  d.write_desc(0, kRam + kRamSize - 16, 32, kDescFIndirect, 0);  // straddles the end
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, IndirectLoopBreaks) {
  auto& d = driver();
  setup();
  uint64_t table = alloc_.alloc(2 * kDescSize);
  d.write_table_desc(table, 0, kRam + 0x10000, 1, kDescFWrite | kDescFNext, 1);
  d.write_table_desc(table, 1, kRam + 0x10000, 1, kDescFWrite | kDescFNext, 0);
  d.write_desc(0, table, 2 * kDescSize, kDescFIndirect, 0);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, IndirectNextOutOfTableBreaks) {
  auto& d = driver();
  setup();
  uint64_t table = alloc_.alloc(2 * kDescSize);
  d.write_table_desc(table, 0, kRam + 0x10000, 1, kDescFNext, 2);  // table has 2 entries
  d.write_desc(0, table, 2 * kDescSize, kDescFIndirect, 0);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, HeadOutOfRangeBreaks) {
  auto& d = driver();
  setup();
  d.publish(8);
  expect_broken();
}

TEST_F(VirtqueueTest, NextOutOfRangeBreaks) {
  auto& d = driver();
  setup();
  d.write_desc(0, kRam + 0x10000, 16, kDescFNext, 200);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, LoopBreaks) {
  auto& d = driver();
  setup();
  d.write_desc(0, kRam + 0x10000, 16, kDescFNext, 1);
  d.write_desc(1, kRam + 0x10000, 16, kDescFNext, 0);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, ChainLongerThanQueueBreaks) {
  // Nine buffers in a queue of 8: a direct chain of 7 ending in an indirect
  // table of 2 (no loop, each table on its own is legal).
  auto& d = driver(8);
  setup();
  uint64_t table = alloc_.alloc(2 * kDescSize);
  d.write_table_desc(table, 0, kRam + 0x10000, 1, kDescFNext, 1);
  d.write_table_desc(table, 1, kRam + 0x10000, 1, kDescFWrite, 0);
  for (uint16_t i = 0; i < 7; ++i)
    d.write_desc(i, kRam + 0x10000, 1, kDescFNext, static_cast<uint16_t>(i + 1));
  d.write_desc(7, table, 2 * kDescSize, kDescFIndirect, 0);
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, ChainOfExactlyQueueSizeIsFine) {
  auto& d = driver(8);
  setup();
  for (uint16_t i = 0; i < 8; ++i)
    d.write_desc(i, kRam + 0x10000, 1, i < 7 ? kDescFNext : kDescFWrite,
                 static_cast<uint16_t>(i + 1));
  d.publish(0);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  EXPECT_EQ(chain_.buffers.size(), 8u);
}

TEST_F(VirtqueueTest, AvailIndexJumpBreaks) {
  auto& d = driver(8);
  setup();
  d.set_avail_idx(9);
  expect_broken();
}

TEST_F(VirtqueueTest, MoreOutstandingThanQueueSizeBreaks) {
  auto& d = driver(4);
  setup();
  DriverBuf a[] = {{kRam + 0x10000, 1, true}};
  for (int i = 0; i < 4; ++i) {
    d.add(a);
    ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  }
  // A fifth head while the device still holds four: impossible for a real
  // driver, and would let the device's in-flight state grow without bound.
  d.publish(0);
  expect_broken();
}

TEST_F(VirtqueueTest, SetupRejectsBadLayouts) {
  auto& d = driver(8);
  struct Case {
    const char* what;
    QueueState state;
  };
  QueueState good = d.state();
  std::vector<Case> cases;
  auto with = [&](auto fn) {
    QueueState s = good;
    fn(s);
    return s;
  };
  cases.push_back({"size not a power of two", with([](QueueState& s) { s.size = 6; })});
  cases.push_back({"size above the maximum", with([](QueueState& s) { s.size = 512; })});
  cases.push_back({"desc misaligned", with([](QueueState& s) { s.desc += 8; })});
  cases.push_back({"avail misaligned", with([](QueueState& s) { s.driver += 1; })});
  cases.push_back({"used misaligned", with([](QueueState& s) { s.device += 2; })});
  cases.push_back({"desc outside RAM", with([](QueueState& s) { s.desc = 0x1000; })});
  cases.push_back({"used straddles the end of RAM",
                   with([](QueueState& s) { s.device = kRam + kRamSize - 16; })});
  cases.push_back(
      {"avail at the top of the address space", with([](QueueState& s) { s.driver = ~0ull - 1; })});
  for (const auto& c : cases) {
    Virtqueue vq(memory_);
    EXPECT_FALSE(vq.setup(c.state, kAllFeatures, 256)) << c.what;
    EXPECT_TRUE(vq.broken()) << c.what;
    EXPECT_FALSE(vq.active()) << c.what;
    EXPECT_EQ(vq.pop(chain_), Virtqueue::Pop::kBroken) << c.what;
    vq.push(0, 0);  // harmless
    EXPECT_FALSE(vq.should_notify()) << c.what;
  }
}

TEST_F(VirtqueueTest, DescriptorRewrittenAfterPopDoesNotMatter) {
  auto& d = driver();
  setup();
  DriverBuf bufs[] = {{kRam + 0x10000, 16, false}, {kRam + 0x20000, 1, true}};
  uint16_t head = *d.add(bufs);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  d.write_desc(head, 0xdead'0000, 0xFFFF'FFFF, kDescFNext, head);  // too late to matter
  EXPECT_EQ(chain_.buffers[0].gpa, kRam + 0x10000);
}

TEST_F(VirtqueueTest, InterruptSuppressionWithoutEventIdx) {
  auto& d = driver();
  setup(kFVersion1);
  DriverBuf a[] = {{kRam + 0x10000, 1, true}};
  d.add(a);
  d.add(a);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  vq_.push(chain_.head, 1);
  EXPECT_TRUE(vq_.should_notify());
  d.set_avail_flags(kAvailFNoInterrupt);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  vq_.push(chain_.head, 1);
  EXPECT_FALSE(vq_.should_notify());
}

TEST_F(VirtqueueTest, EventIdxInterruptSuppression) {
  auto& d = driver(16);
  setup();
  DriverBuf a[] = {{kRam + 0x10000, 1, true}};
  for (int i = 0; i < 6; ++i)
    d.add(a);
  // The driver wants an interrupt once the used index passes 3 (entry 3 used).
  d.set_used_event(3);
  std::vector<bool> notified;
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
    vq_.push(chain_.head, 1);
    notified.push_back(vq_.should_notify());
  }
  EXPECT_EQ(notified, (std::vector<bool>{false, false, false, true, false, false}));
  // The flag is ignored under EVENT_IDX.
  d.set_avail_flags(kAvailFNoInterrupt);
  d.set_used_event(6);
  d.add(a);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  vq_.push(chain_.head, 1);
  EXPECT_TRUE(vq_.should_notify());
}

TEST_F(VirtqueueTest, EventIdxCrossedInsideABatch) {
  auto& d = driver(16);
  setup();
  DriverBuf a[] = {{kRam + 0x10000, 1, true}};
  for (int i = 0; i < 4; ++i)
    d.add(a);
  d.set_used_event(1);
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
    vq_.push(chain_.head, 1);
  }
  EXPECT_TRUE(vq_.should_notify()) << "used_event 1 lies in [0, 4)";
  EXPECT_FALSE(vq_.should_notify()) << "nothing new since";
}

TEST_F(VirtqueueTest, DeviceNotificationSuppression) {
  auto& d = driver();
  setup(kFVersion1);
  vq_.disable_notifications();
  EXPECT_EQ(d.used_flags(), kUsedFNoNotify);
  EXPECT_FALSE(vq_.enable_notifications());
  EXPECT_EQ(d.used_flags(), 0);
  DriverBuf a[] = {{kRam + 0x10000, 1, true}};
  d.add(a);
  EXPECT_TRUE(vq_.enable_notifications()) << "a chain arrived meanwhile";
}

TEST_F(VirtqueueTest, EventIdxAvailEvent) {
  auto& d = driver();
  setup();
  DriverBuf a[] = {{kRam + 0x10000, 1, true}};
  d.add(a);
  d.add(a);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  ASSERT_EQ(pop(), Virtqueue::Pop::kChain);
  vq_.disable_notifications();
  EXPECT_EQ(d.used_flags(), 0) << "flags unused under EVENT_IDX";
  EXPECT_FALSE(vq_.enable_notifications());
  EXPECT_EQ(d.avail_event(), 2) << "notify me when you add entry 2";
}

}  // namespace
}  // namespace vmapple::virtio
