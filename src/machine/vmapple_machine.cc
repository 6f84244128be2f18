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
#include "hw/pci/gpex.h"
#include "hw/rtc/pl031.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "hw/usb/hid/usb_tablet.h"
#include "hw/usb/xhci/xhci_pci.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_pci.h"
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

// The Apple virtio-blk variant of a disk: asked for with apple=, or implied
// by its role in the boot chain (spec 2.8: aux and root are Apple devices).
std::string apple_variant(const DiskConfig& disk) {
  if (!disk.apple.empty()) return disk.apple;
  if (disk.role == DiskConfig::Role::kAux) return "aux";
  if (disk.role == DiskConfig::Role::kRoot) return "root";
  return "";
}

}  // namespace

VmappleMachine::VmappleMachine(const MachineConfig& config, EventLoop& loop,
                               PvpanicListener& pvpanic, std::function<void()> quit)
    : config_(config), loop_(loop) {
  build_memory();
  build_gic();
  build_devices(pvpanic, std::move(quit));
  build_pcie();
  build_usb();
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
// The first disk of each role is the one it serves (spec 2.10).
void VmappleMachine::build_backdoor() {
  for (const auto& disk : config_.disks) {
    if (disk.role == DiskConfig::Role::kData) continue;
    auto& slot = disk.role == DiskConfig::Role::kAux ? bdif_aux_ : bdif_root_;
    if (slot) continue;
    try {
      slot = std::make_unique<FileBdifDisk>(disk.path, disk.header_offset);
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("--disk: {}", e.what()));
    }
  }
  bdif_ = std::make_unique<Bdif>(memory_, bdif_root_.get(), bdif_aux_.get());
  map(board::kBdif, *bdif_, Bdif::kRules);
}

void VmappleMachine::build_pcie() {
  std::vector<IrqLine*> intx;
  for (unsigned k = 0; k < board::kPcieIntxLines; ++k)
    intx.push_back(&gic_->spi(board::kPcieIntxSpiBase + k));
  pcie_ = std::make_unique<GpexHost>(address_space_, board::kPcieMmio.base, board::kPcieMmio.size,
                                     std::move(intx));
  map(board::kPcieEcam, *pcie_, GpexHost::kEcamRules);
}

// qemu-xhci with conditional-intr-mapping on (spec 2.8, 8.3): the function
// is always in INTx mode here, and macOS's driver targets event rings 1 and
// 2, so every event must reach ring 0 to raise the pin.
void VmappleMachine::build_usb() {
  if (!config_.default_devices) return;
  usb::XhciOptions options;
  options.conditional_intr_mapping = true;
  xhci_ = std::make_unique<usb::XhciPci>(memory_, loop_, options);
  keyboard_ = std::make_unique<usb::UsbKeyboard>(loop_);
  tablet_ = std::make_unique<usb::UsbTablet>(loop_);
  xhci_->attach(kKeyboardPort, *keyboard_);
  xhci_->attach(kTabletPort, *tablet_);
  pcie_->bus().add(kUsbSlot, 0, *xhci_);
}

void VmappleMachine::open_disks() {
  if (config_.disks.size() > PciBus::kSlots - kFirstDiskSlot)
    throw ConfigError(fmt::format("--disk: at most {} disks fit on the PCI bus",
                                  PciBus::kSlots - kFirstDiskSlot));
  for (const auto& disk : config_.disks) {
    try {
      auto backend = BlockBackend::open(
          {disk.path, disk.read_only, engine_from(disk.engine), disk.header_offset}, loop_);
      disks_.push_back(backend.get());
      virtio::VirtioBlkOptions options;
      std::string apple = apple_variant(disk);
      if (!apple.empty()) options.apple = virtio::parse_apple_variant(apple);
      // One queue per vCPU, as QEMU's num-queues=auto (spec 6.1).
      options.num_queues = static_cast<uint16_t>(config_.cpus);
      blk_.push_back(std::make_unique<virtio::VirtioBlk>(memory_, std::move(backend), options));
    } catch (const ConfigError& e) {
      throw ConfigError(fmt::format("--disk: {}", e.what()));
    }
    unsigned slot = kFirstDiskSlot + static_cast<unsigned>(blk_pci_.size());
    std::string name =
        apple_variant(disk).empty() ? "virtio-blk" : "vmapple-virtio-blk-" + apple_variant(disk);
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
  // Apple's ParavirtualizedGraphics exists only on macOS hosts: its windows
  // and SPIs 16/17 stay free (accesses read 0 and are ignored), not faked.
  line(board::kGfx, "reserved: apple-gfx (macOS hosts only)");
  line(board::kIosfc, "reserved: apple-gfx IOSurface mapper");
  line(board::kAes1, "AES engine");
  line(board::kAes2, "AES engine, second window");
  line(board::kPcieEcam, "PCIe host bridge (GPEX), bus 0");
  line(board::kPcieMmio,
       fmt::format("PCIe memory window, INTx on SPI {}-{}", board::kPcieIntxSpiBase,
                   board::kPcieIntxSpiBase + board::kPcieIntxLines - 1));
  if (xhci_) {
    unsigned line = pcie_->bus().intx_line(kUsbSlot, pci::IntxPin::kA);
    out += fmt::format(
        "  pci 00:{:02x}.0  xhci (qemu-xhci), usb-kbd on port {}, usb-tablet on port {}, INTx line "
        "{} (SPI {})\n",
        kUsbSlot, kKeyboardPort, kTabletPort, line, board::kPcieIntxSpiBase + line);
  }
  for (size_t i = 0; i < disks_.size(); ++i) {
    const BlockBackend* d = disks_[i];
    const DiskConfig& c = config_.disks[i];
    unsigned slot = kFirstDiskSlot + static_cast<unsigned>(i);
    out += fmt::format(
        "  pci 00:{:02x}.0  {} {} ({}, {}{}), INTx line {} (SPI {})\n", slot,
        apple_variant(c).empty() ? "virtio-blk" : "vmapple-virtio-blk, " + apple_variant(c),
        d->path(), format_size(d->size()), d->engine_name(), d->read_only() ? ", read-only" : "",
        pcie_->bus().intx_line(slot, pci::IntxPin::kA),
        board::kPcieIntxSpiBase + pcie_->bus().intx_line(slot, pci::IntxPin::kA));
  }
  return out;
}

}  // namespace vmapple
