#include "hw/misc/pvpanic_mmio.h"

#include <atomic>
#include <optional>

#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("pvpanic");

// The spec logs unknown event bits once per VMM process, not per device.
std::atomic<bool> g_unknown_logged{false};

constexpr uint8_t kKnownEvents =
    PvpanicMmio::kPanicked | PvpanicMmio::kCrashLoaded | PvpanicMmio::kShutdown;

std::optional<PvpanicEvent> decode(uint8_t value) {
  if (value & PvpanicMmio::kPanicked) return PvpanicEvent::kPanicked;
  if (value & PvpanicMmio::kCrashLoaded) return PvpanicEvent::kCrashLoaded;
  if (value & PvpanicMmio::kShutdown) return PvpanicEvent::kShutdown;
  return std::nullopt;
}

bool valid(uint64_t offset, unsigned size) {
  return size == 1 && offset < PvpanicMmio::kMmioSize;
}

}  // namespace

std::string_view to_string(PvpanicEvent event) {
  switch (event) {
    case PvpanicEvent::kPanicked:
      return "panicked";
    case PvpanicEvent::kCrashLoaded:
      return "crash-loaded";
    case PvpanicEvent::kShutdown:
      return "shutdown";
  }
  return "unknown";
}

PvpanicMmio::PvpanicMmio(PvpanicListener& listener, uint8_t events)
    : listener_(listener), events_(events) {}

// The device has no mutable state (the events mask is fixed and the
// log-once flag is atomic), so it needs no lock; the listener runs unlocked.
uint64_t PvpanicMmio::read(uint64_t offset, unsigned size) {
  if (!valid(offset, size)) {
    guest_error("pvpanic-mmio", "invalid {}-byte read at offset {:#x}", size, offset);
    return 0;
  }
  return events_;
}

void PvpanicMmio::write(uint64_t offset, unsigned size, uint64_t value) {
  if (!valid(offset, size)) {
    guest_error("pvpanic-mmio", "invalid {}-byte write at offset {:#x}", size, offset);
    return;
  }
  auto byte = static_cast<uint8_t>(value);
  if ((byte & ~kKnownEvents) && !g_unknown_logged.exchange(true))
    guest_error("pvpanic-mmio", "unknown event {:#04x}", byte);
  auto event = decode(byte);
  if (!event) return;
  VMAPPLE_TRACE(kTrace, "guest reports {} (value {:#04x})", to_string(*event), byte);
  listener_.pvpanic_event(*event);
}

}  // namespace vmapple
