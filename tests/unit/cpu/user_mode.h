#pragma once
// A user-mode runner for static AArch64 Linux executables on our CPU: the
// ELF's segments are loaded at their addresses into guest RAM, a stack is
// mapped, and the program runs at EL0 on an InterpVcpu with VA = PA. By
// default the stage-1 MMU is on with an identity map of Normal memory (2 MiB
// blocks, EL0 read/write/execute, TBI0 like Linux and qemu-user), because
// with the MMU off every data access is Device memory and unaligned
// accesses fault; MmuMode::kOff runs flat with the MMU off instead.
// The process starts like a Linux one (argc, argv, envp and an auxiliary
// vector with AT_PHDR, AT_RANDOM and AT_HWCAP on the stack, a brk heap and an
// area for anonymous mmap), so static glibc programs run too. SVCs are
// intercepted through Core::exception_hook and emulate the Linux syscalls
// those programs make (write, exit, brk, mmap, the start-up queries).
// Any other exception or syscall, an access outside the mapped RAM, or
// running past the instruction budget stops the run with an error.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "base/bits.h"
#include "base/clock.h"
#include "base/irq_line.h"
#include "cpu/arm64/core.h"
#include "cpu/arm64/cpu_cluster.h"
#include "cpu/arm64/interp_vcpu.h"
#include "cpu/arm64/mmu.h"
#include "memory/guest_memory.h"
#include "unit/cpu/elf_image.h"

namespace vmapple::arm64::test {

struct UserRunResult {
  bool exited = false;  // exit/exit_group was called
  int exit_code = -1;
  std::string error;         // why the run stopped otherwise
  std::vector<uint8_t> out;  // what the program wrote to fd 1
  std::vector<uint8_t> err;  // ... and to fd 2
  uint64_t instructions = 0;
  uint64_t x[31] = {};  // final state
  uint64_t sp = 0, pc = 0;
  uint32_t nzcv = 0;
};

enum class MmuMode { kIdentityMap, kOff };

class UserModeRunner {
 public:
  static constexpr uint64_t kStackTop = 0x7f0000000;
  static constexpr uint64_t kStackSize = 1 << 20;
  static constexpr uint64_t kPageMask = 0xfff;
  static constexpr uint64_t kTables = 0x7e0000000;  // translation tables
  static constexpr uint64_t kTablesSize = 64 << 10;
  static constexpr uint64_t kHeapSize = 64 << 20;  // brk limit
  static constexpr uint64_t kMmapBase = 0x700000000;
  static constexpr uint64_t kMmapSize = 256 << 20;
  // AT_HWCAP: FP, ASIMD, AES, PMULL, SHA1, SHA2, CRC32 (what the CPU's ID
  // registers advertise; CPUID is left out: our EL0 does not emulate MRS of
  // MIDR_EL1 as Linux does).
  static constexpr uint64_t kHwcap = 0xfb;

  explicit UserModeRunner(const ElfImage& image, MmuMode mmu = MmuMode::kIdentityMap)
      : image_(image), mmu_(mmu) {
    // RAM regions: the segments' pages, merged where segments share pages.
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (const ElfSegment& s : image.segments)
      ranges.emplace_back(s.vaddr & ~kPageMask, (s.vaddr + s.memsz + kPageMask) & ~kPageMask);
    std::sort(ranges.begin(), ranges.end());
    for (size_t i = 0; i < ranges.size(); ++i) {
      auto [lo, hi] = ranges[i];
      while (i + 1 < ranges.size() && ranges[i + 1].first <= hi)
        hi = std::max(hi, ranges[++i].second);
      ram_.add_region(fmt::format("elf{:x}", lo), lo, hi - lo);
    }
    for (const ElfSegment& s : image.segments)
      ram_.write(s.vaddr, s.bytes);
    brk_ = brk_start_ = ranges.back().second;
    ram_.add_region("heap", brk_start_, kHeapSize);
    ranges.emplace_back(brk_start_, brk_start_ + kHeapSize);
    ram_.add_region("mmap", kMmapBase, kMmapSize);
    ranges.emplace_back(kMmapBase, kMmapBase + kMmapSize);
    ram_.add_region("stack", kStackTop - kStackSize, kStackSize);
    ranges.emplace_back(kStackTop - kStackSize, kStackTop);
    if (mmu_ == MmuMode::kIdentityMap) build_identity_map(ranges);
    initial_sp_ = build_initial_stack();
  }

