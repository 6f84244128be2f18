#pragma once
// One InterpVcpu on 1 MiB of RAM at kRam, for tests that run short programs
// through the real run loop and look at its exits.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "base/irq_line.h"
#include "base/manual_timers.h"
#include "cpu/arm64/cpu_cluster.h"
#include "cpu/arm64/interp_vcpu.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64::test {

class VcpuFixture : public ::testing::Test {
 public:
  static constexpr uint64_t kRam = 0x4000'0000;

 protected:
  VcpuFixture() {
    ram_.add_region("ram", kRam, 1 << 20);
    cluster_ = std::make_unique<CpuCluster>(ram_, clock_);
    cpu_ = std::make_unique<InterpVcpu>(*cluster_, 0, vtimer_, ptimer_);
  }

  // Writes `code` at kRam and points the vCPU at it, VBAR at kRam + 0x800.
  void load(const std::vector<uint32_t>& code) {
    for (size_t i = 0; i < code.size(); ++i)
      ram_.write_le<uint32_t>(kRam + 4 * i, code[i]);
    cpu_->set_reg(Reg::kPc, kRam);
    cpu_->core().sys.vbar = kRam + 0x800;
  }
  uint64_t x(unsigned n) { return cpu_->reg(xreg(n)); }

  GuestMemory ram_;
  ManualClock clock_;
  LatchIrqLine vtimer_, ptimer_;
  std::unique_ptr<CpuCluster> cluster_;
  std::unique_ptr<InterpVcpu> cpu_;
};

}  // namespace vmapple::arm64::test
