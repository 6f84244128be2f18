// Fuzzes PCI configuration space through the GPEX ECAM window: the host
// bridge, a function with two BARs, MSI and MSI-X, and a virtio-pci function
// (vendor capabilities, the PCI_CFG window, its BAR). Operations:
//   0 ECAM read   u8 slot, u8 fn, u16 register, u8 size
//   1 ECAM write  same, u32 value
//   2 raw call    of the ECAM handler, any offset and size (no bus checks)
//   3 window read / 4 window write (u32 offset into the memory window)
//   5 system reset
//   6 INTx level of the plain function (u8 level)
//   7 interrupt from the virtio device (u8: queue or config)
// Invariants after every operation: mapped BARs lie inside the window, do
// not overlap and are what the AddressSpace dispatches to; INTx line 1
// equals the plain function's request unless Interrupt Disable is set.
#include <array>
#include <cstdint>
#include <span>

#include "base/irq_line.h"
#include "fuzz/fuzz_input.h"
#include "hw/pci/gpex.h"
#include "hw/pci/msi.h"
#include "hw/virtio/virtio_pci.h"

namespace {

using namespace vmapple;
using fuzz::check;
constexpr uint64_t kEcam = 0x4000'0000;
constexpr uint64_t kWindow = 0x5000'0000;
constexpr uint64_t kWindowSize = 0x1FFF'0000;

class Scratch final : public MmioHandler {
 public:
  uint64_t read(uint64_t offset, unsigned) override { return offset * 3; }
  void write(uint64_t, unsigned, uint64_t) override {}
};

class PlainFunction final : public PciFunction {
 public:
  PlainFunction() : PciFunction("plain", id()), msi(*this, 8), msix(*this, 16, 2) {
    define_bar(0, {0x1000, false, false, &bar0, {1, 8, 1, 8}});
    define_bar(4, {0x10000, true, true, &bar4, {1, 8, 1, 4}});
  }
  static PciIdentity id() {
    PciIdentity i;
    i.vendor_id = 0x1234;
    i.device_id = 0x11;
    i.pin = pci::IntxPin::kA;
    return i;
  }
  Scratch bar0, bar4;
  PciMsi msi;
  PciMsix msix;

 protected:
  void config_written(unsigned offset, unsigned size) override {
    msi.config_written(offset, size);
    msix.config_written(offset, size);
  }
  void reset_function() override { msix.reset(); }
};

class FakeVirtio final : public virtio::VirtioDevice {
 public:
  void attach(virtio::VirtioTransport& t) override { transport = &t; }
  uint16_t device_id() const override { return 2; }
  virtio::PciIdentity pci_identity() const override {
    return virtio::pci_identity_for(2, 0x010000);
  }
  uint64_t device_features() const override { return virtio::kFVersion1 | (1ull << 9); }
  bool accept_features(uint64_t) override { return true; }
  uint32_t config_size() const override { return sizeof config; }
  void read_config(uint32_t offset, std::span<uint8_t> data) override {
    for (size_t i = 0; i < data.size(); ++i)
      data[i] = config[offset + i];
  }
  void write_config(uint32_t offset, std::span<const uint8_t> data) override {
    for (size_t i = 0; i < data.size(); ++i)
      config[offset + i] = data[i];
  }
  uint16_t num_queues() const override { return 3; }
  uint16_t max_queue_size() const override { return 64; }
  void activate(uint64_t, std::span<const virtio::QueueState>) override {}
  void notify(uint16_t q) override { check(q < 3, "doorbell for a queue that exists"); }
  void reset() override {}
  bool quiescent() const override { return true; }
  virtio::VirtioTransport* transport = nullptr;
  uint8_t config[0x60] = {};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::silence_traces();
  GuestMemory memory;
  AddressSpace space(memory);
  std::array<LatchIrqLine, 16> lines;
  std::vector<IrqLine*> line_ptrs;
  for (auto& l : lines)
    line_ptrs.push_back(&l);
  FakeVirtio device;
  PlainFunction plain;
  VirtioPci transport("virtio", device);
  GpexHost gpex(space, kWindow, kWindowSize, line_ptrs);
  space.add_mmio("pcie-ecam", kEcam, 0x1000'0000, gpex, GpexHost::kEcamRules);
  gpex.bus().add(1, 0, plain);
  gpex.bus().add(3, 0, transport);
  bool requested = false;

  fuzz::Input in{data, size};
  while (!in.empty()) {
    uint64_t value = 0;
    switch (unsigned op = in.u8() % 8) {
      case 0:
      case 1: {
        bool write = op == 1;
        unsigned slot = in.u8() % 6, fn = in.u8() % 2;
        uint64_t offset = uint64_t{slot} << 15 | uint64_t{fn} << 12 | (in.u16() & 0xFFF);
        unsigned width = 1u << (in.u8() % 4);
        offset &= ~uint64_t{width - 1};
        if (write)
          space.write(kEcam + offset, width, in.u32());
        else
          space.read(kEcam + offset, width, &value);
        break;
      }
      case 2:
        fuzz::mmio_op(in, 2, space, gpex, kEcam);
        break;
      case 3:
        space.read(kWindow + in.u32() % kWindowSize, 1u << (in.u8() % 4), &value);
        break;
      case 4: {
        uint64_t at = kWindow + in.u32() % kWindowSize;
        unsigned width = 1u << (in.u8() % 4);
        space.write(at & ~uint64_t{width - 1}, width, in.u32());
        break;
      }
      case 5:
        gpex.reset();
        break;
      case 6:
        requested = in.u8() & 1;
        plain.set_irq(requested);
        break;
      case 7:
        if (in.u8() & 1)
          device.transport->notify_config();
        else
          device.transport->notify_queue(0);
        break;
    }
    auto maps = gpex.bus().mappings();
    for (size_t i = 0; i < maps.size(); ++i) {
      const auto& m = maps[i];
      check(m.address >= kWindow && m.address + m.size <= kWindow + kWindowSize, "BAR in window");
      auto r = space.find_mmio(m.address);
      check(r && r->base == m.address && r->size == m.size, "BAR dispatched");
      for (size_t j = 0; j < i; ++j)
        check(m.address + m.size <= maps[j].address || maps[j].address + maps[j].size <= m.address,
              "BARs disjoint");
    }
    bool disabled = plain.command() & pci::kCommandInterruptDisable;
    check(lines[1].level() == (requested && !disabled), "INTx line 1 follows the function");
  }
  space.remove_mmio(kEcam);
  return 0;
}
