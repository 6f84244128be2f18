// Guest accesses of every width and offset against pvpanic-mmio mapped with
// its rules, plus direct hostile handler calls. Every delivered event must be
// the one the priority rule picks for each byte written, in byte order.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "base/log.h"
#include "fuzz/fuzz_input.h"
#include "hw/misc/pvpanic_mmio.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

using fuzz::check;

constexpr uint64_t kBase = 0x2007'0000;

class Recorder final : public PvpanicListener {
 public:
  void pvpanic_event(PvpanicEvent event) override { events.push_back(event); }
  std::vector<PvpanicEvent> events;
};

void expect_byte(std::vector<PvpanicEvent>& expected, uint8_t byte) {
  if (byte & 1)
    expected.push_back(PvpanicEvent::kPanicked);
  else if (byte & 2)
    expected.push_back(PvpanicEvent::kCrashLoaded);
  else if (byte & 4)
    expected.push_back(PvpanicEvent::kShutdown);
}

}  // namespace
}  // namespace vmapple

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmapple;
  trace::guest_error_category.set_enabled(false);
  GuestMemory memory;
  AddressSpace space(memory);
  Recorder recorder;
  uint8_t events = size ? data[0] : PvpanicMmio::kDefaultEvents;
  PvpanicMmio pvpanic(recorder, events);
  space.add_mmio("pvpanic", kBase, PvpanicMmio::kMmioSize, pvpanic, PvpanicMmio::kRules);

  std::vector<PvpanicEvent> expected;
  size_t pos = 1;
  while (pos + 3 <= size) {
    uint8_t op = data[pos], offset = data[pos + 1] & 3, value_seed = data[pos + 2];
    pos += 3;
    unsigned width = 1u << (op & 3);
    uint64_t value = value_seed * 0x0101'0101'0101'0101ull ^ (uint64_t{op} << 8);
    bool valid = offset % width == 0 && offset + width <= PvpanicMmio::kMmioSize;
    if (op & 0x80) {
      uint64_t got = 0;
      MmioStatus status = space.read(kBase + offset, width, &got);
      check((status == MmioStatus::kOk) == valid || offset >= PvpanicMmio::kMmioSize);
      if (status == MmioStatus::kOk) check(got == (width == 1 ? events : events * 0x0101u));
    } else if (op & 0x40) {
      pvpanic.write(value, op & 0xF, value_seed);  // hostile direct call
      if ((op & 0xF) == 1 && value < PvpanicMmio::kMmioSize) expect_byte(expected, value_seed);
    } else {
      MmioStatus status = space.write(kBase + offset, width, value);
      if (status == MmioStatus::kOk) {
        check(valid);
        for (unsigned i = 0; i < width; ++i)
          expect_byte(expected, uint8_t(value >> (8 * i)));
      }
    }
    check(recorder.events == expected);
  }
  return 0;
}
