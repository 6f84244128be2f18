#pragma once
// A guest's PCI enumeration, written from the PCI Local Bus and PCI Express
// specifications: configuration accesses through ECAM, BAR sizing (write
// all-ones with decode off, read back the mask), bottom-up BAR assignment in
// the host bridge's memory window, capability-list walks. Tests and benches
// drive devices through it exactly as a firmware or OS would.
#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "hw/pci/pci_regs.h"
#include "memory/address_space.h"

namespace vmapple::test {

class Ecam {
 public:
  Ecam(const AddressSpace& space, uint64_t base) : space_(space), base_(base) {}

  static uint64_t offset(unsigned bus, unsigned dev, unsigned fn, unsigned reg) {
    return uint64_t{bus} << 20 | uint64_t{dev} << 15 | uint64_t{fn} << 12 | reg;
  }
  uint32_t read(unsigned dev, unsigned fn, unsigned reg, unsigned size = 4,
                unsigned bus = 0) const {
    uint64_t v = 0;
    if (space_.read(base_ + offset(bus, dev, fn, reg), size, &v) != MmioStatus::kOk)
      throw std::runtime_error("ECAM read failed");
    return static_cast<uint32_t>(v);
  }
  void write(unsigned dev, unsigned fn, unsigned reg, uint32_t value, unsigned size = 4,
             unsigned bus = 0) const {
    if (space_.write(base_ + offset(bus, dev, fn, reg), size, value) != MmioStatus::kOk)
      throw std::runtime_error("ECAM write failed");
  }

 private:
  const AddressSpace& space_;
  uint64_t base_;
};

struct PciFound {
  unsigned slot = 0;
  unsigned fn = 0;
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint32_t class_code = 0;
  uint8_t pin = 0;
  std::array<uint64_t, pci::kNumBars> bar_address{};
  std::array<uint64_t, pci::kNumBars> bar_size{};
};

// Sizes one function's memory BARs (decode off while sizing, as the spec
// requires), fills `f.bar_size`; a 64-bit BAR's upper half is skipped.
inline void size_bars(const Ecam& ecam, PciFound& f) {
  uint16_t command = static_cast<uint16_t>(ecam.read(f.slot, f.fn, pci::kCommand, 2));
  ecam.write(f.slot, f.fn, pci::kCommand, command & ~pci::kCommandMemorySpace, 2);
  for (unsigned i = 0; i < pci::kNumBars; ++i) {
    unsigned reg = pci::kBar0 + 4 * i;
    uint32_t original = ecam.read(f.slot, f.fn, reg);
    if (original & pci::kBarIo) continue;
    ecam.write(f.slot, f.fn, reg, ~0u);
    uint64_t readback = ecam.read(f.slot, f.fn, reg) & ~uint64_t{pci::kBarMemFlagsMask};
    bool is64 = (original & 6) == pci::kBarMem64;
    if (is64) {
      uint32_t hi = ecam.read(f.slot, f.fn, reg + 4);
      ecam.write(f.slot, f.fn, reg + 4, ~0u);
      readback |= uint64_t{ecam.read(f.slot, f.fn, reg + 4)} << 32;
      ecam.write(f.slot, f.fn, reg + 4, hi);
    } else if (readback) {
      readback |= 0xFFFF'FFFF'0000'0000ull;
    }
    ecam.write(f.slot, f.fn, reg, original);
    f.bar_size[i] = readback ? ~readback + 1 : 0;
    if (is64) ++i;
  }
  ecam.write(f.slot, f.fn, pci::kCommand, command, 2);
}

// Enumerates bus 0, assigns every memory BAR bottom-up from `window_base`
// (naturally aligned) and enables memory decode and bus mastering.
inline std::vector<PciFound> enumerate(const Ecam& ecam, uint64_t window_base,
                                       uint64_t window_size) {
  std::vector<PciFound> found;
  uint64_t next = window_base;
  for (unsigned slot = 0; slot < 32; ++slot) {
    for (unsigned fn = 0; fn < 8; ++fn) {
      uint16_t vendor = static_cast<uint16_t>(ecam.read(slot, fn, pci::kVendorId, 2));
      if (vendor == 0xFFFF) {
        if (fn == 0) break;
        continue;
      }
      PciFound f;
      f.slot = slot;
      f.fn = fn;
      f.vendor_id = vendor;
      f.device_id = static_cast<uint16_t>(ecam.read(slot, fn, pci::kDeviceId, 2));
      f.class_code = ecam.read(slot, fn, pci::kRevisionId) >> 8;
      f.pin = static_cast<uint8_t>(ecam.read(slot, fn, pci::kInterruptPin, 1));
      size_bars(ecam, f);
      for (unsigned i = 0; i < pci::kNumBars; ++i) {
        if (!f.bar_size[i]) continue;
        uint64_t size = f.bar_size[i];
        uint64_t address = (next + size - 1) & ~(size - 1);
        if (address + size > window_base + window_size)
          throw std::runtime_error("PCI window exhausted");
        next = address + size;
        f.bar_address[i] = address;
        unsigned reg = pci::kBar0 + 4 * i;
        uint32_t flags = ecam.read(slot, fn, reg) & pci::kBarMemFlagsMask;
        ecam.write(slot, fn, reg, static_cast<uint32_t>(address) | flags);
        if ((flags & 6) == pci::kBarMem64) ecam.write(slot, fn, reg + 4, address >> 32);
      }
      uint16_t command = static_cast<uint16_t>(ecam.read(slot, fn, pci::kCommand, 2));
      ecam.write(slot, fn, pci::kCommand,
                 command | pci::kCommandMemorySpace | pci::kCommandBusMaster, 2);
      found.push_back(f);
      uint8_t header = static_cast<uint8_t>(ecam.read(slot, fn, pci::kHeaderType, 1));
      if (fn == 0 && !(header & pci::kHeaderTypeMultiFunction)) break;
    }
  }
  return found;
}

// Offsets of the capabilities with `id` (all of them with id 0), in list order.
inline std::vector<uint8_t> find_capabilities(const Ecam& ecam, unsigned slot, unsigned fn,
                                              uint8_t id = 0) {
  std::vector<uint8_t> out;
  if (!(ecam.read(slot, fn, pci::kStatus, 2) & pci::kStatusCapabilitiesList)) return out;
  uint8_t at = static_cast<uint8_t>(ecam.read(slot, fn, pci::kCapabilitiesPointer, 1)) & ~3;
  for (unsigned guard = 0; at && guard < 48; ++guard) {
    uint8_t cap_id = static_cast<uint8_t>(ecam.read(slot, fn, at, 1));
    if (id == 0 || cap_id == id) out.push_back(at);
    at = static_cast<uint8_t>(ecam.read(slot, fn, at + 1u, 1)) & ~3;
  }
  return out;
}

}  // namespace vmapple::test
