#include "machine/vmapple_machine.h"

#include <ctime>
#include <fstream>
#include <iterator>
#include <random>

#include <fmt/format.h>

#include "base/error.h"
#include "base/size.h"
#include "block/block_backend.h"
#include "hw/char/char_backend.h"
#include "hw/char/pl011.h"
#include "hw/gpio/pl061.h"
#include "hw/gpio/power_button.h"
#include "hw/intc/gicv3.h"
#include "hw/misc/pvpanic_mmio.h"
#include "hw/rtc/pl031.h"
#include "hw/vmapple/aes.h"
#include "hw/vmapple/bdif.h"
#include "hw/vmapple/bdif_disk.h"
#include "hw/vmapple/cfg.h"

namespace vmapple {
namespace {

BlockOptions::Engine engine_from(const std::string& name) {
  if (name == "io_uring") return BlockOptions::Engine::kIoUring;
  if (name == "threads") return BlockOptions::Engine::kThreadPool;
  return BlockOptions::Engine::kAuto;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("--firmware: '{}' cannot be read", path));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

VmappleMachine::VmappleMachine(const MachineConfig& config, EventLoop& loop,
                               PvpanicListener& pvpanic, std::function<void()> quit)
    : config_(config), loop_(loop) {
  build_memory();
  build_gic();
  build_devices(pvpanic, std::move(quit));
  open_disks();
  build_backdoor();
}

VmappleMachine::~VmappleMachine() = default;

void VmappleMachine::build_memory() {
  memory_.add_region(std::string(board::kFirmware.name), board::kFirmware.base,
                     board::kFirmware.size);
  memory_.add_region(std::string(board::kCfg.name), board::kCfg.base, board::kCfg.size);
  memory_.add_region(std::string(board::kRam.name), board::kRamBase, config_.ram_size);
  if (!config_.firmware.empty()) {
    firmware_ = read_file(config_.firmware);
    if (firmware_.size() > board::kFirmware.size)
      throw ConfigError(fmt::format("--firmware: '{}' is larger than the 1 MiB firmware region",
                                    config_.firmware));
  }
}

// The software GICv3 (spec 2.4); under KVM the Vm uses the kernel's vGIC at
// the same addresses instead. Devices only see its IrqLines.
void VmappleMachine::build_gic() {
  gic_ = std::make_unique<GicV3>(config_.cpus);
  address_space_.add_mmio(std::string(board::kGicDist.name), board::kGicDist.base,
                          GicV3::kDistributorSize, gic_->distributor(), GicV3::kRules);
  address_space_.add_mmio(std::string(board::kGicRedist.name), board::kGicRedist.base,
                          gic_->redistributor_region_size(), gic_->redistributors(), GicV3::kRules);
  devices_.push_back(gic_.get());
}

InterruptController& VmappleMachine::interrupts() {
  return *gic_;
}

void VmappleMachine::map(const board::MapEntry& entry, MmioDevice& device, MmioAccessRules rules) {
  address_space_.add_mmio(std::string(entry.name), entry.base, entry.size, device, rules);
  devices_.push_back(&device);
}

void VmappleMachine::build_devices(PvpanicListener& pvpanic, std::function<void()> quit) {
  try {
    serial_ = make_char_backend(parse_serial_spec(config_.serial), loop_);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("--serial: {}", e.what()));
  }
  serial_->set_quit_handler(std::move(quit));
  uart_ = std::make_unique<Pl011>(gic_->spi(board::kUart.spi), *serial_);
  map(board::kUart, *uart_, kPrimeCellRules);

  rtc_ = std::make_unique<Pl031>(static_cast<uint64_t>(std::time(nullptr)), loop_,
                                 gic_->spi(board::kRtc.spi));
  map(board::kRtc, *rtc_, kPrimeCellRules);

  gpio_ = std::make_unique<Pl061>(gic_->spi(board::kGpio.spi));
  map(board::kGpio, *gpio_, kPrimeCellRules);
  power_button_ = std::make_unique<PowerButton>(*gpio_, loop_);
  devices_.push_back(power_button_.get());

  pvpanic_ = std::make_unique<PvpanicMmio>(pvpanic);
  map(board::kPvpanic, *pvpanic_, PvpanicMmio::kRules);

