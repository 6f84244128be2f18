// virtio-blk throughput against the host's own pread on the same file, in the
// same run: 4 KiB random reads and 1 MiB sequential reads of a 128 MiB image
// that sits in the page cache, at queue depth 32.
//
// The path is the whole device model: the test rig's GPEX host bridge and
// virtio-pci transport (doorbell writes through the AddressSpace, INTx raised
// per the ISR rules), VirtioBlk, and the io_uring backend whose completions
// run on an EventLoop thread. The benchmark thread is the vCPU: it lays out
// requests in guest RAM as a driver does, rings the doorbell once per batch
// and sleeps on the INTx line when the used ring has nothing new, then
// acknowledges through the ISR (the cost of interrupt delivery into a real
// VM is outside this measurement). Cached reads up to 64 KiB complete
// inside the doorbell write (VirtioBlk::kFastReadMax), larger ones on the
// I/O thread.
//
// Counter `vs_host` is the rate relative to the host's pread of the same size
// into one buffer, run just before; `vs_host32` relative to pread cycling
// through 32 buffers (the destination footprint of 32 requests in flight).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "base/event_loop.h"
#include "block/block_backend.h"
#include "hw/pci/gpex.h"
#include "hw/virtio/virtio_blk.h"
#include "hw/virtio/virtio_pci.h"
#include "unit/hw/virtio_driver.h"

namespace vmapple {
namespace {

constexpr uint64_t kImageSize = 128 << 20;
constexpr unsigned kDepth = 32;

// Non-sparse data, read once so that it is in the page cache.
struct Image {
  Image() {
    path = (std::filesystem::temp_directory_path() / "vmapple-vblk-bench-XXXXXX").string();
    int fd = mkstemp(path.data());
    if (fd < 0) std::abort();
    std::vector<uint8_t> chunk(1 << 20);
    std::mt19937_64 rng(1);
    for (uint64_t off = 0; off < kImageSize; off += chunk.size()) {
      for (auto& b : chunk)
        b = static_cast<uint8_t>(rng());
      if (pwrite(fd, chunk.data(), chunk.size(), static_cast<off_t>(off)) !=
          static_cast<ssize_t>(chunk.size()))
        std::abort();
    }
    for (uint64_t off = 0; off < kImageSize; off += chunk.size())
      if (pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(off)) < 0) std::abort();
    close(fd);
  }
  ~Image() { unlink(path.c_str()); }
  std::string path;
};

Image& image() {
  static Image i;
  return i;
}

// Request offsets: random and aligned for 4 KiB, sequential for larger.
struct Offsets {
  explicit Offsets(uint64_t block) : block(block) {}
  uint64_t next() {
    if (block == 4096) return (rng() % (kImageSize / block)) * block;
    uint64_t at = seq;
    seq = (seq + block) % kImageSize;
    return at;
  }
  uint64_t block;
  uint64_t seq = 0;
  std::mt19937_64 rng{42};
};

// Requests per second of the host runs, by size: reading into one buffer
// (the target's reference), and cycling through kDepth buffers, which gives
// the host loop the same destination footprint as 32 requests in flight.
double host_rate[2];
double host_rate_footprint[2];

int size_index(uint64_t block) {
  return block == 4096 ? 0 : 1;
}

void report(benchmark::State& state, uint64_t requests, uint64_t block) {
  state.SetItemsProcessed(static_cast<int64_t>(requests));
  state.SetBytesProcessed(static_cast<int64_t>(requests * block));
  state.counters["IOPS"] =
      benchmark::Counter(static_cast<double>(requests), benchmark::Counter::kIsRate);
}

void host_pread(benchmark::State& state, unsigned buffers, double* rate) {
  uint64_t block = static_cast<uint64_t>(state.range(0));
  int fd = open(image().path.c_str(), O_RDONLY | O_CLOEXEC);
  std::vector<uint8_t> buf(block * buffers);
  Offsets offsets(block);
  unsigned next = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    uint8_t* into = buf.data() + block * (next++ % buffers);
    if (pread(fd, into, block, static_cast<off_t>(offsets.next())) != static_cast<ssize_t>(block))
      state.SkipWithError("pread failed");
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  close(fd);
  rate[size_index(block)] = static_cast<double>(state.iterations()) / took.count();
  report(state, state.iterations(), block);
}

void BM_HostPread(benchmark::State& state) {
  host_pread(state, 1, host_rate);
}
void BM_HostPread32Buffers(benchmark::State& state) {
  host_pread(state, kDepth, host_rate_footprint);
}

// An interrupt input the vCPU thread can sleep on, as a vCPU in WFI does.
class WaitableIrqLine final : public IrqLine {
 public:
  void set(bool level) override {
    if (level && !level_.exchange(true)) {
      edges_.fetch_add(1, std::memory_order_release);
      edges_.notify_all();
    }
    if (!level) level_.store(false);
  }
  uint64_t edges() const { return edges_.load(std::memory_order_acquire); }
  void wait_for_edge_after(uint64_t seen) const { edges_.wait(seen, std::memory_order_acquire); }

 private:
  std::atomic<bool> level_{false};
  std::atomic<uint64_t> edges_{0};
};

// The virtio-blk PCI function as the machine wires it (GPEX ECAM at
// 0x4000_0000, window at 0x5000_0000, RAM at 0x7000_0000, an I/O thread),
// enumerated and set up by the tests' guest driver.
struct Rig {
  static constexpr uint64_t kEcam = 0x4000'0000, kWindow = 0x5000'0000, kWindowSize = 0x1FFF'0000,
                            kRam = 0x7000'0000, kRamSize = 128ull << 20;
  static constexpr unsigned kSlot = 2;