  UserRunResult run(uint64_t max_instructions = 500'000'000) {
    UserRunResult r;
    CpuCluster cluster(ram_, clock_);
    InterpVcpu vcpu(cluster, 0, timer_line_, timer_line_);
    Core& c = vcpu.core();
    vcpu.set_reg(Reg::kPstate, 0);  // EL0t, DAIF clear
    vcpu.set_reg(Reg::kSpEl0, initial_sp_);
    vcpu.set_reg(Reg::kPc, image_.entry);
    c.sys.cpacr = 3u << 20;  // FPEN: no FP/SIMD traps, as under Linux
    // What Linux grants EL0: CTR/DCZID reads, DC ZVA, cache maintenance, WFI/WFE.
    c.sys.sctlr |= sctlr::kUct | sctlr::kDze | sctlr::kUci | sctlr::kNtwi | sctlr::kNtwe;
    if (mmu_ == MmuMode::kIdentityMap) {
      c.sys.mair = 0xff;  // Attr0: Normal, write-back
      // T0SZ=16 (48-bit), IRGN0/ORGN0 WB, SH0 inner, TG0 4K, EPD1 (no TTBR1
      // walks), IPS 48-bit, TBI0.
      c.sys.tcr = 16 | 1u << 8 | 1u << 10 | 3u << 12 | 16u << 16 | 1u << 23 | uint64_t{5} << 32 |
                  uint64_t{1} << 37;
      c.sys.ttbr0 = kTables;
      c.sys.sctlr |= sctlr::kM;
      vcpu.mmu().on_translation_regs_changed();
    }

    std::atomic<bool> stop{false};
    c.exception_hook = [&](Core& core, uint32_t ec, uint32_t iss) {
      if (ec == ec::kSvc && iss == 0 && syscall(core, r)) {
        if (r.exited) vcpu.kick();
        return true;
      }
      if (r.error.empty() && !r.exited)
        r.error = fmt::format("exception EC {:#x} ISS {:#x} at pc {:#x}", ec, iss, core.pc);
      stop = true;
      vcpu.kick();
      return true;
    };
    // Kicks now and then so the loop below sees the instruction budget.
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::thread watchdog([&] {
      std::unique_lock lock(m);
      while (!cv.wait_for(lock, std::chrono::milliseconds(20), [&] { return done; }))
        vcpu.kick();
    });

    while (!stop && !r.exited) {
      VcpuExit exit = vcpu.run();
      if (std::holds_alternative<KickedExit>(exit)) {
        if (vcpu.instructions_retired() > max_instructions) {
          r.error = fmt::format("instruction budget of {} exceeded", max_instructions);
          break;
        }
        continue;
      }
      if (auto* mmio = std::get_if<MmioExit>(&exit)) {
        r.error = fmt::format("access to unmapped address {:#x} at pc {:#x}", mmio->gpa, c.pc);
      } else {
        r.error = fmt::format("unexpected vCPU exit (index {}) at pc {:#x}", exit.index(), c.pc);
      }
      break;
    }
    {
      std::lock_guard lock(m);
      done = true;
    }
    cv.notify_all();
    watchdog.join();

    r.instructions = vcpu.instructions_retired();
    for (unsigned i = 0; i < 31; ++i)
      r.x[i] = c.x[i];
    r.sp = vcpu.reg(Reg::kSp);
    r.pc = c.pc;
    r.nzcv = c.nzcv;
    c.exception_hook = nullptr;
    return r;
  }

