#include "machine/linux_boot.h"

#include <stdexcept>

#include "machine/memory_map.h"
#include "machine/vmapple_fdt.h"

namespace vmapple {
namespace {

boot::RamRange ram_of(const MachineConfig& config) {
  return {board::kRamBase, config.ram_size};
}

}  // namespace

LinuxBoot::LinuxBoot(const MachineConfig& config)
    : config_(config),
      images_(boot::read_linux_images(config.kernel, config.initrd, ram_of(config))),
      layout_(boot::plan_linux_layout(images_, ram_of(config))) {}

std::vector<uint8_t> LinuxBoot::device_tree() const {
  FdtChosen chosen;
  chosen.bootargs = config_.append;
  if (layout_.has_initrd()) {
    chosen.initrd_start = layout_.initrd_start;
    chosen.initrd_end = layout_.initrd_end;
  }
  chosen.rng_seed = host_rng_seed();
  return build_vmapple_fdt(config_, chosen);
}

LinuxBoot::Entry LinuxBoot::load(const GuestMemory& memory) const {
  if (!boot::write_linux_images(memory, layout_, images_, device_tree()))
    throw std::logic_error("LinuxBoot: the planned layout is not inside RAM");
  return {layout_.kernel_addr, layout_.dtb_addr};
}

std::vector<uint8_t> vmapple_device_tree(const MachineConfig& config) {
  if (!config.kernel.empty()) return LinuxBoot(config).device_tree();
  FdtChosen chosen;
  chosen.bootargs = config.append;
  chosen.rng_seed = host_rng_seed();
  return build_vmapple_fdt(config, chosen);
}

}  // namespace vmapple
