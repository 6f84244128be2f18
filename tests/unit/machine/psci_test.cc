// PSCI 1.1 as Linux's drivers/firmware/psci uses it: every call decoded
// from x0..x3, the return codes of the spec (DEN0022), and what reaches the
// platform.
#include "machine/psci.h"

#include <gtest/gtest.h>

#include <vector>

#include "base/log.h"

namespace vmapple {
namespace {

class FakePlatform : public PsciPlatform {
 public:
  explicit FakePlatform(unsigned cpus) : states(cpus, CpuPowerState::kOff) {
    states[0] = CpuPowerState::kOn;
  }
  unsigned cpu_count() const override { return static_cast<unsigned>(states.size()); }
  uint64_t cpu_mpidr(unsigned cpu) const override { return (cpu % 16) | uint64_t(cpu / 16) << 8; }
  CpuPowerState cpu_state(unsigned cpu) const override { return states.at(cpu); }
  bool cpu_on(unsigned cpu, uint64_t entry, uint64_t context) override {
    started.push_back({cpu, entry, context});
    states.at(cpu) = CpuPowerState::kOnPending;
    return true;
  }
  bool entry_valid(uint64_t entry) const override {
    return entry >= 0x7000'0000 && entry < 0x8000'0000 && (entry & 3) == 0;
  }
  void cpu_off(unsigned self) override { offs.push_back(self); }
  void cpu_suspend(unsigned) override { ++suspends; }
  void system_off() override { ++system_offs; }
  void system_reset() override { ++resets; }