  const GuestMemory& ram() const { return ram_; }

 private:
  // argc = 1, argv = {"prog"}, no environment, and the auxiliary vector
  // static glibc reads at start-up; returns the initial SP.
  uint64_t build_initial_stack() {
    uint64_t strings = kStackTop - 256, random = kStackTop - 128;
    ram_.write(strings, std::vector<uint8_t>{'p', 'r', 'o', 'g', 0});
    for (unsigned i = 0; i < 16; ++i)
      ram_.write_le<uint8_t>(random + i, static_cast<uint8_t>(0x5a + 7 * i));
    const uint64_t words[] = {1,  strings,
                              0,  0,  // argc, argv[0], NULL, envp NULL
                              3,  image_.phdr,
                              4,  image_.phentsize,
                              5,  image_.phnum,
                              6,  4096,
                              9,  image_.entry,
                              11, 0,
                              12, 0,
                              13, 0,
                              14, 0,
                              16, kHwcap,
                              17, 100,
                              23, 0,
                              25, random,
                              26, 0,
                              0,  0};
    uint64_t sp = (strings - sizeof words) & ~uint64_t{15};
    for (size_t i = 0; i < std::size(words); ++i)
      ram_.write_le<uint64_t>(sp + 8 * i, words[i]);
    return sp;
  }

  // The Linux syscalls the test programs make; false for anything else.
  bool syscall(Core& c, UserRunResult& r) {
    constexpr uint64_t kEnosys = static_cast<uint64_t>(-38), kEnoent = static_cast<uint64_t>(-2);
    constexpr uint64_t kEnomem = static_cast<uint64_t>(-12);
    switch (c.x[8]) {
      case 64:  // write
        c.x[0] = sys_write(c.x[0], c.x[1], c.x[2], r);
        return true;
      case 93:  // exit
      case 94:  // exit_group
        r.exited = true;
        r.exit_code = static_cast<int>(c.x[0] & 0xff);
        return true;
      case 214:  // brk
        if (c.x[0] >= brk_start_ && c.x[0] <= brk_start_ + kHeapSize) brk_ = c.x[0];
        c.x[0] = brk_;
        return true;
      case 222: {  // mmap: anonymous, private, no fixed address
        uint64_t len = (c.x[1] + kPageMask) & ~kPageMask;
        bool anonymous = c.x[4] == ~uint64_t{0} && (c.x[3] & 0x20);
        if (!anonymous || c.x[0] != 0 || len > kMmapBase + kMmapSize - mmap_next_) {
          c.x[0] = anonymous ? kEnomem : kEnosys;
          return true;
        }
        c.x[0] = mmap_next_;
        mmap_next_ += len;
        return true;
      }
      case 215:  // munmap: the area is never reused
      case 226:  // mprotect
      case 233:  // madvise
      case 134:  // rt_sigaction
      case 135:  // rt_sigprocmask
        c.x[0] = 0;
        return true;
      case 96:   // set_tid_address
      case 172:  // getpid
      case 178:  // gettid
        c.x[0] = 1;
        return true;
      case 99:   // set_robust_list (as qemu-user answers)
      case 293:  // rseq
      case 261:  // prlimit64: glibc falls back to its default stack size
        c.x[0] = kEnosys;
        return true;
      case 78:  // readlinkat
        c.x[0] = kEnoent;
        return true;
      case 79:  // newfstatat (stdout's type for stdio buffering): a FIFO
        c.x[0] = sys_fstat_fifo(c.x[2]);
        return true;
      case 179:  // sysinfo (qsort sizes its buffer by the RAM it reports)
        c.x[0] = sys_sysinfo(c.x[0]);
        return true;
      case 278:  // getrandom: deterministic bytes
        c.x[0] = sys_getrandom(c.x[0], c.x[1]);
        return true;
      default:
        return false;
    }
  }

