#include "hw/pci/msi.h"

#include <bit>
#include <stdexcept>

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("pci-msi");

void send(PciFunction& fn, uint64_t address, uint32_t data) {
  MsiTarget* target = fn.msi_target();
  if (!target) {
    guest_error(fn.name(), "MSI to {:#x} dropped: the platform has no MSI controller", address);
    return;
  }
  VMAPPLE_TRACE(kTrace, "{}: MSI {:#x} <- {:#x}", fn.name(), address, data);
  target->send_msi(address, data);
}

bool overlaps(unsigned offset, unsigned size, unsigned base, unsigned length) {
  return offset < base + length && base < offset + size;
}

}  // namespace

PciMsi::PciMsi(PciFunction& fn, unsigned vectors) : fn_(fn), vectors_(vectors) {
  if (vectors == 0 || vectors > 32 || !std::has_single_bit(vectors))
    throw std::invalid_argument("MSI vector count must be a power of two up to 32");
  offset_ = fn.add_capability(pci::kCapMsi, kLength);
  unsigned mmc = static_cast<unsigned>(std::countr_zero(vectors));
  fn.init_config(offset_ + kControl, 2, kControl64Bit | kControlPerVectorMask | mmc << 1);
  fn.init_writable(offset_ + kControl, 2,
                   kControlEnable | 0x70);  // enable, multiple message enable
  fn.init_writable(offset_ + kAddressLow, 4, ~3u);
  fn.init_writable(offset_ + kAddressHigh, 4, ~0u);
  fn.init_writable(offset_ + kData, 2, 0xFFFF);
  fn.init_writable(offset_ + kMask, 4, vectors == 32 ? ~0u : (1u << vectors) - 1);
}

bool PciMsi::enabled() const {
  return reg(kControl, 2) & kControlEnable;
}

bool PciMsi::notify(unsigned vector) {
  std::lock_guard lock(mutex_);
  if (!enabled()) return false;
  // The guest allocated 2^MME vectors; the device folds its own onto them.
  unsigned allocated = 1u << std::min((reg(kControl, 2) >> 4) & 7, 5u);
  vector %= std::min(allocated, vectors_);
  if (reg(kMask, 4) >> vector & 1) {
    fn_.host_write_config(offset_ + kPending, 4, reg(kPending, 4) | 1u << vector);
    return true;
  }
  send_locked(vector);
  return true;
}

void PciMsi::send_locked(unsigned vector) {
  uint64_t address = reg(kAddressLow, 4) | uint64_t{reg(kAddressHigh, 4)} << 32;
  unsigned allocated = 1u << std::min((reg(kControl, 2) >> 4) & 7, 5u);
  uint32_t data = (reg(kData, 2) & ~(allocated - 1)) | vector;
  send(fn_, address, data);
}

void PciMsi::config_written(unsigned offset, unsigned size) {
  if (!overlaps(offset, size, offset_, kLength)) return;
  std::lock_guard lock(mutex_);
  if (!enabled()) return;
  uint32_t ready = reg(kPending, 4) & ~reg(kMask, 4);
  for (unsigned v = 0; v < vectors_; ++v) {
    if (!(ready >> v & 1)) continue;
    fn_.host_write_config(offset_ + kPending, 4, reg(kPending, 4) & ~(1u << v));
    send_locked(v);
  }
}

PciMsix::PciMsix(PciFunction& fn, unsigned vectors, unsigned bar)
    : fn_(fn), vectors_(vectors), table_(vectors * 4), pending_((vectors + 63) / 64) {
  if (vectors == 0 || vectors > 2048) throw std::invalid_argument("MSI-X vector count 1..2048");
  pba_offset_ = (vectors * kEntrySize + 7u) & ~7u;
  uint64_t size = std::bit_ceil(std::max<uint64_t>(0x1000, pba_offset_ + pending_.size() * 8));
  fn.define_bar(bar, {size, false, false, this, kRules});
  add_capability(bar, 0, pba_offset_);
}

