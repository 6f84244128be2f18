#pragma once
// The generic ECAM PCIe host bridge ("GPEX", spec 2.7): the ECAM window
// (offset = bus << 20 | device << 15 | function << 12 | register, 4 KiB per
// function), the root bus with its memory window, the host-bridge function
// at 00:00.0 and the INTx lines. Only bus 0 exists (no bridges): functions
// that do not exist read all-ones and ignore writes.
#include <cstdint>
#include <mutex>
#include <vector>

#include "base/irq_line.h"
#include "hw/device.h"
#include "hw/pci/pci_bus.h"
#include "hw/pci/pci_function.h"

namespace vmapple {

class GpexHost final : public MmioDevice {
 public:
  // ECAM accesses of 1, 2 and 4 bytes; 8-byte ones split into two dwords.
  static constexpr MmioAccessRules kEcamRules{1, 8, 1, 4};
  static constexpr uint16_t kVendorId = 0x1B36;  // Red Hat, Inc. (QEMU)
  static constexpr uint16_t kDeviceId = 0x0008;  // PCIe host bridge
  static constexpr uint32_t kClassHostBridge = 0x060000;

  GpexHost(AddressSpace& space, uint64_t window_base, uint64_t window_size,
           std::vector<IrqLine*> intx_lines);

  std::string_view name() const override { return "gpex"; }
  void reset() override { bus_.reset(); }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  PciBus& bus() { return bus_; }

 private:
  PciFunction host_function_;
  PciBus bus_;
};

}  // namespace vmapple
