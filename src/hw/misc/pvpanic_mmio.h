#pragma once
// pvpanic over MMIO (spec section 7): two byte-wide registers through which
// the guest reports a panic or asks to be powered off. Reads return the
// supported-event mask; each written byte acts on the first of PANICKED,
// CRASH_LOADED, SHUTDOWN that it has set.
#include <cstdint>
#include <string_view>

#include "hw/device.h"
#include "memory/mmio.h"

namespace vmapple {

enum class PvpanicEvent { kPanicked, kCrashLoaded, kShutdown };

std::string_view to_string(PvpanicEvent event);

// Implemented by the VM. Called on the vCPU thread that wrote the register,
// with no device lock held, so it may stop or reset the VM.
class PvpanicListener {
 public:
  virtual ~PvpanicListener() = default;
  virtual void pvpanic_event(PvpanicEvent event) = 0;
};

class PvpanicMmio final : public MmioDevice {
 public:
  static constexpr uint64_t kMmioSize = 2;
  // Byte-wide device, any access width: the AddressSpace splits wider
  // accesses into bytes, offset 0 first. The machine must map it with these.
  static constexpr MmioAccessRules kRules{1, 8, 1, 1};

  // Event bits (both the read-back mask and the written value).
  static constexpr uint8_t kPanicked = 0x01;
  static constexpr uint8_t kCrashLoaded = 0x02;
  static constexpr uint8_t kShutdown = 0x04;
  static constexpr uint8_t kDefaultEvents = kPanicked | kCrashLoaded;

  // `events` is what reads return; it does not filter writes.
  explicit PvpanicMmio(PvpanicListener& listener, uint8_t events = kDefaultEvents);

  std::string_view name() const override { return "pvpanic-mmio"; }
  void reset() override {}  // no state
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  PvpanicListener& listener_;
  const uint8_t events_;
};

}  // namespace vmapple
