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
#include "hw/intc/irq_latch.h"
#include "hw/misc/pvpanic_mmio.h"
#include "hw/pci/gpex.h"
#include "hw/rtc/pl031.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_pci.h"
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
  // The GICv3 replaces this stand-in; devices only see IrqLine&.
  interrupts_ = std::make_unique<IrqLatch>(config_.cpus, board::kNumSpis);
  build_devices(pvpanic, std::move(quit));
  build_pcie();
  open_disks();
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
  uart_ = std::make_unique<Pl011>(interrupts_->spi(board::kUart.spi), *serial_);
  map(board::kUart, *uart_, kPrimeCellRules);

  rtc_ = std::make_unique<Pl031>(static_cast<uint64_t>(std::time(nullptr)), loop_,
                                 interrupts_->spi(board::kRtc.spi));
  map(board::kRtc, *rtc_, kPrimeCellRules);

  gpio_ = std::make_unique<Pl061>(interrupts_->spi(board::kGpio.spi));
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
}

void VmappleMachine::build_pcie() {
  std::vector<IrqLine*> intx;
  for (unsigned k = 0; k < board::kPcieIntxLines; ++k)
    intx.push_back(&interrupts_->spi(board::kPcieIntxSpiBase + k));
  pcie_ = std::make_unique<GpexHost>(address_space_, board::kPcieMmio.base, board::kPcieMmio.size,
                                     std::move(intx));
  map(board::kPcieEcam, *pcie_, GpexHost::kEcamRules);
}

void VmappleMachine::open_disks() {
  if (config_.disks.size() > PciBus::kSlots - kFirstDiskSlot)
    throw ConfigError(fmt::format("--disk: at most {} disks fit on the PCI bus",
                                  PciBus::kSlots - kFirstDiskSlot));
  for (const auto& disk : config_.disks) {
    try {
      auto backend =
          BlockBackend::open({disk.path, disk.read_only, engine_from(disk.engine)}, loop_);
      disks_.push_back(backend.get());
      virtio::VirtioBlkOptions options;
      if (!disk.apple.empty()) options.apple = virtio::parse_apple_variant(disk.apple);
      // One queue per vCPU, as QEMU's num-queues=auto (spec 6.1).
      options.num_queues = static_cast<uint16_t>(config_.cpus);
      blk_.push_back(std::make_unique<virtio::VirtioBlk>(memory_, std::move(backend), options));
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("--disk: {}", e.what()));
    }
    unsigned slot = kFirstDiskSlot + static_cast<unsigned>(blk_pci_.size());
    std::string name = disk.apple.empty() ? "virtio-blk" : "vmapple-virtio-blk-" + disk.apple;
    blk_pci_.push_back(
        std::make_unique<VirtioPci>(fmt::format("{} {:02x}.0", name, slot), *blk_.back()));
    pcie_->bus().add(slot, 0, *blk_pci_.back());
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
  line(board::kUart, fmt::format("serial: {}", config_.serial));
  line(board::kRtc, "real-time clock");
  line(board::kGpio, "power button on line 3");
  line(board::kPvpanic, "panic notifier");
  line(board::kPcieEcam, "PCIe host bridge (GPEX), bus 0");
  line(board::kPcieMmio,
       fmt::format("PCIe memory window, INTx on SPI {}-{}", board::kPcieIntxSpiBase,
                   board::kPcieIntxSpiBase + board::kPcieIntxLines - 1));
  for (size_t i = 0; i < disks_.size(); ++i) {
    const BlockBackend* d = disks_[i];
    const DiskConfig& c = config_.disks[i];
    unsigned slot = kFirstDiskSlot + static_cast<unsigned>(i);
    out +=
        fmt::format("  pci 00:{:02x}.0  {} {} ({}, {}{}), INTx line {} (SPI {})\n", slot,
                    c.apple.empty() ? "virtio-blk" : "vmapple-virtio-blk, " + c.apple, d->path(),
                    format_size(d->size()), d->engine_name(), d->read_only() ? ", read-only" : "",
                    pcie_->bus().intx_line(slot, pci::IntxPin::kA),
                    board::kPcieIntxSpiBase + pcie_->bus().intx_line(slot, pci::IntxPin::kA));
  }
  return out;
}

}  // namespace vmapple
