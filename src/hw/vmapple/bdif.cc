#include "hw/vmapple/bdif.h"

#include "base/bits.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("bdif");
constexpr std::string_view kName = "bdif";

uint64_t width_mask(unsigned size) {
  return size >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1;
}

struct Buf {
  uint64_t addr;
  uint32_t len;
  uint32_t flags;
};

Buf buf_at(const uint8_t* descriptor, size_t offset) {
  return {load_le<uint64_t>(descriptor + offset), load_le<uint32_t>(descriptor + offset + 8),
          load_le<uint32_t>(descriptor + offset + 12)};
}

}  // namespace

Bdif::Bdif(GuestMemory& memory, BdifDisk* root, BdifDisk* aux)
    : memory_(memory), root_(root), aux_(aux) {}

uint64_t Bdif::read(uint64_t offset, unsigned size) {
  uint64_t window = offset & 0xFFFF'0000;
  uint64_t value = ~uint64_t{0};
  switch (offset & 0xFFFF) {
    case kSTATUS:
      value = 0x1;  // active
      break;
    case kCFG:
      value = 0x2;  // active
      break;
    case kUNKNOWN1:
      value = 0x420;
      break;
    case kBUSY:
      value = 0x1;  // ready
      break;
    case kUNKNOWN2:
      value = 0x1;
      break;
    case kNEXT_DEVICE:
      if (window == kRootWindow) value = 0x0800'0000;
      if (window == kAuxWindow) value = 0x0001'0000;
      break;
    case kUNKNOWN3:
      value = 0;
      break;
  }
  return value & width_mask(size);
}

void Bdif::write(uint64_t offset, unsigned size, uint64_t value) {
  uint64_t window = offset & 0xFFFF'0000;
  uint64_t reg = offset & 0xFFFF;
  value &= width_mask(size);
  if (reg == kCMD && window == kRootWindow) return request("root", root_, value);
  if (reg == kCMD && window == kAuxWindow) return request("aux", aux_, value);
  VMAPPLE_TRACE(kTrace, "write of {:#x} at {:#x} ignored", value, offset);
}

void Bdif::request(std::string_view disk_name, BdifDisk* disk, uint64_t descriptor) {
  uint8_t d[kDescriptorSize];
  if (!memory_.read(descriptor, d)) {
    // Nowhere trustworthy to put a status byte: write nothing.
    guest_error(kName, "{}: descriptor at {:#x} is not in RAM", disk_name, descriptor);
    return;
  }
  uint8_t status = execute(disk_name, disk, d);
  uint64_t status_addr = load_le<uint64_t>(d + 0x20);
  if (!memory_.write_le<uint8_t>(status_addr, status))
    guest_error(kName, "{}: status byte address {:#x} is not in RAM", disk_name, status_addr);
}

uint8_t Bdif::execute(std::string_view disk_name, BdifDisk* disk, const uint8_t* descriptor) {
  Buf sector = buf_at(descriptor, 0x00);
  Buf data = buf_at(descriptor, 0x10);
  if (sector.len != kSectorHeaderSize) {
    guest_error(kName, "{}: sector header length {} (not 16)", disk_name, sector.len);
    return kStatusFailed;
  }
  auto number = memory_.read_le<uint32_t>(sector.addr + 8);
  if (!number || !memory_.span_at(sector.addr, kSectorHeaderSize)) {
    guest_error(kName, "{}: sector header at {:#x} is not in RAM", disk_name, sector.addr);
    return kStatusFailed;
  }
  uint64_t offset = uint64_t{*number} * kSectorSize;
  if (data.len > kMaxDataLength) {
    guest_error(kName, "{}: data length {:#x} over 128 MiB", disk_name, data.len);
    return kStatusFailed;
  }
  if (data.flags != kOpRead) {
    if (data.flags == kOpWrite)
      VMAPPLE_TRACE(kTrace, "{}: WRITE of {} bytes at sector {} refused (read-only interface)",
                    disk_name, data.len, *number);
    else
      guest_error(kName, "{}: unknown operation {:#x}", disk_name, data.flags);
    return kStatusFailed;
  }
  if (!disk) {
    guest_error(kName, "{}: READ with no {} disk attached", disk_name, disk_name);
    return kStatusFailed;
  }
  if (offset > disk->size() || data.len > disk->size() - offset) {
    guest_error(kName, "{}: READ of {} bytes at sector {} is beyond the disk ({} bytes)", disk_name,
                data.len, *number, disk->size());
    return kStatusFailed;
  }
  auto dst = memory_.span_at(data.addr, data.len);
  if (!dst) {
    guest_error(kName, "{}: data buffer {:#x}+{:#x} is not in RAM", disk_name, data.addr, data.len);
    return kStatusFailed;
  }
  if (!disk->read(offset, *dst)) {
    guest_error(kName, "{}: I/O error reading {} bytes at sector {}", disk_name, data.len, *number);
    return kStatusFailed;
  }
  VMAPPLE_TRACE(kTrace, "{}: READ {} bytes at sector {} -> {:#x}", disk_name, data.len, *number,
                data.addr);
  return kStatusOk;
}

}  // namespace vmapple