  explicit Rig(const std::string& path) : arena(kRam, kRamSize) {
    memory.add_region("ram", kRam, kRamSize);
    std::vector<IrqLine*> inputs;
    for (auto& l : lines)
      inputs.push_back(&l);
    gpex = std::make_unique<GpexHost>(space, kWindow, kWindowSize, inputs);
    space.add_mmio("pcie-ecam", kEcam, 0x1000'0000, *gpex, GpexHost::kEcamRules);
    blk = std::make_unique<virtio::VirtioBlk>(memory, BlockBackend::open({path, true}, loop),
                                              virtio::VirtioBlkOptions{});
    transport = std::make_unique<VirtioPci>("virtio-blk", *blk);
    gpex->bus().add(kSlot, 0, *transport);
    io = std::thread([this] { loop.run(); });
    for (const auto& f : test::enumerate(ecam, kWindow, kWindowSize))
      if (f.slot == kSlot) function = f;
    pci = std::make_unique<test::VirtioPciDriver>(space, ecam, function, arena);
    if (!pci->negotiate(~0ull)) std::abort();
    pci->setup_queues(1, 256);
    pci->driver_ok();
  }
  ~Rig() {
    transport.reset();
    blk.reset();
    loop.stop();
    io.join();
    space.remove_mmio(kEcam);
  }
  WaitableIrqLine& intx() { return lines[gpex->bus().intx_line(kSlot, pci::IntxPin::kA)]; }

  GuestMemory memory;
  AddressSpace space{memory};
  std::array<WaitableIrqLine, 16> lines;
  EventLoop loop;
  test::GuestArena arena;
  std::unique_ptr<GpexHost> gpex;
  std::unique_ptr<virtio::VirtioBlk> blk;
  std::unique_ptr<VirtioPci> transport;
  std::thread io;
  test::Ecam ecam{space, kEcam};
  test::PciFound function;
  std::unique_ptr<test::VirtioPciDriver> pci;
};

void BM_VirtioBlkRead(benchmark::State& state) {
  uint64_t block = static_cast<uint64_t>(state.range(0));
  Rig rig(image().path);
  test::VirtioPciDriver& pci = *rig.pci;
  const GuestMemory& memory = rig.memory;
  WaitableIrqLine& intx = rig.intx();

  struct Slot {
    uint64_t header, data, status;
  };
  std::vector<Slot> slots(kDepth);
  std::vector<int> slot_of_head(256, -1);
  Offsets offsets(block);
  auto submit = [&](unsigned s) {
    memory.write_le<uint32_t>(slots[s].header, virtio::kBlkTIn);
    memory.write_le<uint32_t>(slots[s].header + 4, 0);
    memory.write_le<uint64_t>(slots[s].header + 8, offsets.next() / virtio::kSectorSize);
    test::Buf bufs[] = {{slots[s].header, 16, false},
                        {slots[s].data, static_cast<uint32_t>(block), true},
                        {slots[s].status, 1, true}};
    // Indirect, as Linux does for every multi-buffer request under INDIRECT_DESC.
    slot_of_head[*pci.submit(0, bufs, true)] = static_cast<int>(s);
  };
  for (unsigned s = 0; s < kDepth; ++s) {
    slots[s] = {rig.arena.alloc(16), rig.arena.alloc(block, 4096), rig.arena.alloc(1)};
    submit(s);
  }
  pci.kick(0);

  uint64_t requests = 0;
  bool failed = false;
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    // One batch per iteration: whatever has completed is queued again.
    auto used = pci.reap(0);
    while (used.empty()) {
      // The interrupt handler: acknowledge (lowers INTx), look again, and
      // otherwise sleep until the next rising edge. reap() has set
      // used_event, so the device interrupts at the next completion.
      pci.read_isr();
      uint64_t seen = intx.edges();
      used = pci.reap(0);
      if (used.empty()) intx.wait_for_edge_after(seen);
    }
    for (const auto& u : used) {
      int s = slot_of_head[u.head];
      failed |= *memory.read_le<uint8_t>(slots[s].status) != virtio::kBlkSOk;
      submit(static_cast<unsigned>(s));
    }
    pci.kick(0);
    requests += used.size();
  }
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (failed) state.SkipWithError("a request failed");
  state.SetLabel(std::string(rig.blk->options().apple == virtio::AppleVariant::kNone ? "virtio-pci"
                                                                                     : "apple"));
  report(state, requests, block);
  double own = static_cast<double>(requests) / took.count();
  if (double host = host_rate[size_index(block)]; host > 0) state.counters["vs_host"] = own / host;
  if (double host = host_rate_footprint[size_index(block)]; host > 0)
    state.counters["vs_host32"] = own / host;
  // Let the requests still in flight finish before the rig goes.
  while (pci.in_flight(0) > 0) {
    pci.reap(0);
    std::this_thread::yield();
  }
}

BENCHMARK(BM_HostPread)->Arg(4096)->UseRealTime();
BENCHMARK(BM_HostPread32Buffers)->Arg(4096)->UseRealTime();
BENCHMARK(BM_VirtioBlkRead)->Arg(4096)->UseRealTime();
BENCHMARK(BM_HostPread)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_HostPread32Buffers)->Arg(1 << 20)->UseRealTime();
BENCHMARK(BM_VirtioBlkRead)->Arg(1 << 20)->UseRealTime();

}  // namespace
}  // namespace vmapple