  VmappleCfgProperties props;
  props.nr_cpus = config_.cpus;
  props.ecid = config_.ecid;
  props.ram_size = config_.ram_size;
  props.rnd = static_cast<uint32_t>(std::random_device{}());
  cfg_ = std::make_unique<VmappleCfgDevice>(props, memory_);
  devices_.push_back(cfg_.get());

  aes_ = std::make_unique<AesEngine>(memory_, gic_->spi(board::kAes1.spi));
  map(board::kAes1, *aes_, AesEngine::kRules);
  address_space_.add_mmio(std::string(board::kAes2.name), board::kAes2.base, board::kAes2.size,
                          aes_->region2(), AesEngine::kRules);
}

// The backdoor reads the disks with the aux and root roles through its own
// read-only descriptors (the BlockBackend of the same image holds the lock).
void VmappleMachine::build_backdoor() {
  for (const auto& disk : config_.disks) {
    if (disk.role == DiskConfig::Role::kData) continue;
    auto& slot = disk.role == DiskConfig::Role::kAux ? bdif_aux_ : bdif_root_;
    try {
      slot = std::make_unique<FileBdifDisk>(disk.path, disk.header_offset);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("--disk: {}", e.what()));
    }
  }
  bdif_ = std::make_unique<Bdif>(memory_, bdif_root_.get(), bdif_aux_.get());
  map(board::kBdif, *bdif_, Bdif::kRules);
}

void VmappleMachine::open_disks() {
  for (const auto& disk : config_.disks) {
    try {
      disks_.push_back(
          BlockBackend::open({disk.path, disk.read_only, engine_from(disk.engine)}, loop_));
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("--disk: {}", e.what()));
    }
  }
}

void VmappleMachine::reset() {
  for (Device* d : devices_)
    d->reset();
  memory_.zero(board::kFirmware.base, board::kFirmware.size);
  memory_.write(board::kFirmware.base, firmware_);
}

std::string VmappleMachine::describe() const {
  std::string out =
      fmt::format("vmapple machine: {} CPU{}, {} RAM at {:#010x}\n", config_.cpus,
                  config_.cpus == 1 ? "" : "s", format_size(config_.ram_size), board::kRamBase);
  auto line = [&](const board::MapEntry& e, std::string_view what) {
    out += fmt::format("  {:#010x}-{:#010x}  {:<10} ", e.base, e.end() - 1, e.name);
    out += e.spi >= 0 ? fmt::format("{:<36}  SPI {} (INTID {})\n", what, e.spi, e.spi + 32)
                      : fmt::format("{}\n", what);
  };
  line(board::kFirmware,
       firmware_.empty() ? std::string("RAM, empty")
                         : fmt::format("RAM, {} ({} bytes)", config_.firmware, firmware_.size()));
  line(board::kCfg, fmt::format("RAM, ecid {:#x}", config_.ecid));
  out += fmt::format("  {:#010x}-{:#010x}  {:<10} GICv3 distributor\n", board::kGicDist.base,
                     board::kGicDist.base + GicV3::kDistributorSize - 1, board::kGicDist.name);
  out += fmt::format("  {:#010x}-{:#010x}  {:<10} GICv3 redistributors, {} x 128 KiB\n",
                     board::kGicRedist.base,
                     board::kGicRedist.base + gic_->redistributor_region_size() - 1,
                     board::kGicRedist.name, config_.cpus);
  line(board::kUart, fmt::format("serial: {}", config_.serial));
  line(board::kRtc, "real-time clock");
  line(board::kGpio, "power button on line 3");
  line(board::kPvpanic, "panic notifier");
  auto bdif_disk = [](const std::unique_ptr<FileBdifDisk>& d) {
    if (!d) return std::string("none");
    if (d->header_offset() == 0) return d->path();
    return fmt::format("{} (after a {}-byte header)", d->path(), d->header_offset());
  };
  line(board::kBdif,
       fmt::format("backdoor: root {}, aux {}", bdif_disk(bdif_root_), bdif_disk(bdif_aux_)));
  line(board::kAes1, "AES engine");
  line(board::kAes2, "AES engine, second window");
  for (const auto& d : disks_)
    out += fmt::format("  disk {} ({}, {}{})\n", d->path(), format_size(d->size()),
                       d->engine_name(), d->read_only() ? ", read-only" : "");
  return out;
}

}  // namespace vmapple
