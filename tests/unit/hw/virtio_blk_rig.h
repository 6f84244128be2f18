#pragma once
// A virtio-blk PCI function on a GPEX host bridge with guest RAM and an I/O
// thread, as the vmapple machine wires it (ECAM 0x4000_0000, window
// 0x5000_0000, RAM 0x7000_0000, INTx to 16 lines), enumerated and driven by
// the test driver in virtio_driver.h. For end-to-end tests and benchmarks.
#include <array>
#include <memory>
#include <string>
#include <thread>

#include "base/event_loop.h"
#include "block/block_backend.h"
#include "hw/pci/gpex.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_pci.h"
#include "unit/hw/virtio_driver.h"

namespace vmapple::test {

class VirtioBlkRig {
 public:
  static constexpr uint64_t kEcam = 0x4000'0000;
  static constexpr uint64_t kWindow = 0x5000'0000;
  static constexpr uint64_t kWindowSize = 0x1FFF'0000;
  static constexpr uint64_t kRam = 0x7000'0000;
  static constexpr unsigned kSlot = 2;

  VirtioBlkRig(const BlockOptions& image, virtio::VirtioBlkOptions options = {},
               uint64_t ram_size = 256ull << 20)
      : arena_(kRam, ram_size) {
    memory_.add_region("ram", kRam, ram_size);
    std::vector<IrqLine*> lines;
    for (auto& l : lines_)
      lines.push_back(&l);
    gpex_ = std::make_unique<GpexHost>(space_, kWindow, kWindowSize, lines);
    space_.add_mmio("pcie-ecam", kEcam, 0x1000'0000, *gpex_, GpexHost::kEcamRules);
    blk_ = std::make_unique<virtio::VirtioBlk>(memory_, BlockBackend::open(image, loop_),
                                               std::move(options));
    transport_ = std::make_unique<VirtioPci>("virtio-blk", *blk_);
    gpex_->bus().add(kSlot, 0, *transport_);
    io_ = std::thread([this] { loop_.run(); });
    auto found = enumerate(ecam_, kWindow, kWindowSize);
    for (const auto& f : found)
      if (f.slot == kSlot) function_ = f;
    pci_ = std::make_unique<VirtioPciDriver>(space_, ecam_, function_, arena_);
  }
  ~VirtioBlkRig() {
    transport_.reset();  // resets the device: no more notifications
    blk_.reset();        // waits for the backend
    loop_.stop();
    io_.join();
    space_.remove_mmio(kEcam);
    gpex_.reset();
  }

  // Negotiates (wanted features) and brings the queues up.
  VirtioBlkDriver& start(unsigned queues = 1, uint16_t queue_size = 0, uint64_t wanted = ~0ull) {
    driver_ = std::make_unique<VirtioBlkDriver>(*pci_, arena_, intx(), queues, queue_size, wanted);
    return *driver_;
  }

  const LatchIrqLine& intx() const {
    return lines_[gpex_->bus().intx_line(kSlot, pci::IntxPin::kA)];
  }
  AddressSpace& space() { return space_; }
  GuestMemory& memory() { return memory_; }
  GuestArena& arena() { return arena_; }
  const Ecam& ecam() const { return ecam_; }
  const PciFound& function() const { return function_; }
  VirtioPciDriver& pci() { return *pci_; }
  virtio::VirtioBlk& device() { return *blk_; }
  GpexHost& gpex() { return *gpex_; }

 private:
  GuestMemory memory_;
  AddressSpace space_{memory_};
  std::array<LatchIrqLine, 16> lines_;
  EventLoop loop_;
  GuestArena arena_;
  std::unique_ptr<GpexHost> gpex_;
  std::unique_ptr<virtio::VirtioBlk> blk_;
  std::unique_ptr<VirtioPci> transport_;
  std::thread io_;
  Ecam ecam_{space_, kEcam};
  PciFound function_;
  std::unique_ptr<VirtioPciDriver> pci_;
  std::unique_ptr<VirtioBlkDriver> driver_;
};

}  // namespace vmapple::test
