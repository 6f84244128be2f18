#pragma once
// Message-signalled interrupts for PCI functions: the MSI capability (64-bit
// address, per-vector masking) and MSI-X (capability plus a table and
// pending-bit array in a BAR of their own). A function whose MSI or MSI-X is
// enabled signals through them instead of INTx; messages go to the bus's
// MsiTarget (the platform's MSI controller). vmapple has none, so its devices
// do not add these capabilities (spec 2.7).
#include <cstdint>
#include <mutex>
#include <vector>

#include "hw/pci/pci_function.h"
#include "memory/mmio.h"

namespace vmapple {

class MsiTarget {
 public:
  virtual ~MsiTarget() = default;
  // A memory write of `data` (32 bits) to `address`. Any thread.
  virtual void send_msi(uint64_t address, uint32_t data) = 0;
};

class PciMsi {
 public:
  // Capability registers, relative to the capability.
  static constexpr unsigned kControl = 0x2;
  static constexpr unsigned kAddressLow = 0x4;
  static constexpr unsigned kAddressHigh = 0x8;
  static constexpr unsigned kData = 0xC;
  static constexpr unsigned kMask = 0x10;
  static constexpr unsigned kPending = 0x14;
  static constexpr unsigned kLength = 0x18;
  static constexpr uint16_t kControlEnable = 1u << 0;
  static constexpr uint16_t kControl64Bit = 1u << 7;
  static constexpr uint16_t kControlPerVectorMask = 1u << 8;

  // `vectors`: 1, 2, 4, 8, 16 or 32. Adds the capability to `fn`.
  PciMsi(PciFunction& fn, unsigned vectors);

  uint8_t offset() const { return offset_; }
  bool enabled() const;
  // Signals `vector`; false when MSI is off (the device uses INTx then).
  bool notify(unsigned vector);
  // The function's config_written hook forwards here: unmasking a vector
  // with its pending bit set sends the message.
  void config_written(unsigned offset, unsigned size);

 private:
  uint32_t reg(unsigned r, unsigned size) const { return fn_.host_read_config(offset_ + r, size); }
  void send_locked(unsigned vector);

  PciFunction& fn_;
  const unsigned vectors_;
  uint8_t offset_;
  std::mutex mutex_;
};

class PciMsix final : public MmioHandler {
 public:
  static constexpr unsigned kControl = 0x2;
  static constexpr unsigned kTable = 0x4;
  static constexpr unsigned kPba = 0x8;
  static constexpr unsigned kLength = 0xC;
  static constexpr uint16_t kControlFunctionMask = 1u << 14;
  static constexpr uint16_t kControlEnable = 1u << 15;
  static constexpr unsigned kEntrySize = 16;
  static constexpr uint32_t kVectorMasked = 1u << 0;
  // Table and PBA accesses are dwords or qwords.
  static constexpr MmioAccessRules kRules{4, 8, 4, 4};

  // `vectors` 1..2048; defines BAR `bar` (32-bit) holding the table at 0 and
  // the PBA after it, and adds the capability to `fn`.
  PciMsix(PciFunction& fn, unsigned vectors, unsigned bar);
  // The table and PBA inside a BAR the device already defined, at
  // `table_offset` and `pba_offset` of that BAR; the device forwards BAR
  // accesses in [table_offset, ...) here with offsets relative to the table.
  PciMsix(PciFunction& fn, unsigned vectors, unsigned bar, uint32_t table_offset,
          uint32_t pba_offset);

  uint8_t offset() const { return offset_; }
  uint32_t pba_offset() const { return pba_offset_; }
  bool enabled() const;
  bool notify(unsigned vector);
  void config_written(unsigned offset, unsigned size);
  // Power-on table: all vectors masked, nothing pending.
  void reset();

  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  void add_capability(unsigned bar, uint32_t table_offset, uint32_t pba_offset);
  bool masked_locked(unsigned vector) const;
  void deliver_pending_locked();

  PciFunction& fn_;
  const unsigned vectors_;
  uint8_t offset_;
  uint32_t pba_offset_;
  std::mutex mutex_;
  std::vector<uint32_t> table_;  // 4 dwords per vector
  std::vector<uint64_t> pending_;
};

}  // namespace vmapple
