#include "machine/vmapple_machine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/bits.h"
#include "base/error.h"
#include "block/block_backend.h"
#include "hw/gpio/power_button.h"
#include "hw/intc/gicv3.h"
#include "hw/misc/pvpanic_mmio.h"
#include "hw/pci/gpex.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "hw/usb/hid/usb_tablet.h"
#include "hw/usb/xhci/xhci_pci.h"
#include "unit/hw/virtio_driver.h"
#include "unit/hw/xhci_driver.h"

namespace vmapple {
namespace {

struct PanicRecorder : PvpanicListener {
  std::vector<PvpanicEvent> events;
  void pvpanic_event(PvpanicEvent e) override { events.push_back(e); }
};

class MachineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vmapple-machine-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    config_.firmware = (dir_ / "fw.bin").string();
    std::ofstream(config_.firmware, std::ios::binary) << std::string("\x01\x02\x03\x04", 4);
    config_.ram_size = 64ull << 20;
    config_.cpus = 2;
    config_.ecid = 0x1122334455667788ull;
    config_.serial = "none";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<VmappleMachine> build() {
    auto m = std::make_unique<VmappleMachine>(config_, loop_, panics_, [this] { ++quits_; });
    m->reset();
    return m;
  }
  // A bdif READ of one 512-byte sector as the boot ROM issues it (spec 5.3):
  // descriptor, sector header and status byte in RAM, CMD in `window`.
  // Returns the status byte; the data lands at kBdifData.
  static constexpr uint64_t kBdifData = 0x7000'1000;
  uint8_t bdif_read(VmappleMachine& m, uint64_t window, uint32_t sector) {
    const uint64_t desc = 0x7000'0000, header = 0x7000'0100, status = 0x7000'0200;
    auto& mem = m.memory();
    uint8_t d[48] = {};
    store_le<uint64_t>(d, header);
    store_le<uint32_t>(d + 8, 16);
    store_le<uint64_t>(d + 0x10, kBdifData);
    store_le<uint32_t>(d + 0x18, 512);
    store_le<uint32_t>(d + 0x1c, 0x0003'0001);
    store_le<uint64_t>(d + 0x20, status);
    mem.write(desc, d);
    mem.write_le<uint32_t>(header + 8, sector);
    mem.write_le<uint8_t>(status, 0xee);
    m.address_space().write(0x3000'0000 + window + 0x408, 8, desc);
    return *mem.read_le<uint8_t>(status);
  }
  uint64_t read(VmappleMachine& m, uint64_t gpa, unsigned size = 4) {
    uint64_t v = 0;
    EXPECT_EQ(m.address_space().read(gpa, size, &v), MmioStatus::kOk) << std::hex << gpa;
    return v;
  }

  std::filesystem::path dir_;
  MachineConfig config_;
  EventLoop loop_;
  PanicRecorder panics_;
  int quits_ = 0;
};

TEST_F(MachineTest, RamFirmwareAndCfgFollowTheMemoryMap) {
  auto m = build();
  EXPECT_EQ(read(*m, 0x0010'0000), 0x04030201u);
  EXPECT_EQ(read(*m, 0x0010'0004), 0u);
  EXPECT_EQ(read(*m, 0x001f'fffc), 0u);
  // cfg: version, nr_cpus, ecid, ram_size (spec 3.2).
  EXPECT_EQ(read(*m, 0x0040'0000), 2u);
  EXPECT_EQ(read(*m, 0x0040'0004), 2u);
  EXPECT_EQ(read(*m, 0x0040'0018, 8), 0x1122334455667788ull);
  EXPECT_EQ(read(*m, 0x0040'0020, 8), 64ull << 20);
  // RAM is exactly --memory long.
  EXPECT_EQ(m->address_space().write(0x7000'0000 + (64ull << 20) - 8, 8, 5), MmioStatus::kOk);
  uint64_t v;
  EXPECT_EQ(m->address_space().read(0x7000'0000 + (64ull << 20), 4, &v), MmioStatus::kUnassigned);
  EXPECT_EQ(m->address_space().read(0x6fff'fffc, 4, &v), MmioStatus::kUnassigned);
}

TEST_F(MachineTest, DevicesAnswerAtTheirAddresses) {
  auto m = build();
  auto periph_id = [&](uint64_t base) {
    uint32_t id = 0;
    for (unsigned i = 0; i < 4; ++i)
      id |= (read(*m, base + 0xfe0 + 4 * i) & 0xff) << (8 * i);
    return id;
  };
  EXPECT_EQ(periph_id(0x2001'0000) & 0xfffff, 0x41011u);  // PL011 (revision aside)
  EXPECT_EQ(periph_id(0x2005'0000), 0x00041031u);         // PL031
  EXPECT_EQ(periph_id(0x2006'0000), 0x00041061u);         // PL061
  EXPECT_EQ(read(*m, 0x2007'0000, 1), 0x03u);             // pvpanic events
  // The GICv3: distributor and one redistributor per CPU (spec 2.4).
  EXPECT_EQ(read(*m, 0x1000'ffe8) & 0xf0, 0x30u);  // GICD_PIDR2.ArchRev = 3
  EXPECT_EQ(read(*m, 0x1000'0004) & 0x1f, 8u);     // GICD_TYPER.ITLinesNumber: 288 INTIDs
  EXPECT_EQ(read(*m, 0x1001'0000 + 0xffe8) & 0xf0, 0x30u);
  EXPECT_EQ(read(*m, 0x1001'0008, 8), 0x0000'0000'0000'0000u);  // CPU 0, not last
  EXPECT_EQ(read(*m, 0x1003'0008, 8), 0x0000'0001'0000'0110u);  // CPU 1, Aff0 1, Last
  EXPECT_EQ(read(*m, 0x3000'0000), 1u);                         // bdif root window STATUS
  EXPECT_EQ(read(*m, 0x3001'0420), 0x0001'0000u);               // bdif aux window NEXT_DEVICE
  EXPECT_EQ(read(*m, 0x3022'000c), 0x3F80u);                    // AES STATUS
  EXPECT_EQ(read(*m, 0x3022'0024), 2u);                         // AES Q_STATUS
  EXPECT_EQ(read(*m, 0x3023'0000), 0u);                         // AES region 2
  // Holes read zero: past the last redistributor, after AES region 2.
  uint64_t v = 1;
  EXPECT_EQ(m->address_space().read(0x1005'0008, 4, &v), MmioStatus::kUnassigned);
  EXPECT_EQ(v, 0u);
  v = 1;
  EXPECT_EQ(m->address_space().read(0x3023'4000, 4, &v), MmioStatus::kUnassigned);
  EXPECT_EQ(v, 0u);
}

TEST_F(MachineTest, AesInterruptIsSpi18AndResetLowersIt) {
  auto m = build();
  auto& gic = m->gic();
  m->address_space().write(0x3022'001c, 4, 0x20);         // IRQ_ENABLE: flag
  m->address_space().write(0x3022'0200, 4, 0x8800'0007);  // FLAG, raise interrupt
  EXPECT_TRUE(gic.spi_input_level(18));
  EXPECT_EQ(read(*m, 0x3022'0030), 7u);
  m->reset();
  EXPECT_FALSE(gic.spi_input_level(18));
  EXPECT_EQ(read(*m, 0x3022'0018), 0u);
}

TEST_F(MachineTest, BackdoorReadsTheAuxAndRootDisks) {
  auto make = [&](const char* name, size_t size, uint8_t seed) {
    auto path = (dir_ / name).string();
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; ++i)
      bytes[i] = static_cast<char>(seed + i / 512);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  };
  // The aux storage keeps its 16 KiB header: sector 0 is file offset 0x4000.
  DiskConfig aux{make("aux.img", 0x4000 + 8192, 0x10), false, "threads"};
  aux.role = DiskConfig::Role::kAux;
  aux.header_offset = 0x4000;
  DiskConfig root{make("root.img", 8192, 0x40), true, "threads"};
  root.role = DiskConfig::Role::kRoot;
  config_.disks = {aux, root};
  auto m = build();
  auto request = [&](uint64_t window, uint32_t sector) {
    int status = bdif_read(*m, window, sector);
    return std::pair<int, int>(status, *m->memory().read_le<uint8_t>(kBdifData + 511));
  };
  EXPECT_EQ(request(0x1'0000, 0), (std::pair<int, int>(0, 0x10 + 0x4000 / 512)));
  EXPECT_EQ(request(0x1'0000, 15), (std::pair<int, int>(0, 0x10 + 0x4000 / 512 + 15)));
  EXPECT_EQ(request(0x0'0000, 3), (std::pair<int, int>(0, 0x43)));
  EXPECT_EQ(request(0x0'0000, 16).first, 1);  // beyond the root disk
  std::string d = m->describe();
  EXPECT_NE(
      d.find("backdoor: root " + root.path + ", aux " + aux.path + " (after a 16384-byte header)"),
      std::string::npos)
      << d;
  EXPECT_NE(d.find("0x30220000-0x30223fff  aes"), std::string::npos) << d;
  EXPECT_NE(d.find("SPI 18 (INTID 50)"), std::string::npos) << d;
}

TEST_F(MachineTest, BackdoorServesTheFirstDiskOfEachRole) {
  std::vector<DiskConfig> disks;
  for (char c : {'a', 'b', 'r', 's'}) {
    auto path = (dir_ / (std::string(1, c) + ".img")).string();
    std::ofstream(path, std::ios::binary) << std::string(4096, c);
    disks.push_back({path, true, "threads"});
    disks.back().role = c < 'r' ? DiskConfig::Role::kAux : DiskConfig::Role::kRoot;
  }
  config_.disks = disks;
  auto m = build();
  auto first_byte = [&](uint64_t window) {
    EXPECT_EQ(bdif_read(*m, window, 0), 0);
    return static_cast<char>(*m->memory().read_le<uint8_t>(kBdifData));
  };
  EXPECT_EQ(first_byte(0x1'0000), 'a');  // aux window
  EXPECT_EQ(first_byte(0x0'0000), 'r');  // root window
}

TEST_F(MachineTest, PowerButtonReachesSpi5ThroughThePl061) {
  auto m = build();
  // SPI 5 is INTID 37: GICD_ISPENDR1 bit 5 shows the level-sensitive input.
  auto spi5_pending = [&] { return (read(*m, 0x1000'0204) >> 5 & 1) != 0; };
  // As gpio-pl061 + gpio-keys configure line 3: input, edge, rising, enabled.
  m->address_space().write(0x2006'0400, 4, 0);     // GPIODIR
  m->address_space().write(0x2006'0404, 4, 0);     // GPIOIS: edge
  m->address_space().write(0x2006'040c, 4, 0x08);  // GPIOIEV: rising
  m->address_space().write(0x2006'0410, 4, 0x08);  // GPIOIE
  EXPECT_FALSE(spi5_pending());
  m->power_button().press();
  EXPECT_TRUE(spi5_pending());
  EXPECT_EQ(read(*m, 0x2006'0000 + (0x08 << 2)), 0x08u);  // GPIODATA, mask for line 3
  m->address_space().write(0x2006'041c, 4, 0x08);         // GPIOIC
  EXPECT_FALSE(spi5_pending());
}

TEST_F(MachineTest, PvpanicReachesTheListener) {
  auto m = build();
  m->address_space().write(0x2007'0000, 1, 0x01);
  m->address_space().write(0x2007'0001, 1, 0x04);
  ASSERT_EQ(panics_.events.size(), 2u);
  EXPECT_EQ(panics_.events[0], PvpanicEvent::kPanicked);
  EXPECT_EQ(panics_.events[1], PvpanicEvent::kShutdown);
}

TEST_F(MachineTest, ResetRestoresFirmwareAndCfgButNotRam) {
  auto m = build();
  m->address_space().write(0x0010'0000, 4, 0xdeadbeef);
  m->address_space().write(0x0010'8000, 4, 0xdeadbeef);
  m->address_space().write(0x0040'0000, 4, 0xdeadbeef);
  m->address_space().write(0x0040'f000, 4, 0xdeadbeef);
  m->address_space().write(0x7000'1000, 4, 0xcafe);
  uint32_t rnd = static_cast<uint32_t>(read(*m, 0x0040'0038));
  m->reset();
  EXPECT_EQ(read(*m, 0x0010'0000), 0x04030201u);
  EXPECT_EQ(read(*m, 0x0010'8000), 0u);
  EXPECT_EQ(read(*m, 0x0040'0000), 2u);
  EXPECT_EQ(read(*m, 0x0040'f000), 0u);
  EXPECT_EQ(read(*m, 0x0040'0038), rnd);
  EXPECT_EQ(read(*m, 0x7000'1000), 0xcafeu);
}

TEST_F(MachineTest, DisksAreOpenedAndLockedAtBuild) {
  auto img = (dir_ / "disk.img").string();
  std::ofstream(img).close();
  std::filesystem::resize_file(img, 1 << 20);
  config_.disks.push_back({img, false, "threads"});
  auto bad = (dir_ / "bad.img").string();
  std::ofstream(bad).close();
  std::filesystem::resize_file(bad, 1 << 20);
  config_.disks.push_back({bad, false, "threads", "unspecified"});
  try {
    build();
    FAIL() << "a disk with an unknown Apple variant was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--disk: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("variant"), std::string::npos) << e.what();
  }
  config_.disks.pop_back();
  auto m = build();
  ASSERT_EQ(m->disks().size(), 1u);
  EXPECT_EQ(m->disks()[0]->size(), 1u << 20);
  // A second machine cannot take the same writable image.
  try {
    build();
    FAIL() << "second open of a locked disk succeeded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--disk: ", 0), 0u) << e.what();
  }
}

TEST_F(MachineTest, PcieHostBridgeWithTheDisksOnTheRootBus) {
  std::vector<std::string> images;
  for (const char* name : {"aux.img", "root.img", "data.img"}) {
    images.push_back((dir_ / name).string());
    std::ofstream out(images.back(), std::ios::binary);
    std::string sector(512, name[0]);
    for (int i = 0; i < 2048; ++i)
      out << sector;
  }
  config_.disks.push_back({images[0], false, "threads", "aux"});
  config_.disks.push_back({images[1], false, "threads", "root"});
  config_.disks.push_back({images[2], true, "threads", ""});
  auto m = build();
  test::Ecam ecam(m->address_space(), board::kPcieEcam.base);
  EXPECT_EQ(ecam.read(0, 0, 0), 0x0008'1B36u);  // GPEX host bridge at 00:00.0
  EXPECT_EQ(ecam.read(1, 0, 0), 0x000D'1B36u);  // the USB controller (qemu-xhci)
  auto found = test::enumerate(ecam, board::kPcieMmio.base, board::kPcieMmio.size);
  ASSERT_EQ(found.size(), 5u);
  EXPECT_EQ(found[1].slot, 1u);
  EXPECT_EQ(found[2].slot, 2u);
  EXPECT_EQ(found[2].vendor_id, 0x106B);
  EXPECT_EQ(found[2].device_id, 0x1A00);
  EXPECT_EQ(found[3].slot, 3u);
  EXPECT_EQ(found[3].device_id, 0x1A00);
  EXPECT_EQ(found[4].slot, 4u);
  EXPECT_EQ(found[4].vendor_id, 0x1AF4);
  EXPECT_EQ(found[4].device_id, 0x1042);
  // A window address no BAR claims reads all-ones.
  EXPECT_EQ(read(*m, board::kPcieMmio.end() - 4), 0xFFFF'FFFFu);

  // The root disk (slot 3, INTA) interrupts on line 3, SPI 35, and serves reads.
  std::thread io([&] { loop_.run(); });
  {
    test::GuestArena arena(board::kRamBase + (16 << 20), 32 << 20);
    test::VirtioPciDriver pci(m->address_space(), ecam, found[3], arena);
    auto spi_level = [&] { return m->gic().spi_input_level(board::kPcieIntxSpiBase + 3); };
    test::VirtioBlkDriver blk(pci, arena, spi_level, 2);
    EXPECT_EQ(pci.num_queues(), 2u);     // one per vCPU
    EXPECT_EQ(pci.config(0x3C, 4), 1u);  // Apple type: root
    std::vector<uint8_t> got(512);
    EXPECT_EQ(blk.read(100, got), test::VirtioBlkDriver::kOk);
    EXPECT_EQ(got, std::vector<uint8_t>(512, 'r'));
    EXPECT_FALSE(spi_level());  // the driver acknowledged the ISR
  }
  loop_.stop();
  io.join();
  std::string d = m->describe();
  EXPECT_NE(d.find("pci 00:03.0  vmapple-virtio-blk, root"), std::string::npos) << d;
  EXPECT_NE(d.find("INTx line 4 (SPI 36)"), std::string::npos) << d;
  // System reset unmaps the BARs again.
  m->reset();
  EXPECT_TRUE(m->pcie().bus().mappings().empty());
  EXPECT_EQ(ecam.read(3, 0, pci::kCommand, 2), 0u);
}

TEST_F(MachineTest, BadSerialPathIsAConfigErrorNamingTheFlag) {
  config_.serial = "file:/nonexistent-dir/console.log";
  try {
    build();
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--serial: ", 0), 0u) << e.what();
  }
}

TEST_F(MachineTest, AppleGfxWindowsAreReservedNotEmulated) {
  // spec 2.1/9: the GFX and IOSFC windows sit between bdif and AES; without
  // macOS's ParavirtualizedGraphics nothing answers there and SPIs 16/17
  // stay low.
  EXPECT_EQ(board::kBdif.end(), board::kGfx.base);
  EXPECT_EQ(board::kGfx.end(), board::kIosfc.base);
  EXPECT_EQ(board::kIosfc.end(), board::kAes1.base);
  auto m = build();
  for (uint64_t gpa :
       {board::kGfx.base, board::kGfx.end() - 8, board::kIosfc.base, board::kIosfc.end() - 8}) {
    EXPECT_EQ(m->address_space().write(gpa, 4, 0xffff'ffff), MmioStatus::kUnassigned) << gpa;
    uint64_t v = 1;
    EXPECT_EQ(m->address_space().read(gpa, 8, &v), MmioStatus::kUnassigned) << gpa;
    EXPECT_EQ(v, 0u);
  }
  EXPECT_FALSE(m->gic().spi_input_level(board::kGfx.spi));
  EXPECT_FALSE(m->gic().spi_input_level(board::kIosfc.spi));
  std::string d = m->describe();
  EXPECT_NE(d.find("0x30200000-0x3020ffff  apple-gfx  reserved: apple-gfx (macOS hosts only)"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("0x30210000-0x3021ffff  apple-gfx-iosfc reserved"), std::string::npos) << d;
}

TEST_F(MachineTest, DescribeListsTheMap) {
  auto m = build();
  std::string d = m->describe();
  EXPECT_NE(d.find("2 CPUs, 64 MiB RAM at 0x70000000"), std::string::npos) << d;
  EXPECT_NE(d.find("0x20010000-0x2001ffff  pl011"), std::string::npos) << d;
  EXPECT_NE(d.find("SPI 5 (INTID 37)"), std::string::npos) << d;
  EXPECT_NE(d.find("0x10000000-0x1000ffff  gic-dist"), std::string::npos) << d;
  EXPECT_NE(d.find("0x10010000-0x1004ffff  gic-redist"), std::string::npos) << d;
}

// Spec 2.8: the XHCI controller in slot 1 with the keyboard and tablet on
// root ports 5 and 6. Driven the way macOS drives it (interrupt endpoint
// events targeted at interrupter 1, control transfers at 2): with the
// machine's conditional-intr-mapping, a key press lands on ring 0 and the
// controller's INTx SPI is asserted at the GIC at once.
TEST_F(MachineTest, UsbKeyPressReachesTheGicOnRingZero) {
  auto m = build();
  ASSERT_NE(m->keyboard(), nullptr);
  ASSERT_NE(m->tablet(), nullptr);
  test::Ecam ecam(m->address_space(), board::kPcieEcam.base);
  auto found = test::enumerate(ecam, board::kPcieMmio.base, board::kPcieMmio.size);
  ASSERT_GE(found.size(), 2u);
  const test::PciFound& f = found[1];
  ASSERT_EQ(f.slot, VmappleMachine::kUsbSlot);
  EXPECT_EQ(f.class_code, 0x0C0330u);
  unsigned spi = board::kPcieIntxSpiBase + m->pcie().bus().intx_line(f.slot, pci::IntxPin::kA);
  auto line = [&] { return m->gic().spi_input_level(spi); };

  test::GuestArena arena(board::kRamBase + (16 << 20), 16 << 20);
  test::XhciDriver drv(m->address_space(), arena, f.bar_address[0], line);
  test::XhciDriver::Options o;
  o.interrupters = 3;
  drv.start(o);
  drv.set_routing([](unsigned) { return 0u; });  // where the events must arrive
  for (unsigned port : {VmappleMachine::kKeyboardPort, VmappleMachine::kTabletPort})
    EXPECT_TRUE(drv.portsc(port) & test::xhci::kPortCcs) << port;
  drv.reset_port(VmappleMachine::kKeyboardPort);
  auto& d = drv.enable_and_address(VmappleMachine::kKeyboardPort);
  std::vector<uint8_t> desc(18);
  ASSERT_EQ(drv.control(d, 0x80, 6, 0x0100, 0, desc, 2).cc, test::xhci::kCcSuccess);
  EXPECT_EQ(desc[4], 0u);  // bDeviceClass: HID is declared per interface
  ASSERT_EQ(drv.configure_interrupt_in(d, 0x81, 8, 10, 1), test::xhci::kCcSuccess);
  ASSERT_EQ(drv.control(d, 0x00, 9, 1, 0, {}, 2).cc, test::xhci::kCcSuccess);  // SET_CONFIGURATION
  ASSERT_EQ(drv.control(d, 0x21, 0x0A, 0, 0, {}, 2).cc, test::xhci::kCcSuccess);  // SET_IDLE 0
  for (unsigned i = 0; i < 3; ++i) {
    drv.service(i);
    drv.pending(i).clear();
  }
  ASSERT_FALSE(line());

  uint64_t buf = arena.alloc(8, 64);
  uint64_t trb = drv.queue_normal(d, test::xhci::dci(1, true), buf, 8);
  ASSERT_TRUE(m->keyboard()->key_down(0x04));  // 'a'
  EXPECT_TRUE(line());
  auto e = drv.take_event(0, [&](const test::Trb& t) { return t.parameter == trb; });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->completion_code(), test::xhci::kCcSuccess);
  EXPECT_EQ(m->memory().read_le<uint8_t>(buf + 2).value(), 0x04);

  // System reset takes the controller back to its halted power-on state.
  m->reset();
  EXPECT_FALSE(line());
  EXPECT_EQ(ecam.read(1, 0, pci::kCommand, 2), 0u);
}

TEST_F(MachineTest, NoDefaultsLeavesOutTheUsbDevices) {
  config_.default_devices = false;
  auto m = build();
  EXPECT_EQ(m->usb_controller(), nullptr);
  EXPECT_EQ(m->keyboard(), nullptr);
  test::Ecam ecam(m->address_space(), board::kPcieEcam.base);
  EXPECT_EQ(ecam.read(1, 0, 0), 0xFFFF'FFFFu);
  EXPECT_EQ(m->describe().find("xhci"), std::string::npos);
}

}  // namespace
}  // namespace vmapple