  uint64_t sys_write(uint64_t fd, uint64_t buf, uint64_t len, UserRunResult& r) {
    if ((fd != 1 && fd != 2) || len > kHeapSize) return static_cast<uint64_t>(-14);
    std::vector<uint8_t> bytes(len);
    if (!ram_.read(buf, bytes)) return static_cast<uint64_t>(-14);  // -EFAULT / bad fd alike
    auto& sink = fd == 1 ? r.out : r.err;
    sink.insert(sink.end(), bytes.begin(), bytes.end());
    return len;
  }

  uint64_t sys_getrandom(uint64_t buf, uint64_t len) {
    if (len > kStackSize) return static_cast<uint64_t>(-14);
    std::vector<uint8_t> bytes(len);
    for (uint64_t i = 0; i < len; ++i)
      bytes[i] = static_cast<uint8_t>(i * 37 + 11);
    return ram_.write(buf, bytes) ? len : static_cast<uint64_t>(-14);
  }

  // struct sysinfo (112 bytes): 1 GiB of RAM, half of it free, mem_unit 1.
  uint64_t sys_sysinfo(uint64_t info) {
    std::vector<uint8_t> si(112, 0);
    store_le<uint64_t>(&si[32], uint64_t{1} << 30);  // totalram
    store_le<uint64_t>(&si[40], uint64_t{1} << 29);  // freeram
    store_le<uint16_t>(&si[80], 1);                  // procs
    store_le<uint32_t>(&si[104], 1);                 // mem_unit
    return ram_.write(info, si) ? 0 : static_cast<uint64_t>(-14);
  }

  // struct stat (asm-generic layout, 128 bytes): st_mode at 16, st_blksize at 56.
  uint64_t sys_fstat_fifo(uint64_t statbuf) {
    std::vector<uint8_t> st(128, 0);
    store_le<uint32_t>(&st[16], 0010600);  // S_IFIFO | 0600
    store_le<uint32_t>(&st[56], 4096);
    return ram_.write(statbuf, st) ? 0 : static_cast<uint64_t>(-14);
  }

  // Identity map of every 2 MiB block that holds RAM: L0 -> L1 -> L2 tables
  // allocated from kTables, L2 block descriptors for Normal memory, AF set,
  // AP=01 (EL0 and EL1 read/write), executable at EL0.
  void build_identity_map(const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
    ram_.add_region("tables", kTables, kTablesSize);
    uint64_t next_table = kTables + 0x1000;  // kTables itself is L0
    auto table_at = [&](uint64_t table, unsigned index) {
      uint64_t desc = ram_.read_le<uint64_t>(table + 8 * index).value_or(0);
      if (desc & 1) return desc & 0xfffffffff000;
      uint64_t t = next_table;
      next_table += 0x1000;
      if (next_table > kTables + kTablesSize)
        throw std::runtime_error("identity map: out of tables");
      ram_.write_le<uint64_t>(table + 8 * index, t | 3);
      return t;
    };
    constexpr uint64_t kBlock = 2 << 20;
    constexpr uint64_t kBlockAttrs = 1 | 0u << 2 | 1u << 6 | 3u << 8 | 1u << 10;
    for (auto [lo, hi] : ranges) {
      for (uint64_t va = lo & ~(kBlock - 1); va < hi; va += kBlock) {
        uint64_t l1 = table_at(kTables, va >> 39 & 511);
        uint64_t l2 = table_at(l1, va >> 30 & 511);
        ram_.write_le<uint64_t>(l2 + 8 * (va >> 21 & 511), va | kBlockAttrs);
      }
    }
  }

  struct NullLine final : IrqLine {
    void set(bool) override {}
  };
  struct FixedClock final : Clock {
    uint64_t now_ns() const override { return 0; }
  };

  ElfImage image_;
  MmuMode mmu_;
  GuestMemory ram_;
  uint64_t brk_start_ = 0, brk_ = 0, mmap_next_ = kMmapBase, initial_sp_ = 0;
  FixedClock clock_;
  NullLine timer_line_;
};

}  // namespace vmapple::arm64::test
