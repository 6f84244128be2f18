// The machine's device tree, parsed back with libfdt: every node and
// property Linux relies on, the PCI interrupt-map computed here from the
// spec's rule, and a dtc decompile without warnings.
#include "machine/vmapple_fdt.h"

#include <gtest/gtest.h>
#include <libfdt.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "machine/memory_map.h"

namespace vmapple {
namespace {

class VmappleFdtTest : public ::testing::Test {
 protected:
  void build(unsigned cpus = 2, uint64_t ram = uint64_t{3} << 30) {
    config_.cpus = cpus;
    config_.ram_size = ram;
    chosen_.bootargs = "console=ttyAMA0 panic=-1";
    chosen_.initrd_start = 0x7100'0000;
    chosen_.initrd_end = 0x7123'4567;
    for (size_t i = 0; i < chosen_.rng_seed.size(); ++i)
      chosen_.rng_seed[i] = static_cast<uint8_t>(i * 3 + 1);
    blob_ = build_vmapple_fdt(config_, chosen_);
    ASSERT_EQ(fdt_check_header(blob_.data()), 0);
    ASSERT_EQ(fdt_totalsize(blob_.data()), blob_.size());
  }
  const void* fdt() const { return blob_.data(); }

  int node(const std::string& path) const {
    int off = fdt_path_offset(fdt(), path.c_str());
    EXPECT_GE(off, 0) << path;
    return off;
  }
  std::vector<uint32_t> cells(const std::string& path, const char* prop) const {
    int len = 0;
    auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt(), node(path), prop, &len));
    EXPECT_NE(p, nullptr) << path << " " << prop;
    std::vector<uint32_t> out;
    for (int i = 0; p && i < len / 4; ++i)
      out.push_back(fdt32_to_cpu(p[i]));
    return out;
  }
  std::vector<std::string> strings(const std::string& path, const char* prop) const {
    int len = 0;
    auto* p = static_cast<const char*>(fdt_getprop(fdt(), node(path), prop, &len));
    EXPECT_NE(p, nullptr) << path << " " << prop;
    std::vector<std::string> out;
    for (int i = 0; p && i < len; i += static_cast<int>(out.back().size()) + 1)
      out.emplace_back(p + i);
    return out;
  }
  bool has(const std::string& path, const char* prop) const {
    return fdt_getprop(fdt(), node(path), prop, nullptr) != nullptr;
  }
  uint32_t phandle(const std::string& path) const { return fdt_get_phandle(fdt(), node(path)); }
  std::vector<uint32_t> reg64(uint64_t base, uint64_t size) const {
    return {uint32_t(base >> 32), uint32_t(base), uint32_t(size >> 32), uint32_t(size)};
  }

  MachineConfig config_;
  FdtChosen chosen_;
  std::vector<uint8_t> blob_;
};

using S = std::vector<std::string>;
using C = std::vector<uint32_t>;