PciMsix::PciMsix(PciFunction& fn, unsigned vectors, unsigned bar, uint32_t table_offset,
                 uint32_t pba_offset)
    : fn_(fn), vectors_(vectors), table_(vectors * 4), pending_((vectors + 63) / 64) {
  if (vectors == 0 || vectors > 2048 || table_offset % 8 || pba_offset % 8 ||
      pba_offset < table_offset + vectors * kEntrySize)
    throw std::invalid_argument("bad MSI-X table or PBA placement");
  pba_offset_ = pba_offset - table_offset;
  add_capability(bar, table_offset, pba_offset);
}

void PciMsix::add_capability(unsigned bar, uint32_t table_offset, uint32_t pba_offset) {
  offset_ = fn_.add_capability(pci::kCapMsix, kLength);
  fn_.init_config(offset_ + kControl, 2, vectors_ - 1);
  fn_.init_writable(offset_ + kControl, 2, kControlEnable | kControlFunctionMask);
  fn_.init_config(offset_ + kTable, 4, table_offset | bar);
  fn_.init_config(offset_ + kPba, 4, pba_offset | bar);
  reset();
}

void PciMsix::reset() {
  std::lock_guard lock(mutex_);
  for (unsigned v = 0; v < vectors_; ++v) {
    for (unsigned i = 0; i < 3; ++i)
      table_[4 * v + i] = 0;
    table_[4 * v + 3] = kVectorMasked;
  }
  std::fill(pending_.begin(), pending_.end(), 0);
}

bool PciMsix::enabled() const {
  return fn_.host_read_config(offset_ + kControl, 2) & kControlEnable;
}

bool PciMsix::masked_locked(unsigned vector) const {
  return (fn_.host_read_config(offset_ + kControl, 2) & kControlFunctionMask) ||
         (table_[4 * vector + 3] & kVectorMasked);
}

bool PciMsix::notify(unsigned vector) {
  std::lock_guard lock(mutex_);
  if (!enabled()) return false;
  if (vector >= vectors_) return true;
  if (masked_locked(vector)) {
    pending_[vector / 64] |= uint64_t{1} << (vector % 64);
    return true;
  }
  const uint32_t* e = &table_[4 * vector];
  send(fn_, e[0] | uint64_t{e[1]} << 32, e[2]);
  return true;
}

void PciMsix::deliver_pending_locked() {
  if (!enabled()) return;
  for (unsigned v = 0; v < vectors_; ++v) {
    uint64_t bit = uint64_t{1} << (v % 64);
    if (!(pending_[v / 64] & bit) || masked_locked(v)) continue;
    pending_[v / 64] &= ~bit;
    const uint32_t* e = &table_[4 * v];
    send(fn_, e[0] | uint64_t{e[1]} << 32, e[2]);
  }
}

void PciMsix::config_written(unsigned offset, unsigned size) {
  if (!overlaps(offset, size, offset_, kLength)) return;
  std::lock_guard lock(mutex_);
  deliver_pending_locked();
}

uint64_t PciMsix::read(uint64_t offset, unsigned size) {
  std::lock_guard lock(mutex_);
  if (size != 4 || offset % 4) return 0;
  if (offset < uint64_t{vectors_} * kEntrySize) return table_[offset / 4];
  if (offset >= pba_offset_ && offset - pba_offset_ < pending_.size() * 8) {
    uint64_t word = pending_[(offset - pba_offset_) / 8];
    return offset % 8 ? word >> 32 : word & 0xFFFF'FFFF;
  }
  return 0;
}

void PciMsix::write(uint64_t offset, unsigned size, uint64_t value) {
  std::lock_guard lock(mutex_);
  if (size != 4 || offset % 4 || offset >= uint64_t{vectors_} * kEntrySize) {
    VMAPPLE_TRACE(kTrace, "{}: ignored MSI-X write at {:#x}", fn_.name(), offset);
    return;
  }
  unsigned index = static_cast<unsigned>(offset / 4);
  // Only the mask bit of Vector Control is writable; the address is dword aligned.
  if (index % 4 == 3)
    table_[index] = static_cast<uint32_t>(value) & kVectorMasked;
  else
    table_[index] = static_cast<uint32_t>(index % 4 == 0 ? value & ~3u : value);
  if (index % 4 == 3) deliver_pending_locked();
}

}  // namespace vmapple
