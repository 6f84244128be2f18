#pragma once
// What the vCPUs of one VM share: guest RAM, the pre-decoded code, the clock,
// and the broadcast machinery of the inner-shareable domain (TLBI ...IS,
// SEV). Each vCPU registers itself; the cluster never starts threads.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "base/clock.h"
#include "cpu/arm64/decode_cache.h"
#include "memory/guest_memory.h"

namespace vmapple::arm64 {

class InterpVcpu;

class CpuCluster {
 public:
  CpuCluster(const GuestMemory& ram, const Clock& clock);

  const GuestMemory& ram() const { return ram_; }
  const Clock& clock() const { return clock_; }
  DecodeCache& code() { return code_; }

  void add(InterpVcpu* vcpu);
  const std::vector<InterpVcpu*>& vcpus() const { return vcpus_; }

  // TLBI ...IS: every vCPU other than `issuer` flushes its whole TLB at its
  // next block boundary (or at once when not running); over-invalidation is
  // allowed by the architecture. Returns the generation to wait for.
  uint64_t broadcast_tlb_flush();
  uint64_t tlb_generation() const { return tlb_generation_.load(std::memory_order_acquire); }

  // SEV: sets every vCPU's event register and wakes WFE waiters.
  void send_event();

 private:
  const GuestMemory& ram_;
  const Clock& clock_;
  DecodeCache code_;
  std::vector<InterpVcpu*> vcpus_;
  std::atomic<uint64_t> tlb_generation_{0};
};

}  // namespace vmapple::arm64