TEST_F(VmappleFdtTest, RootMemoryAndCpus) {
  build(18);
  EXPECT_EQ(cells("/", "#address-cells"), C{2});
  EXPECT_EQ(cells("/", "#size-cells"), C{2});
  EXPECT_EQ(cells("/", "interrupt-parent"), C{phandle("/interrupt-controller@10000000")});
  EXPECT_EQ(strings("/memory@70000000", "device_type"), S{"memory"});
  EXPECT_EQ(cells("/memory@70000000", "reg"), reg64(0x7000'0000, uint64_t{3} << 30));
  EXPECT_EQ(cells("/cpus", "#address-cells"), C{1});
  EXPECT_EQ(cells("/cpus", "#size-cells"), C{0});
  for (unsigned i = 0; i < 18; ++i) {
    // MPIDR: Aff0 = i % 16, Aff1 = i / 16.
    uint32_t mpidr = (i % 16) | (i / 16) << 8;
    char path[32];
    snprintf(path, sizeof path, "/cpus/cpu@%x", mpidr);
    EXPECT_EQ(cells(path, "reg"), C{mpidr});
    EXPECT_EQ(strings(path, "device_type"), S{"cpu"});
    EXPECT_EQ(strings(path, "enable-method"), S{"psci"});
    EXPECT_EQ(strings(path, "compatible"), S{"arm,armv8"});
  }
  int count = 0, off;
  fdt_for_each_subnode(off, fdt(), node("/cpus"))++ count;
  EXPECT_EQ(count, 18);
}

TEST_F(VmappleFdtTest, PsciTimerAndGic) {
  build(3);
  EXPECT_EQ(strings("/psci", "compatible"), (S{"arm,psci-1.0", "arm,psci-0.2"}));
  EXPECT_EQ(strings("/psci", "method"), S{"hvc"});
  EXPECT_EQ(strings("/timer", "compatible"), S{"arm,armv8-timer"});
  // secure phys, non-secure phys (INTID 30), virtual (INTID 27), hyp: PPI = INTID - 16.
  EXPECT_EQ(cells("/timer", "interrupts"), (C{1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4}));
  const std::string gic = "/interrupt-controller@10000000";
  EXPECT_EQ(strings(gic, "compatible"), S{"arm,gic-v3"});
  EXPECT_TRUE(has(gic, "interrupt-controller"));
  EXPECT_EQ(cells(gic, "#interrupt-cells"), C{3});
  EXPECT_EQ(cells(gic, "#redistributor-regions"), C{1});
  C reg = reg64(0x1000'0000, 0x1'0000);
  C redist = reg64(0x1001'0000, 3 * 0x2'0000);  // 128 KiB per CPU
  reg.insert(reg.end(), redist.begin(), redist.end());
  EXPECT_EQ(cells(gic, "reg"), reg);
  EXPECT_EQ(cells(gic, "#address-cells"), C{0});  // the interrupt-map has no parent address
}

TEST_F(VmappleFdtTest, PrimeCellDevicesAndPowerKey) {
  build();
  uint32_t clk = phandle("/apb-pclk");
  EXPECT_NE(clk, 0u);
  EXPECT_EQ(strings("/apb-pclk", "compatible"), S{"fixed-clock"});
  EXPECT_EQ(cells("/apb-pclk", "clock-frequency"), C{24'000'000});
  EXPECT_EQ(cells("/apb-pclk", "#clock-cells"), C{0});

  EXPECT_EQ(strings("/serial@20010000", "compatible"), (S{"arm,pl011", "arm,primecell"}));
  EXPECT_EQ(cells("/serial@20010000", "reg"), reg64(0x2001'0000, 0x1'0000));
  EXPECT_EQ(cells("/serial@20010000", "interrupts"), (C{0, 1, 4}));
  EXPECT_EQ(cells("/serial@20010000", "clocks"), (C{clk, clk}));
  EXPECT_EQ(strings("/serial@20010000", "clock-names"), (S{"uartclk", "apb_pclk"}));

  EXPECT_EQ(strings("/rtc@20050000", "compatible"), (S{"arm,pl031", "arm,primecell"}));
  EXPECT_EQ(cells("/rtc@20050000", "reg"), reg64(0x2005'0000, 0x1000));
  EXPECT_EQ(cells("/rtc@20050000", "interrupts"), (C{0, 2, 4}));
  EXPECT_EQ(cells("/rtc@20050000", "clocks"), C{clk});

  const std::string gpio = "/gpio@20060000";
  EXPECT_EQ(strings(gpio, "compatible"), (S{"arm,pl061", "arm,primecell"}));
  EXPECT_EQ(cells(gpio, "reg"), reg64(0x2006'0000, 0x1000));
  EXPECT_EQ(cells(gpio, "interrupts"), (C{0, 5, 4}));
  EXPECT_TRUE(has(gpio, "gpio-controller"));
  EXPECT_EQ(cells(gpio, "#gpio-cells"), C{2});
  EXPECT_EQ(cells(gpio, "clocks"), C{clk});

  EXPECT_EQ(strings("/gpio-keys", "compatible"), S{"gpio-keys"});
  EXPECT_EQ(cells("/gpio-keys/power", "linux,code"), C{116});  // KEY_POWER
  // Line 3, active high: the button drives the line high while pressed.
  EXPECT_EQ(cells("/gpio-keys/power", "gpios"), (C{phandle(gpio), 3, 0}));
}

TEST_F(VmappleFdtTest, PcieHostAndInterruptMap) {
  build();
  const std::string pcie = "/pcie@40000000";
  EXPECT_EQ(strings(pcie, "compatible"), S{"pci-host-ecam-generic"});
  EXPECT_EQ(strings(pcie, "device_type"), S{"pci"});
  EXPECT_EQ(cells(pcie, "#address-cells"), C{3});
  EXPECT_EQ(cells(pcie, "#size-cells"), C{2});
  EXPECT_EQ(cells(pcie, "#interrupt-cells"), C{1});
  EXPECT_EQ(cells(pcie, "reg"), reg64(0x4000'0000, 0x1000'0000));
  EXPECT_EQ(cells(pcie, "bus-range"), (C{0, 255}));  // 1 MiB of ECAM per bus
  EXPECT_TRUE(has(pcie, "dma-coherent"));
  // One 32-bit non-prefetchable memory window, identity-mapped.
  EXPECT_EQ(cells(pcie, "ranges"),
            (C{0x0200'0000, 0, 0x5000'0000, 0, 0x5000'0000, 0, 0x1fff'0000}));
  EXPECT_EQ(cells(pcie, "interrupt-map-mask"), (C{0xf800, 0, 0, 7}));

  // Spec 2.7: pin p (INTA = 1) of slot s drives line (s + p - 1) mod 16, SPI 32 + line.
  uint32_t gic = phandle("/interrupt-controller@10000000");
  C expected;
  for (uint32_t slot = 0; slot < 32; ++slot)
    for (uint32_t pin = 1; pin <= 4; ++pin)
      expected.insert(expected.end(),
                      {slot << 11, 0, 0, pin, gic, 0, 32 + (slot + pin - 1) % 16, 4});
  EXPECT_EQ(cells(pcie, "interrupt-map"), expected);
  // Spot checks written out: slot 1 INTA -> SPI 33, slot 15 INTB -> SPI 32, slot 31 INTD -> SPI 34.
  auto map = cells(pcie, "interrupt-map");
  auto spi_of = [&](uint32_t slot, uint32_t pin) { return map[((slot * 4) + pin - 1) * 8 + 6]; };
  EXPECT_EQ(spi_of(1, 1), 33u);
  EXPECT_EQ(spi_of(15, 2), 32u);
  EXPECT_EQ(spi_of(31, 4), 34u);
}

TEST_F(VmappleFdtTest, Chosen) {
  build();
  EXPECT_EQ(strings("/chosen", "bootargs"), S{"console=ttyAMA0 panic=-1"});
  EXPECT_EQ(strings("/chosen", "stdout-path"), S{"/serial@20010000"});
  EXPECT_GE(fdt_path_offset(fdt(), "/serial@20010000"), 0);
  EXPECT_EQ(cells("/chosen", "linux,initrd-start"), (C{0, 0x7100'0000}));
  EXPECT_EQ(cells("/chosen", "linux,initrd-end"), (C{0, 0x7123'4567}));
  int len = 0;
  auto* seed = static_cast<const uint8_t*>(fdt_getprop(fdt(), node("/chosen"), "rng-seed", &len));
  ASSERT_NE(seed, nullptr);
  EXPECT_EQ(std::vector<uint8_t>(seed, seed + len),
            std::vector<uint8_t>(chosen_.rng_seed.begin(), chosen_.rng_seed.end()));

  // Without an initrd there are no initrd properties.
  chosen_.initrd_start = chosen_.initrd_end = 0;
  blob_ = build_vmapple_fdt(config_, chosen_);
  EXPECT_FALSE(has("/chosen", "linux,initrd-start"));
  EXPECT_FALSE(has("/chosen", "linux,initrd-end"));
}

TEST(HostRngSeedTest, TwoSeedsDiffer) {
  auto a = host_rng_seed(), b = host_rng_seed();
  EXPECT_NE(a, b);
  EXPECT_NE(a, decltype(a){});
}

// dtc's checks (unit addresses, reg sizes, interrupt-map, gpios, PCI
// bridge rules) pass with no warning for 1, 2 and 32 CPUs.
TEST_F(VmappleFdtTest, DtcDecompilesWithoutWarnings) {
  if (system("command -v dtc >/dev/null 2>&1") != 0)
    GTEST_FAIL() << "dtc is missing (scripts/setup installs device-tree-compiler)";
  for (unsigned cpus : {1u, 2u, 32u}) {
    build(cpus);
    auto dir = std::filesystem::temp_directory_path();
    auto dtb = dir / ("vmapple-fdt-" + std::to_string(getpid()) + ".dtb");
    auto log = dir / ("vmapple-fdt-" + std::to_string(getpid()) + ".log");
    std::ofstream(dtb, std::ios::binary)
        .write(reinterpret_cast<const char*>(blob_.data()),
               static_cast<std::streamsize>(blob_.size()));
    std::string cmd = "dtc -I dtb -O dts -o /dev/null " + dtb.string() + " 2>" + log.string();
    EXPECT_EQ(system(cmd.c_str()), 0) << cmd;
    std::ifstream in(log);
    std::string warnings((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(warnings, "") << cpus << " CPUs";
    std::filesystem::remove(dtb);
    std::filesystem::remove(log);
  }
}

}  // namespace
}  // namespace vmapple
