// Fuzzes the backdoor block interface with a sequence of operations:
//   0 bus read   u16 offset, u8 size (u8 window selects one of the 32 windows)
//   1 bus write  u16 offset, u8 size, u32 value
//   2 raw call   u16 offset, u8 size, u8 read/write, u32 value (no bus checks)
//   3 request    u8 window (root/aux/other), descriptor fields: u16 slot of the
//                descriptor, u8 address kinds, u32 sector, u32 lengths, u8 op
//   4 raw CMD    u8 width, u64-ish address (no descriptor set up)
// Invariants: no crash, no write outside the status byte and the data buffer;
// the status byte is 0 or 1; a successful READ put the disk's bytes there.
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "base/bits.h"
#include "fuzz/fuzz_input.h"
#include "hw/vmapple/bdif.h"
#include "memory/address_space.h"

namespace {

using vmapple::Bdif;
using vmapple::fuzz::check;
using vmapple::fuzz::Input;
constexpr uint64_t kBase = 0x3000'0000;
constexpr uint64_t kRam = 0x7000'0000;
constexpr uint64_t kRamSize = 1 << 20;

class PatternDisk final : public vmapple::BdifDisk {
 public:
  PatternDisk(uint64_t size, uint8_t seed) : size_(size), seed_(seed) {}
  uint64_t size() const override { return size_; }
  bool read(uint64_t offset, std::span<uint8_t> dst) override {
    check(offset <= size_ && dst.size() <= size_ - offset, "reads stay inside the disk");
    for (size_t i = 0; i < dst.size(); ++i)
      dst[i] = byte(offset + i);
    return true;
  }
  uint8_t byte(uint64_t at) const { return static_cast<uint8_t>(at * 13 + seed_ + at / 512); }

 private:
  uint64_t size_;
  uint8_t seed_;
};

// An address: mostly inside RAM, sometimes at its edges or far outside.
uint64_t address(Input& in, uint8_t kind) {
  uint32_t v = in.u32();
  switch (kind & 3) {
    case 0:
    case 1:
      return kRam + v % kRamSize;
    case 2:
      return kRam + kRamSize - (v % 64);
    default:
      return uint64_t{v} << (kind & 0x1C);
  }
}

void request(Input& in, vmapple::GuestMemory& memory, vmapple::AddressSpace& space,
             const PatternDisk& root, const PatternDisk& aux) {
  uint64_t window = (in.u8() % 3) * 0x1'0000;
  uint64_t desc = kRam + (in.u16() % (kRamSize / 64)) * 64;
  uint8_t kinds = in.u8();
  uint64_t header = address(in, kinds), data = address(in, kinds >> 2),
           status = kRam + in.u16() % kRamSize;
  uint32_t sector = in.u8() & 1 ? in.u32() : in.u8();
  uint32_t header_len = in.u8() & 1 ? in.u8() : 16;
  uint32_t len = in.u8() & 1 ? in.u32() : in.u16();
  uint32_t op = in.u8() & 3 ? Bdif::kOpRead : in.u32();
  uint8_t d[48] = {};
  vmapple::store_le<uint64_t>(d, header);
  vmapple::store_le<uint32_t>(d + 8, header_len);
  vmapple::store_le<uint64_t>(d + 16, data);
  vmapple::store_le<uint32_t>(d + 24, len);
  vmapple::store_le<uint32_t>(d + 28, op);
  vmapple::store_le<uint64_t>(d + 32, status);
  memory.write(desc, d);
  memory.write_le<uint32_t>(header + 8, sector);
  memory.write_le<uint8_t>(status, 0xEE);
  // The status byte may also land on the header's sector field.
  sector = memory.read_le<uint32_t>(header + 8).value_or(sector);
  // The header or status byte may land on the descriptor: then only
  // robustness is checked, not the outcome.
  uint8_t now[48] = {};
  memory.read(desc, now);
  bool consistent = std::equal(std::begin(d), std::end(d), std::begin(now));
  space.write(kBase + window + Bdif::kCMD, 8, desc);
  if (!consistent) return;
  uint8_t result = *memory.read_le<uint8_t>(status);
  check(result == 0 || result == 1 || (window == 0x2'0000 && result == 0xEE), "status byte");
  check(window != 0x2'0000 || result == 0xEE, "no function in other windows");
  bool status_in_data = status >= data && status - data < len;
  if (result == 0 && !status_in_data && len > 0) {
    const PatternDisk& disk = window == 0 ? root : aux;
    auto got = memory.span_at(data, len);
    check(got.has_value(), "a successful READ had a RAM buffer");
    uint64_t offset = uint64_t{sector} * 512;
    for (size_t i = 0; i < len && i < 64; ++i)
      check((*got)[i] == disk.byte(offset + i), "READ data comes from the disk");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmapple::fuzz::silence_traces();
  Input in{data, size};
  vmapple::GuestMemory memory;
  memory.add_region("ram", kRam, kRamSize);
  vmapple::AddressSpace space(memory);
  PatternDisk root(256 * 1024, 1), aux(64 * 1024, 2);
  Bdif bdif(memory, &root, &aux);
  space.add_mmio("bdif", kBase, Bdif::kMmioSize, bdif, Bdif::kRules);

  while (!in.empty()) {
    switch (unsigned op = in.u8() % 5) {
      case 0:
      case 1:
      case 2: {
        uint64_t window = (in.u8() % 32) * 0x1'0000;
        vmapple::fuzz::mmio_op(in, op, space, bdif, kBase + window);
        break;
      }
      case 3:
        request(in, memory, space, root, aux);
        break;
      case 4: {
        unsigned width = 1u << (in.u8() & 3);
        bdif.write(Bdif::kCMD + (in.u8() & 1) * Bdif::kAuxWindow, width, in.take(8));
        break;
      }
    }
  }
  return 0;
}
