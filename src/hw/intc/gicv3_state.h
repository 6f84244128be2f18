#pragma once
// The architectural state of the software GICv3 as a plain struct: no locks,
// no MMIO, no wiring. GicV3 holds one and implements the behaviour; keeping
// the state apart is what lets a VM be saved and restored (GicV3::save_state
// and restore_state) and lets the same registers later be loaded into an
// in-kernel vGIC.
//
// Configuration (spec 2.4): architecture revision 3, one security state
// (GICD_CTLR.DS = 1), affinity routing always on (ARE RAO/WI), no LPIs, no
// ITS, 256 SPIs (INTIDs 32..287), 5 bits of priority, 16-bit INTIDs.
#include <array>
#include <cstdint>
#include <vector>

namespace vmapple::gicv3 {

inline constexpr unsigned kNumSpis = 256;
inline constexpr unsigned kNumIntids = 32 + kNumSpis;  // 288: GICD_TYPER.ITLinesNumber = 8
inline constexpr unsigned kSpiWords = kNumSpis / 32;
inline constexpr unsigned kMaxCpus = 32;  // one redistributor frame each in the 4 MiB region
inline constexpr unsigned kSpurious = 1023;
inline constexpr unsigned kFirstSpecial = 1020;  // INTIDs 1020..1023

// Priority: the top five bits are implemented (32 levels, one 32-bit active
// priority register per group).
inline constexpr unsigned kPriorityBits = 5;
inline constexpr uint8_t kPriorityMask = 0xF8;
inline constexpr unsigned kPriorityShift = 8 - kPriorityBits;  // priority >> 3 = APR bit
inline constexpr uint8_t kIdlePriority = 0xFF;
// The smallest binary points: every implemented bit is then group priority.
inline constexpr uint8_t kMinBpr0 = 7 - kPriorityBits;  // 2: group priority [7:3]
inline constexpr uint8_t kMinBpr1 = kMinBpr0 + 1;       // 3: group priority [7:3]

// Register fields the state uses.
inline constexpr uint32_t kGicdCtlrEnableGrp0 = 1u << 0;
inline constexpr uint32_t kGicdCtlrEnableGrp1 = 1u << 1;
inline constexpr uint64_t kIrouterIrm = uint64_t{1} << 31;  // 1-of-N routing
// Aff0..Aff2, IRM and Aff3: the implemented bits of GICD_IROUTER.
inline constexpr uint64_t kIrouterMask = 0x0000'00FF'80FF'FFFF;

// Per-interrupt state of `Words` x 32 consecutive INTIDs, one bit each: bit
// i of word w is interrupt 32 * w + i of the bank.
template <unsigned Words>
struct IrqBank {
  std::array<uint32_t, Words> group{};    // IGROUPR: 1 = Group 1 (IRQ), 0 = Group 0 (FIQ)
  std::array<uint32_t, Words> enabled{};  // ISENABLER/ICENABLER
  std::array<uint32_t, Words> latch{};    // pending latch: edges, ISPENDR, SGIs
  std::array<uint32_t, Words> level{};    // input line level (not cleared by reset)
  std::array<uint32_t, Words> active{};   // ISACTIVER/ICACTIVER
  std::array<uint32_t, Words> edge{};     // ICFGR Int_config[1]: 1 edge, 0 level
  std::array<uint8_t, Words * 32> priority{};

  // Pending: the latch, or a level-sensitive input that is asserted.
  uint32_t pending(unsigned w) const { return latch[w] | (level[w] & ~edge[w]); }
};

// What belongs to one PE: its redistributor and its CPU interface.
struct CpuState {
  IrqBank<1> banked{.edge = {0x0000'FFFF}};  // SGIs (always edge) and PPIs
  bool processor_sleep = true;               // GICR_WAKER.ProcessorSleep

  // CPU interface (ICC_*_EL1).
  uint8_t pmr = 0;
  uint8_t bpr0 = kMinBpr0;
  uint8_t bpr1 = kMinBpr1;
  bool cbpr = false;     // ICC_CTLR_EL1.CBPR: BPR0 also groups Group 1
  bool eoimode = false;  // ICC_CTLR_EL1.EOImode: EOIR drops priority only, DIR deactivates
  bool igrpen0 = false;
  bool igrpen1 = false;
  uint32_t ap0r = 0;  // ICC_AP0R0_EL1: bit n = an active Group 0 interrupt of group priority n<<3
  uint32_t ap1r = 0;  // ICC_AP1R0_EL1: the same for Group 1
};

struct State {
  uint32_t gicd_ctlr = 0;  // the EnableGrp0/EnableGrp1 bits; ARE and DS read as one
  IrqBank<kSpiWords> spis;
  std::array<uint64_t, kNumSpis> irouter{};  // GICD_IROUTER<32 + n>
  std::vector<CpuState> cpus;
};

// Calls f(bank, word, bit) with the bank holding `intid` (0..kNumIntids-1)
// as seen by CPU `cpu`: its own SGIs/PPIs, or the shared SPIs.
template <typename S, typename F>
decltype(auto) with_irq(S& state, unsigned cpu, unsigned intid, F&& f) {
  if (intid < 32) return f(state.cpus[cpu].banked, 0u, intid);
  unsigned n = intid - 32;
  return f(state.spis, n / 32, n % 32);
}

// The CoreSight ID registers at 0xFFD0..0xFFFC of the distributor and of
// each RD_base frame: PIDR2.ArchRev = 3 (GICv3), designer Arm (JEP106 0x43B,
// as GICD_IIDR says), CIDR = 0xB105F00D.
constexpr bool is_id_register(uint64_t offset) {
  return offset >= 0xFFD0 && offset <= 0xFFFC;
}
constexpr uint32_t id_register(uint64_t offset) {
  switch (offset) {
    case 0xFFD0:  // PIDR4: JEP106 continuation code 4
      return 0x04;
    case 0xFFE4:  // PIDR1: JEP106 identity [3:0]
      return 0xB0;
    case 0xFFE8:  // PIDR2: ArchRev 3, JEDEC, JEP106 identity [6:4]
      return 0x3B;
    case 0xFFF0:
      return 0x0D;
    case 0xFFF4:
      return 0xF0;
    case 0xFFF8:
      return 0x05;
    case 0xFFFC:
      return 0xB1;
    default:  // PIDR5-7, PIDR0 (part number 0), PIDR3
      return 0;
  }
}
inline constexpr uint32_t kIidr = 0x0000'043B;  // Arm, product 0, r0p0

}  // namespace vmapple::gicv3