  struct Start {
    unsigned cpu;
    uint64_t entry, context;
  };
  std::vector<CpuPowerState> states;
  std::vector<Start> started;
  std::vector<unsigned> offs;
  int suspends = 0, system_offs = 0, resets = 0;
};

class PsciTest : public ::testing::Test {
 protected:
  int64_t call(uint64_t fn, uint64_t a = 0, uint64_t b = 0, uint64_t c = 0, unsigned caller = 0) {
    const uint64_t x[4] = {fn, a, b, c};
    return psci_.call(caller, x);
  }
  FakePlatform platform_{18};
  Psci psci_{platform_};
};

TEST_F(PsciTest, VersionIs1_1) {
  EXPECT_EQ(call(0x84000000), 0x10001);
  // The upper 32 bits of x0 are ignored (SMC32 function IDs).
  EXPECT_EQ(call(0xffffffff'84000000), 0x10001);
}

TEST_F(PsciTest, FeaturesListsWhatIsImplemented) {
  for (uint32_t fn : {0x84000000u, 0x84000002u, 0x84000003u, 0xc4000003u, 0x84000004u, 0xc4000004u,
                      0x84000006u, 0x84000008u, 0x84000009u, 0x8400000au})
    EXPECT_EQ(call(0x8400000a, fn), 0) << std::hex << fn;
  // CPU_SUSPEND: flags 0 = original power_state format, platform-coordinated.
  EXPECT_EQ(call(0x8400000a, 0xc4000001), 0);
  // Not implemented: MIGRATE, SYSTEM_RESET2, SYSTEM_SUSPEND, SMCCC_VERSION, junk.
  for (uint32_t fn : {0x84000005u, 0xc4000012u, 0xc400000eu, 0x80000000u, 0x12345678u})
    EXPECT_EQ(call(0x8400000a, fn), -1) << std::hex << fn;
}

TEST_F(PsciTest, CpuOnStartsAnOffCpuWithItsContext) {
  // CPU 17: Aff1 = 1, Aff0 = 1.
  EXPECT_EQ(call(0xc4000003, 0x101, 0x7000'1000, 0xdead'beef'0000), 0);
  ASSERT_EQ(platform_.started.size(), 1u);
  EXPECT_EQ(platform_.started[0].cpu, 17u);
  EXPECT_EQ(platform_.started[0].entry, 0x7000'1000u);
  EXPECT_EQ(platform_.started[0].context, 0xdead'beef'0000u);
  // Now pending, then on.
  EXPECT_EQ(call(0xc4000003, 0x101, 0x7000'1000, 0), -5);  // ON_PENDING
  platform_.states[17] = CpuPowerState::kOn;
  EXPECT_EQ(call(0xc4000003, 0x101, 0x7000'1000, 0), -4);  // ALREADY_ON
  EXPECT_EQ(call(0xc4000003, 0, 0x7000'1000, 0), -4);      // the caller itself
}

TEST_F(PsciTest, CpuOnChecksTargetAndEntry) {
  EXPECT_EQ(call(0xc4000003, 0x102, 0x7000'1000, 0), -2);  // no CPU 18
  EXPECT_EQ(call(0xc4000003, 0x20, 0x7000'1000, 0), -2);   // Aff0 32 does not exist
  EXPECT_EQ(call(0xc4000003, 1, 0x1000, 0), -9);           // INVALID_ADDRESS: not RAM
  EXPECT_EQ(call(0xc4000003, 1, 0x7000'1002, 0), -9);      // misaligned
  // The MPIDR's non-affinity bits (MT, U) do not matter.
  EXPECT_EQ(call(0xc4000003, 0x8000'0001, 0x7000'1000, 0), 0);
  EXPECT_TRUE(platform_.started.size() == 1 && platform_.started[0].cpu == 1);
}

TEST_F(PsciTest, CpuOn32TruncatesItsArguments) {
  EXPECT_EQ(call(0x84000003, 0xffffffff'00000002, 0x1'7000'2000, 0x1'0000'0005), 0);
  ASSERT_EQ(platform_.started.size(), 1u);
  EXPECT_EQ(platform_.started[0].cpu, 2u);
  EXPECT_EQ(platform_.started[0].entry, 0x7000'2000u);
  EXPECT_EQ(platform_.started[0].context, 5u);
}

TEST_F(PsciTest, AffinityInfoReportsPowerStates) {
  platform_.states[3] = CpuPowerState::kOnPending;
  EXPECT_EQ(call(0xc4000004, 0, 0), 0);  // ON
  EXPECT_EQ(call(0xc4000004, 1, 0), 1);  // OFF
  EXPECT_EQ(call(0xc4000004, 3, 0), 2);  // ON_PENDING
  EXPECT_EQ(call(0x84000004, 0x100, 0), 1);
  EXPECT_EQ(call(0xc4000004, 0x102, 0), -2);  // no such CPU
  EXPECT_EQ(call(0xc4000004, 0, 1), -2);      // levels above 0 are not supported
}

TEST_F(PsciTest, PowerCallsReachThePlatform) {
  EXPECT_EQ(call(0x84000006), 2);  // MIGRATE_INFO_TYPE: no trusted OS
  call(0x84000002, 0, 0, 0, 5);    // CPU_OFF from CPU 5
  EXPECT_EQ(platform_.offs, std::vector<unsigned>{5});
  EXPECT_EQ(call(0xc4000001, 0, 0x7000'0000, 0), 0);  // CPU_SUSPEND returns at once
  EXPECT_EQ(platform_.suspends, 1);
  call(0x84000008);
  EXPECT_EQ(platform_.system_offs, 1);
  call(0x84000009);
  EXPECT_EQ(platform_.resets, 1);
}

TEST_F(PsciTest, UnknownFunctionsAreNotSupportedAndTraced) {
  uint64_t errors = trace::guest_error_count();
  EXPECT_EQ(call(0x80000000), -1);  // SMCCC_VERSION: Linux then assumes SMCCC 1.0
  EXPECT_EQ(call(0xc2000000), -1);
  EXPECT_EQ(trace::guest_error_count(), errors + 2);
  EXPECT_TRUE(platform_.started.empty());
  EXPECT_EQ(platform_.resets + platform_.system_offs, 0);
}

}  // namespace
}  // namespace vmapple
