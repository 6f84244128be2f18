#include "machine/vmapple_fdt.h"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

#include "boot/fdt_writer.h"
#include "hw/gpio/power_button.h"
#include "hw/intc/gicv3.h"
#include "hw/pci/pci_bus.h"
#include "machine/memory_map.h"

namespace vmapple {
namespace {

using boot::FdtWriter;
using boot::hi32;
using boot::lo32;
using namespace fdt_layout;

// PCI: the child unit address is (phys.hi, phys.mid, phys.lo); phys.hi
// carries the device number in bits 15:11 and the space code in bits 25:24.
constexpr uint32_t kPciSpaceMem32 = 0x0200'0000;
constexpr uint32_t kPciDeviceShift = 11;
constexpr unsigned kPciSlots = 32;
constexpr unsigned kPciPins = 4;  // INTA..INTD = 1..4

struct Phandles {
  uint32_t gic, clock, gpio;
};

std::string node(std::string_view name, uint64_t address) {
  return fmt::format("{}@{:x}", name, address);
}

void reg(FdtWriter& w, const board::MapEntry& e, uint64_t size) {
  w.prop_cells("reg", {hi32(e.base), lo32(e.base), hi32(size), lo32(size)});
}

void spi_interrupt(FdtWriter& w, unsigned spi) {
  w.prop_cells("interrupts", {kSpi, spi, kLevelHigh});
}

void primecell_clocks(FdtWriter& w, const Phandles& ph) {
  w.prop_u32("clocks", ph.clock);
  w.prop_string("clock-names", "apb_pclk");
}

void add_cpus(FdtWriter& w, unsigned cpus) {
  w.begin_node("cpus");
  w.prop_u32("#address-cells", 1);
  w.prop_u32("#size-cells", 0);
  for (unsigned i = 0; i < cpus; ++i) {
    uint64_t mpidr = board::mpidr_affinity(i);
    w.begin_node(node("cpu", mpidr));
    w.prop_string("device_type", "cpu");
    w.prop_string("compatible", "arm,armv8");
    w.prop_u32("reg", static_cast<uint32_t>(mpidr));
    w.prop_string("enable-method", "psci");
    w.end_node();
  }
  w.end_node();
}

void add_memory(FdtWriter& w, uint64_t ram_size) {
  w.begin_node(node("memory", board::kRamBase));
  w.prop_string("device_type", "memory");
  reg(w, board::kRam, ram_size);
  w.end_node();
}

void add_psci_and_timer(FdtWriter& w) {
  w.begin_node("psci");
  w.prop_strings("compatible", {"arm,psci-1.0", "arm,psci-0.2"});
  w.prop_string("method", "hvc");
  w.end_node();

  // The binding's order: secure physical, non-secure physical, virtual,
  // hypervisor physical; PPI numbers are INTID - 16. Linux at EL1 uses the
  // virtual timer.
  constexpr uint32_t kSecurePhysIntid = 29, kHypPhysIntid = 26;
  w.begin_node("timer");
  w.prop_string("compatible", "arm,armv8-timer");
  w.prop_cells("interrupts", {kPpi, kSecurePhysIntid - 16, kLevelHigh,          //
                              kPpi, board::kPhysicalTimerPpi - 16, kLevelHigh,  //
                              kPpi, board::kVirtualTimerPpi - 16, kLevelHigh,   //
                              kPpi, kHypPhysIntid - 16, kLevelHigh});
  w.prop_empty("always-on");
  w.end_node();
}

void add_gic(FdtWriter& w, const Phandles& ph, unsigned cpus) {
  w.begin_node(node("interrupt-controller", board::kGicDist.base));
  w.prop_string("compatible", "arm,gic-v3");
  w.prop_u32("#interrupt-cells", 3);
  // No ITS child: no unit address cells, so the PCI interrupt-map's parent
  // specifiers carry none either.
  w.prop_u32("#address-cells", 0);
  w.prop_empty("interrupt-controller");
  w.prop_u32("#redistributor-regions", 1);
  uint64_t redist = uint64_t{cpus} * GicV3::kRedistributorStride;
  w.prop_cells(
      "reg", {hi32(board::kGicDist.base), lo32(board::kGicDist.base), hi32(GicV3::kDistributorSize),
              lo32(GicV3::kDistributorSize), hi32(board::kGicRedist.base),
              lo32(board::kGicRedist.base), hi32(redist), lo32(redist)});
  w.prop_u32("phandle", ph.gic);
  w.end_node();
}

void add_primecells(FdtWriter& w, const Phandles& ph) {
  w.begin_node("apb-pclk");
  w.prop_string("compatible", "fixed-clock");
  w.prop_u32("#clock-cells", 0);
  w.prop_u32("clock-frequency", kApbClockHz);
  w.prop_string("clock-output-names", "clk24mhz");
  w.prop_u32("phandle", ph.clock);
  w.end_node();

  w.begin_node(node("serial", board::kUart.base));
  w.prop_strings("compatible", {"arm,pl011", "arm,primecell"});
  reg(w, board::kUart, board::kUart.size);
  spi_interrupt(w, board::kUart.spi);
  w.prop_cells("clocks", {ph.clock, ph.clock});
  w.prop_strings("clock-names", {"uartclk", "apb_pclk"});
  w.end_node();

  w.begin_node(node("rtc", board::kRtc.base));
  w.prop_strings("compatible", {"arm,pl031", "arm,primecell"});
  reg(w, board::kRtc, board::kRtc.size);
  spi_interrupt(w, board::kRtc.spi);
  primecell_clocks(w, ph);
  w.end_node();

  w.begin_node(node("gpio", board::kGpio.base));
  w.prop_strings("compatible", {"arm,pl061", "arm,primecell"});
  reg(w, board::kGpio, board::kGpio.size);
  spi_interrupt(w, board::kGpio.spi);
  w.prop_empty("gpio-controller");
  w.prop_u32("#gpio-cells", 2);
  w.prop_empty("interrupt-controller");
  w.prop_u32("#interrupt-cells", 2);
  w.prop_u32("#address-cells", 0);
  primecell_clocks(w, ph);
  w.prop_u32("phandle", ph.gpio);
  w.end_node();

  // The power button drives its line high while pressed (spec 2.9).
  constexpr uint32_t kGpioActiveHigh = 0;
  w.begin_node("gpio-keys");
  w.prop_string("compatible", "gpio-keys");
  w.begin_node("power");
  w.prop_string("label", "power");
  w.prop_u32("linux,code", kKeyPower);
  w.prop_cells("gpios", {ph.gpio, PowerButton::kDefaultLine, kGpioActiveHigh});
  w.end_node();
  w.end_node();
}

// INTx pin p (1..4) of slot s drives PCIe line (s + p - 1) mod 16, SPI
// kPcieIntxSpiBase + line (PciBus::intx_line, spec 2.7): one entry per slot
// and pin, as the pattern does not repeat within the 5 device bits.
void add_pcie(FdtWriter& w, const Phandles& ph) {
  w.begin_node(node("pcie", board::kPcieEcam.base));
  w.prop_string("compatible", "pci-host-ecam-generic");
  w.prop_string("device_type", "pci");
  w.prop_u32("#address-cells", 3);
  w.prop_u32("#size-cells", 2);
  w.prop_u32("#interrupt-cells", 1);
  w.prop_cells("bus-range", {0, static_cast<uint32_t>(board::kPcieEcam.size >> 20) - 1});
  w.prop_u32("linux,pci-domain", 0);
  w.prop_empty("dma-coherent");
  reg(w, board::kPcieEcam, board::kPcieEcam.size);
  const auto& mmio = board::kPcieMmio;
  w.prop_cells("ranges", {kPciSpaceMem32, hi32(mmio.base), lo32(mmio.base), hi32(mmio.base),
                          lo32(mmio.base), hi32(mmio.size), lo32(mmio.size)});
  w.prop_cells("interrupt-map-mask", {0x1f << kPciDeviceShift, 0, 0, 7});
  std::vector<uint32_t> map;
  for (unsigned slot = 0; slot < kPciSlots; ++slot) {
    for (unsigned pin = 1; pin <= kPciPins; ++pin) {
      unsigned line = (slot + pin - 1) % board::kPcieIntxLines;
      // The GIC's #address-cells is 0: no parent unit address cells.
      map.insert(map.end(), {slot << kPciDeviceShift, 0, 0, pin, ph.gic, kSpi,
                             board::kPcieIntxSpiBase + line, kLevelHigh});
    }
  }
  w.prop_cells("interrupt-map", map);
  w.end_node();
}

void add_chosen(FdtWriter& w, const FdtChosen& chosen) {
  w.begin_node("chosen");
  w.prop_string("bootargs", chosen.bootargs);
  w.prop_string("stdout-path", "/" + node("serial", board::kUart.base));
  if (chosen.initrd_end > chosen.initrd_start) {
    w.prop_u64("linux,initrd-start", chosen.initrd_start);
    w.prop_u64("linux,initrd-end", chosen.initrd_end);
  }
  w.prop("rng-seed", chosen.rng_seed);
  w.end_node();
}

}  // namespace

std::array<uint8_t, 64> host_rng_seed() {
  std::array<uint8_t, 64> seed{};
  size_t got = 0;
  while (got < seed.size()) {
    ssize_t n = getrandom(seed.data() + got, seed.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
    got += static_cast<size_t>(n);
  }
  return seed;
}

std::vector<uint8_t> build_vmapple_fdt(const MachineConfig& config, const FdtChosen& chosen) {
  FdtWriter w;
  Phandles ph{};
  ph.gic = w.alloc_phandle();
  ph.clock = w.alloc_phandle();
  ph.gpio = w.alloc_phandle();

  w.begin_node("");
  w.prop_string("compatible", "apple,vmapple");
  w.prop_string("model", "vmapple");
  w.prop_u32("#address-cells", 2);
  w.prop_u32("#size-cells", 2);
  w.prop_u32("interrupt-parent", ph.gic);
  add_cpus(w, config.cpus);
  add_memory(w, config.ram_size);
  add_psci_and_timer(w);
  add_gic(w, ph, config.cpus);
  add_primecells(w, ph);
  add_pcie(w, ph);
  add_chosen(w, chosen);
  w.end_node();
  return w.finish();
}

}  // namespace vmapple
