#include "hw/pci/gpex.h"

#include "base/bits.h"
#include "base/log.h"

namespace vmapple {
namespace {

struct EcamAddress {
  unsigned bus;
  uint8_t devfn;
  unsigned reg;
};

EcamAddress decode(uint64_t offset) {
  return {static_cast<unsigned>(bits(offset, 27, 20)), static_cast<uint8_t>(bits(offset, 19, 12)),
          static_cast<unsigned>(bits(offset, 11, 0))};
}

PciIdentity host_bridge_identity() {
  PciIdentity id;
  id.vendor_id = GpexHost::kVendorId;
  id.device_id = GpexHost::kDeviceId;
  id.revision = 0;
  id.class_code = GpexHost::kClassHostBridge;
  return id;
}

}  // namespace

GpexHost::GpexHost(AddressSpace& space, uint64_t window_base, uint64_t window_size,
                   std::vector<IrqLine*> intx_lines)
    : host_function_("gpex-root", host_bridge_identity()),
      bus_(space, window_base, window_size, std::move(intx_lines)) {
  bus_.add(0, 0, host_function_);
}

uint64_t GpexHost::read(uint64_t offset, unsigned size) {
  EcamAddress a = decode(offset);
  if (a.bus != 0 || offset >> 28) return mask(8 * size);
  return bus_.config_read(a.devfn, a.reg, size);
}

void GpexHost::write(uint64_t offset, unsigned size, uint64_t value) {
  EcamAddress a = decode(offset);
  if (a.bus != 0 || offset >> 28) return;
  bus_.config_write(a.devfn, a.reg, size, static_cast<uint32_t>(value));
}

}  // namespace vmapple
