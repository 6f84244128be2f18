#include "cpu/arm64/cpu_cluster.h"

#include "cpu/arm64/interp_vcpu.h"

namespace vmapple::arm64 {

CpuCluster::CpuCluster(const GuestMemory& ram, const Clock& clock)
    : ram_(ram), clock_(clock), code_(ram) {}

void CpuCluster::add(InterpVcpu* vcpu) {
  vcpus_.push_back(vcpu);
}

uint64_t CpuCluster::broadcast_tlb_flush() {
  return tlb_generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
}

void CpuCluster::send_event() {
  for (InterpVcpu* v : vcpus_)
    v->signal_event();
}

}  // namespace vmapple::arm64
