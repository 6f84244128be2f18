#pragma once
// A host-side xHCI driver for tests and benchmarks, written from the eXtensible
// Host Controller Interface specification 1.2 (sections 4.2 initialisation,
// 4.3 device slot set-up, 4.6 commands, 4.9 rings, 4.11 TRBs, 4.17
// interrupters, 5 registers, 6 data structures). It brings the controller up
// in the order Linux's xhci-hcd does (HCRST and CNR, CONFIG.MaxSlotsEn,
// DCBAAP, CRCR, ERSTSZ/ERSTBA/ERDP per interrupter, IMAN.IE, USBCMD RS+INTE),
// resets ports, enumerates devices (Enable Slot, Address Device, control
// transfers built from Setup/Data/Status TRBs), configures interrupt IN
// endpoints and consumes events like an interrupt handler (IMAN.IP, ERDP with
// EHB). Guest RAM comes from a GuestArena; registers are reached through the
// AddressSpace at the address the PCI enumeration gave BAR 0.
//
// Everything runs in the caller's thread; waits poll the event ring with a
// deadline (the controller may complete work on another thread).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "memory/address_space.h"
#include "unit/hw/virtio_driver.h"  // GuestArena

namespace vmapple::test {

namespace xhci {
// Capability registers (5.3).
inline constexpr unsigned kCapLength = 0x00, kHciVersion = 0x02, kHcsParams1 = 0x04,
                          kHcsParams2 = 0x08, kHcsParams3 = 0x0C, kHccParams1 = 0x10, kDbOff = 0x14,
                          kRtsOff = 0x18, kHccParams2 = 0x1C;
// Operational registers (5.4), relative to CAPLENGTH.
inline constexpr unsigned kUsbCmd = 0x00, kUsbSts = 0x04, kPageSize = 0x08, kDnCtrl = 0x14,
                          kCrcr = 0x18, kDcbaap = 0x30, kConfig = 0x38, kPortBase = 0x400,
                          kPortStride = 0x10;
inline constexpr uint32_t kCmdRun = 1u << 0, kCmdHcReset = 1u << 1, kCmdInte = 1u << 2,
                          kCmdHsee = 1u << 3;
inline constexpr uint32_t kStsHalted = 1u << 0, kStsHse = 1u << 2, kStsEint = 1u << 3,
                          kStsPcd = 1u << 4, kStsCnr = 1u << 11, kStsHce = 1u << 12;
inline constexpr uint64_t kCrcrRcs = 1u << 0, kCrcrCs = 1u << 1, kCrcrCa = 1u << 2,
                          kCrcrCrr = 1u << 3;
// PORTSC (5.4.8).
inline constexpr uint32_t kPortCcs = 1u << 0, kPortPed = 1u << 1, kPortOca = 1u << 3,
                          kPortPr = 1u << 4, kPortPp = 1u << 9, kPortCsc = 1u << 17,
                          kPortPec = 1u << 18, kPortWrc = 1u << 19, kPortOcc = 1u << 20,
                          kPortPrc = 1u << 21, kPortPlc = 1u << 22, kPortCec = 1u << 23,
                          kPortWpr = 1u << 31;
inline constexpr uint32_t kPortChangeBits =
    kPortCsc | kPortPec | kPortWrc | kPortOcc | kPortPrc | kPortPlc | kPortCec;
// Bits a read-modify-write must carry over: PP, PIC and the wake enables.
inline constexpr uint32_t kPortPreserve = kPortPp | (3u << 14) | (7u << 25);
inline unsigned port_speed(uint32_t portsc) {
  return portsc >> 10 & 0xF;
}
inline unsigned port_link_state(uint32_t portsc) {
  return portsc >> 5 & 0xF;
}
// Default Protocol Speed IDs (7.2.2.1.1).
inline constexpr unsigned kSpeedFull = 1, kSpeedLow = 2, kSpeedHigh = 3, kSpeedSuper = 4;
// Runtime registers (5.5), relative to RTSOFF.
inline constexpr unsigned kMfIndex = 0x00, kIrBase = 0x20, kIrStride = 0x20;
inline constexpr unsigned kIman = 0x00, kImod = 0x04, kErstSz = 0x08, kErstBa = 0x10, kErdp = 0x18;
inline constexpr uint32_t kImanIp = 1u << 0, kImanIe = 1u << 1;
inline constexpr uint64_t kErdpEhb = 1u << 3;

// TRB types (6.4.6).
enum TrbType : uint8_t {
  kNormal = 1,
  kSetupStage = 2,
  kDataStage = 3,
  kStatusStage = 4,
  kIsoch = 5,
  kLink = 6,
  kEventData = 7,
  kNoOp = 8,
  kEnableSlot = 9,
  kDisableSlot = 10,
  kAddressDevice = 11,
  kConfigureEndpoint = 12,
  kEvaluateContext = 13,
  kResetEndpoint = 14,
  kStopEndpoint = 15,
  kSetTrDequeue = 16,
  kResetDevice = 17,
  kNoOpCommand = 23,
  kTransferEvent = 32,
  kCommandCompletion = 33,
  kPortStatusChange = 34,
  kHostController = 37,
};
// Completion codes (6.4.5).
enum Cc : uint8_t {
  kCcInvalid = 0,
  kCcSuccess = 1,
  kCcDataBuffer = 2,
  kCcBabble = 3,
  kCcTransaction = 4,
  kCcTrbError = 5,
  kCcStall = 6,
  kCcResource = 7,
  kCcNoSlots = 9,
  kCcSlotNotEnabled = 11,
  kCcEpNotEnabled = 12,
  kCcShortPacket = 13,
  kCcParameter = 17,
  kCcContextState = 19,
  kCcEventRingFull = 21,
  kCcStopped = 26,
};
// TRB control bits.
inline constexpr uint32_t kTrbCycle = 1u << 0, kTrbToggle = 1u << 1, kTrbEnt = 1u << 1,
                          kTrbIsp = 1u << 2, kTrbChain = 1u << 4, kTrbIoc = 1u << 5,
                          kTrbIdt = 1u << 6, kTrbBsr = 1u << 9, kTrbDirIn = 1u << 16,
                          kTrbEventData = 1u << 2;
// Setup Stage TRT (6.4.1.2.1).
inline constexpr uint32_t kTrtNoData = 0, kTrtOut = 2, kTrtIn = 3;
// Endpoint types and states (6.2.3).
inline constexpr unsigned kEpControl = 4, kEpInterruptOut = 3, kEpInterruptIn = 7, kEpBulkOut = 2,
                          kEpBulkIn = 6;
inline constexpr unsigned kEpDisabled = 0, kEpRunning = 1, kEpHalted = 2, kEpStopped = 3,
                          kEpError = 4;
inline constexpr unsigned kSlotDisabledEnabled = 0, kSlotDefault = 1, kSlotAddressed = 2,
                          kSlotConfigured = 3;
inline constexpr unsigned kCtx = 32;  // HCCPARAMS1.CSZ = 0

// Device Context Index of endpoint `number` in direction `in` (4.5.1).
inline constexpr unsigned dci(unsigned number, bool in) {
  return number == 0 ? 1 : 2 * number + (in ? 1 : 0);
}
}  // namespace xhci

struct Trb {
  uint64_t parameter = 0;
  uint32_t status = 0;
  uint32_t control = 0;

  unsigned type() const { return control >> 10 & 0x3F; }
  bool cycle() const { return control & 1; }
  unsigned completion_code() const { return status >> 24; }
  uint32_t transfer_length() const { return status & 0xFF'FFFF; }  // residual (6.4.2.1)
  unsigned slot_id() const { return control >> 24; }
  unsigned endpoint_id() const { return control >> 16 & 0x1F; }
  unsigned port_id() const { return static_cast<unsigned>(parameter >> 24 & 0xFF); }
  bool event_data() const { return control & xhci::kTrbEventData; }
  std::string describe() const {
    return "TRB{type " + std::to_string(type()) + " cc " + std::to_string(completion_code()) +
           " param 0x" + hex(parameter) + " status 0x" + hex(status) + " control 0x" +
           hex(control) + "}";
  }
  static std::string hex(uint64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
  }
};

inline Trb read_trb(const GuestMemory& m, uint64_t at) {
  Trb t;
  t.control = m.read_le<uint32_t>(at + 12).value_or(0);  // cycle bit first
  std::atomic_thread_fence(std::memory_order_acquire);
  t.parameter = m.read_le<uint64_t>(at).value_or(0);
  t.status = m.read_le<uint32_t>(at + 8).value_or(0);
  return t;
}
inline void write_trb(const GuestMemory& m, uint64_t at, const Trb& t) {
  m.write_le<uint64_t>(at, t.parameter);
  m.write_le<uint32_t>(at + 8, t.status);
  // The control word (with the cycle bit) last, as a producer must (4.9.2).
  std::atomic_thread_fence(std::memory_order_release);
  m.write_le<uint32_t>(at + 12, t.control);
}

// A producer ring (command or transfer ring, 4.9.2): one segment whose last
// TRB is a Link TRB back to the start with Toggle Cycle set.
class TrbRing {
 public:
  TrbRing(const GuestMemory& memory, GuestArena& arena, unsigned trbs = 64)
      : memory_(memory), size_(trbs), base_(arena.alloc(16u * trbs, 64)) {
    std::vector<uint8_t> zero(16u * trbs);
    memory_.write(base_, zero);
  }
  uint64_t base() const { return base_; }
  bool cycle() const { return cycle_; }
  uint64_t enqueue_address() const { return base_ + 16u * enqueue_; }
  unsigned size() const { return size_; }

  // Writes `t` with the producer's cycle bit; returns its address.
  uint64_t push(Trb t) {
    t.control = (t.control & ~xhci::kTrbCycle) | (cycle_ ? xhci::kTrbCycle : 0);
    uint64_t at = enqueue_address();
    write_trb(memory_, at, t);
    if (++enqueue_ == size_ - 1) {
      // Link TRB (6.4.4.1): chain bit carried over from the TRB before it.
      Trb link{base_, 0,
               (xhci::kLink << 10) | xhci::kTrbToggle | (t.control & xhci::kTrbChain) |
                   (cycle_ ? xhci::kTrbCycle : 0)};
      write_trb(memory_, base_ + 16u * enqueue_, link);
      enqueue_ = 0;
      cycle_ = !cycle_;
    }
    return at;
  }

 private:
  const GuestMemory& memory_;
  unsigned size_;
  uint64_t base_;
  unsigned enqueue_ = 0;
  bool cycle_ = true;
};

// A consumer event ring with a one-entry segment table (4.9.4, 6.5).
class EventRing {
 public:
  EventRing(const GuestMemory& memory, GuestArena& arena, unsigned trbs)
      : memory_(memory),
        size_(trbs),
        segment_(arena.alloc(16u * trbs, 64)),
        erst_(arena.alloc(64, 64)) {
    std::vector<uint8_t> zero(16u * trbs);
    memory_.write(segment_, zero);
    memory_.write_le<uint64_t>(erst_, segment_);
    memory_.write_le<uint32_t>(erst_ + 8, trbs);
    memory_.write_le<uint32_t>(erst_ + 12, 0);
  }
  uint64_t erst() const { return erst_; }
  uint64_t segment() const { return segment_; }
  unsigned size() const { return size_; }
  uint64_t dequeue_address() const { return segment_ + 16u * dequeue_; }
  bool cycle() const { return ccs_; }

  // The next event if the controller has written one (its cycle bit matches
  // the consumer cycle state).
  std::optional<Trb> pop() {
    std::atomic_thread_fence(std::memory_order_acquire);
    Trb t = read_trb(memory_, dequeue_address());
    if (t.cycle() != ccs_) return std::nullopt;
    if (++dequeue_ == size_) {
      dequeue_ = 0;
      ccs_ = !ccs_;
    }
    return t;
  }
  // Address of the TRB at ring index `i` (for tests that inspect the ring).
  uint64_t at(unsigned i) const { return segment_ + 16u * i; }

 private:
  const GuestMemory& memory_;
  unsigned size_;
  uint64_t segment_, erst_;
  unsigned dequeue_ = 0;
  bool ccs_ = true;
};

struct XhciDriverOptions {
  unsigned interrupters = 1;  // event rings set up (0..n-1)
  unsigned event_ring_trbs = 256;
  unsigned command_ring_trbs = 64;
  uint16_t imodi = 0;      // IMOD interval, 250 ns units
  unsigned max_slots = 0;  // CONFIG.MaxSlotsEn; 0: HCSPARAMS1.MaxSlots
  std::chrono::milliseconds timeout{2000};
};

class XhciDriver {
 public:
  using Options = XhciDriverOptions;

  struct Endpoint {
    unsigned dci = 0;
    std::unique_ptr<TrbRing> ring;
    unsigned interrupter = 0;  // Interrupter Target of the TRBs queued here
  };
  struct Device {
    unsigned port = 0;
    unsigned speed = 0;
    unsigned slot = 0;
    uint64_t input = 0;   // input context (1 + 32 contexts)
    uint64_t output = 0;  // output device context
    uint16_t ep0_mps = 0;
    std::map<unsigned, Endpoint> endpoints;  // by DCI (1 = EP0)
  };

  XhciDriver(const AddressSpace& space, GuestArena& arena, uint64_t bar0,
             std::function<bool()> intx = {})
      : space_(space), memory_(space.memory()), arena_(arena), bar_(bar0), intx_(std::move(intx)) {
    op_ = bar_ + (cap32(xhci::kCapLength) & 0xFF);
    rt_ = bar_ + (cap32(xhci::kRtsOff) & ~0x1Fu);
    db_ = bar_ + (cap32(xhci::kDbOff) & ~0x3u);
  }

  // ---- registers -------------------------------------------------------
  uint64_t bar() const { return bar_; }
  uint64_t op_base() const { return op_; }
  uint64_t rt_base() const { return rt_; }
  uint64_t db_base() const { return db_; }
  uint32_t cap32(unsigned off) const { return static_cast<uint32_t>(r(bar_ + off, 4)); }
  uint32_t op32(unsigned off) const { return static_cast<uint32_t>(r(op_ + off, 4)); }
  void set_op32(unsigned off, uint32_t v) const { w(op_ + off, 4, v); }
  // 64-bit registers: low dword then high dword, as Linux writes them.
  uint64_t op64(unsigned off) const { return r(op_ + off, 4) | r(op_ + off + 4, 4) << 32; }
  void set_op64(unsigned off, uint64_t v) const {
    w(op_ + off, 4, v & 0xFFFF'FFFF);
    w(op_ + off + 4, 4, v >> 32);
  }
  uint32_t usbsts() const { return op32(xhci::kUsbSts); }
  uint32_t usbcmd() const { return op32(xhci::kUsbCmd); }
  uint64_t port_reg(unsigned port) const {
    return op_ + xhci::kPortBase + xhci::kPortStride * (port - 1);
  }
  uint32_t portsc(unsigned port) const { return static_cast<uint32_t>(r(port_reg(port), 4)); }
  // Writes PORTSC without disturbing it: change bits and PED written as 0.
  void set_portsc(unsigned port, uint32_t bits) const {
    w(port_reg(port), 4, (portsc(port) & xhci::kPortPreserve) | bits);
  }
  uint64_t ir(unsigned i, unsigned reg) const {
    return rt_ + xhci::kIrBase + xhci::kIrStride * i + reg;
  }
  uint32_t iman(unsigned i) const { return static_cast<uint32_t>(r(ir(i, xhci::kIman), 4)); }
  void set_iman(unsigned i, uint32_t v) const { w(ir(i, xhci::kIman), 4, v); }
  uint32_t imod(unsigned i) const { return static_cast<uint32_t>(r(ir(i, xhci::kImod), 4)); }
  void set_imod(unsigned i, uint32_t v) const { w(ir(i, xhci::kImod), 4, v); }
  uint64_t erdp(unsigned i) const {
    return r(ir(i, xhci::kErdp), 4) | r(ir(i, xhci::kErdp) + 4, 4) << 32;
  }
  void set_erdp(unsigned i, uint64_t v) const {
    w(ir(i, xhci::kErdp), 4, v & 0xFFFF'FFFF);
    w(ir(i, xhci::kErdp) + 4, 4, v >> 32);
  }
  void set_erstba(unsigned i, uint64_t v) const {
    w(ir(i, xhci::kErstBa), 4, v & 0xFFFF'FFFF);
    w(ir(i, xhci::kErstBa) + 4, 4, v >> 32);
  }
  void set_erstsz(unsigned i, uint32_t v) const { w(ir(i, xhci::kErstSz), 4, v); }
  void ring_doorbell(unsigned slot, uint32_t target) const { w(db_ + 4u * slot, 4, target); }
  bool intx() const { return intx_ && intx_(); }
  // Which event ring the driver expects events targeted at interrupter `v`
  // on (identity unless a test knows the controller maps them elsewhere).
  void set_routing(std::function<unsigned(unsigned)> route) { route_ = std::move(route); }
  unsigned ring_for(unsigned target) const { return route_ ? route_(target) : target; }
  // Called while a wait polls (e.g. to run due virtual timers).
  void set_poll_hook(std::function<void()> hook) { poll_hook_ = std::move(hook); }
  unsigned max_slots() const { return cap32(xhci::kHcsParams1) & 0xFF; }
  unsigned max_interrupters() const { return cap32(xhci::kHcsParams1) >> 8 & 0x7FF; }
  unsigned max_ports() const { return cap32(xhci::kHcsParams1) >> 24; }

  // ---- bring-up (4.2) ---------------------------------------------------
  // HCRST; waits for HCRST to clear and CNR to drop.
  void reset() {
    if (!(usbsts() & xhci::kStsHalted)) {
      set_op32(xhci::kUsbCmd, usbcmd() & ~xhci::kCmdRun);
      wait_until([&] { return usbsts() & xhci::kStsHalted; }, "HCHalted");
    }
    set_op32(xhci::kUsbCmd, xhci::kCmdHcReset);
    wait_until([&] { return !(usbcmd() & xhci::kCmdHcReset); }, "HCRST to clear");
    wait_until([&] { return !(usbsts() & xhci::kStsCnr); }, "CNR to clear");
    rings_.clear();
    pending_.clear();
    devices_.clear();
  }

  // Programs the data structures and sets Run/Stop with interrupts enabled.
  void start(const Options& options = {}) {
    options_ = options;
    unsigned slots = options.max_slots ? options.max_slots : max_slots();
    set_op32(xhci::kConfig, (op32(xhci::kConfig) & ~0xFFu) | slots);
    dcbaa_ = arena_.alloc(8u * (slots + 1), 64);
    std::vector<uint8_t> zero(8u * (slots + 1));
    memory_.write(dcbaa_, zero);
    set_op64(xhci::kDcbaap, dcbaa_);
    commands_ = std::make_unique<TrbRing>(memory_, arena_, options.command_ring_trbs);
    set_op64(xhci::kCrcr, commands_->base() | xhci::kCrcrRcs);
    for (unsigned i = 0; i < options.interrupters; ++i)
      setup_interrupter(i, options.event_ring_trbs, options.imodi);
    set_op32(xhci::kUsbCmd, usbcmd() | xhci::kCmdRun | xhci::kCmdInte | xhci::kCmdHsee);
    wait_until([&] { return !(usbsts() & xhci::kStsHalted); }, "HCHalted to clear");
  }

  // ERSTSZ, ERDP, ERSTBA (last: it starts the event ring), IMOD, IMAN.IE.
  void setup_interrupter(unsigned i, unsigned trbs, uint16_t imodi = 0) {
    auto ring = std::make_unique<EventRing>(memory_, arena_, trbs);
    set_erstsz(i, 1);
    set_erdp(i, ring->segment());
    set_erstba(i, ring->erst());
    set_imod(i, imodi);
    set_iman(i, xhci::kImanIe | xhci::kImanIp);
    rings_[i] = std::move(ring);
  }
  EventRing& event_ring(unsigned i) { return *rings_.at(i); }
  TrbRing& command_ring() { return *commands_; }
  uint64_t dcbaa() const { return dcbaa_; }
  const Options& options() const { return options_; }

  // ---- events -----------------------------------------------------------
  // Moves every new event of ring `i` into the pending list; no registers.
  size_t collect(unsigned i) {
    size_t n = 0;
    auto it = rings_.find(i);
    if (it == rings_.end()) return 0;
    while (auto t = it->second->pop()) {
      pending_[i].push_back(*t);
      ++n;
    }
    return n;
  }
  // The interrupt handler's acknowledgement (4.17.2, 5.5.2.3.3): USBSTS.EINT
  // and IMAN.IP are write-1-to-clear; ERDP moves to the dequeue pointer with
  // EHB written 1 to clear it.
  void acknowledge(unsigned i) {
    set_op32(xhci::kUsbSts, xhci::kStsEint);
    set_iman(i, iman(i) | xhci::kImanIp);
    set_erdp(i, rings_.at(i)->dequeue_address() | xhci::kErdpEhb);
  }
  // What an interrupt handler does: collect, then acknowledge.
  size_t service(unsigned i) {
    size_t n = collect(i);
    acknowledge(i);
    return n;
  }
  std::deque<Trb>& pending(unsigned i) { return pending_[i]; }

  // Waits for the first event on ring `i` that satisfies `match`, servicing
  // the ring meanwhile; other events stay pending.
  Trb wait_event(unsigned i, const std::function<bool(const Trb&)>& match,
                 const char* what = "event") {
    std::optional<Trb> found;
    wait_until(
        [&] {
          if (collect(i)) acknowledge(i);
          found = take_pending(i, match);
          return found.has_value();
        },
        what);
    return *found;
  }
  // Whether an event matching `match` is on ring `i` (or pending) right now.
  std::optional<Trb> take_event(unsigned i, const std::function<bool(const Trb&)>& match) {
    collect(i);
    return take_pending(i, match);
  }
  // The first already collected event of ring `i` that satisfies `match`.
  std::optional<Trb> take_pending(unsigned i, const std::function<bool(const Trb&)>& match) {
    auto& q = pending_[i];
    for (auto it = q.begin(); it != q.end(); ++it) {
      if (match(*it)) {
        Trb t = *it;
        q.erase(it);
        return t;
      }
    }
    return std::nullopt;
  }

  // ---- commands (4.6) ---------------------------------------------------
  uint64_t queue_command(Trb t) { return commands_->push(t); }
  // Queues `t`, rings doorbell 0, returns its Command Completion Event.
  Trb command(Trb t) {
    uint64_t at = queue_command(t);
    ring_doorbell(0, 0);
    return wait_command(at);
  }
  Trb wait_command(uint64_t at) {
    return wait_event(
        0, [at](const Trb& e) { return e.type() == xhci::kCommandCompletion && e.parameter == at; },
        "command completion");
  }
  static Trb command_trb(unsigned type, unsigned slot = 0, uint64_t parameter = 0,
                         uint32_t extra = 0) {
    return Trb{parameter, 0, (type << 10) | (slot << 24) | extra};
  }
  Trb no_op() { return command(command_trb(xhci::kNoOpCommand)); }
  // Enable Slot: the slot ID, or 0 with `cc` set to the completion code.
  unsigned enable_slot(unsigned* cc = nullptr) {
    Trb e = command(command_trb(xhci::kEnableSlot));
    if (cc) *cc = e.completion_code();
    return e.completion_code() == xhci::kCcSuccess ? e.slot_id() : 0;
  }
  unsigned disable_slot(unsigned slot) {
    return command(command_trb(xhci::kDisableSlot, slot)).completion_code();
  }

  // ---- ports ------------------------------------------------------------
  // Resets a USB 2 port (4.3.1) and acknowledges the change bits; returns the
  // port speed. Throws if the port does not enable.
  unsigned reset_port(unsigned port) {
    set_portsc(port, xhci::kPortPr);
    wait_until([&] { return portsc(port) & xhci::kPortPrc; }, "port reset change");
    uint32_t sc = portsc(port);
    set_portsc(port, sc & xhci::kPortChangeBits);
    if (!(sc & xhci::kPortPed)) throw std::runtime_error("port did not enable after reset");
    return xhci::port_speed(sc);
  }

  // ---- devices (4.3) ----------------------------------------------------
  uint64_t input_context(const Device& d, unsigned index) const {
    return d.input + xhci::kCtx * index;  // 0: input control, 1: slot, 1 + dci
  }
  uint64_t output_context(const Device& d, unsigned index) const {
    return d.output + xhci::kCtx * index;  // 0: slot, dci
  }
  void clear_input(const Device& d) const {
    std::vector<uint8_t> zero(xhci::kCtx * 33);
    memory_.write(d.input, zero);
  }
  uint32_t out_dword(const Device& d, unsigned index, unsigned dword) const {
    return memory_.read_le<uint32_t>(output_context(d, index) + 4 * dword).value_or(0);
  }
  unsigned slot_state(const Device& d) const { return out_dword(d, 0, 3) >> 27; }
  unsigned usb_address(const Device& d) const { return out_dword(d, 0, 3) & 0xFF; }
  unsigned ep_state(const Device& d, unsigned dci) const { return out_dword(d, dci, 0) & 7; }
  uint64_t ep_dequeue(const Device& d, unsigned dci) const {
    return memory_.read_le<uint64_t>(output_context(d, dci) + 8).value_or(0);
  }

  static uint16_t default_ep0_mps(unsigned speed) {
    switch (speed) {
      case xhci::kSpeedLow:
        return 8;
      case xhci::kSpeedSuper:
        return 512;
      default:
        return 64;
    }
  }

  // Enable Slot on a reset port, then Address Device with slot and EP0
  // contexts. Returns the device (slot state Addressed unless `bsr`).
  Device& enable_and_address(unsigned port, bool bsr = false) {
    unsigned speed = xhci::port_speed(portsc(port));
    unsigned cc = 0;
    unsigned slot = enable_slot(&cc);
    if (!slot) throw std::runtime_error("Enable Slot failed, cc " + std::to_string(cc));
    auto d = std::make_unique<Device>();
    d->port = port;
    d->speed = speed;
    d->slot = slot;
    d->input = arena_.alloc(xhci::kCtx * 33, 64);
    d->output = arena_.alloc(xhci::kCtx * 32, 64);
    std::vector<uint8_t> zero(xhci::kCtx * 32);
    memory_.write(d->output, zero);
    memory_.write_le<uint64_t>(dcbaa_ + 8u * slot, d->output);
    d->ep0_mps = default_ep0_mps(speed);
    Endpoint& ep0 = d->endpoints[1];
    ep0.dci = 1;
    ep0.ring = std::make_unique<TrbRing>(memory_, arena_, 64);
    Device& dev = *d;
    devices_[slot] = std::move(d);
    unsigned address_cc = address_device(dev, bsr);
    if (address_cc != xhci::kCcSuccess)
      throw std::runtime_error("Address Device failed, cc " + std::to_string(address_cc));
    return dev;
  }

  // Fills the input context for Address Device (4.3.3) and issues it.
  unsigned address_device(Device& d, bool bsr) {
    clear_input(d);
    memory_.write_le<uint32_t>(input_context(d, 0) + 4, 0b11);  // A0 | A1
    uint64_t slot_ctx = input_context(d, 1);
    memory_.write_le<uint32_t>(slot_ctx, (1u << 27) | (d.speed << 20));
    memory_.write_le<uint32_t>(slot_ctx + 4, d.port << 16);
    write_ep0_context(d, input_context(d, 2));
    return command(command_trb(xhci::kAddressDevice, d.slot, d.input, bsr ? xhci::kTrbBsr : 0))
        .completion_code();
  }
  void write_ep0_context(const Device& d, uint64_t at) const {
    const TrbRing& ring = *d.endpoints.at(1).ring;
    memory_.write_le<uint32_t>(at, 0);
    memory_.write_le<uint32_t>(at + 4,
                               (3u << 1) | (xhci::kEpControl << 3) | (uint32_t{d.ep0_mps} << 16));
    memory_.write_le<uint64_t>(at + 8, ring.enqueue_address() | (ring.cycle() ? 1 : 0));
    memory_.write_le<uint32_t>(at + 16, 8);  // average TRB length
  }
  // Evaluate Context with a new EP0 Max Packet Size (4.6.7).
  unsigned set_ep0_mps(Device& d, uint16_t mps) {
    d.ep0_mps = mps;
    clear_input(d);
    memory_.write_le<uint32_t>(input_context(d, 0) + 4, 0b10);  // A1
    write_ep0_context(d, input_context(d, 2));
    return command(command_trb(xhci::kEvaluateContext, d.slot, d.input)).completion_code();
  }

  struct ControlResult {
    unsigned cc = 0;      // of the last event of the transfer
    uint32_t length = 0;  // data stage bytes moved
    std::vector<Trb> events;
  };
  // One control transfer on EP0 (4.11.2.2): Setup (IDT), optional Data
  // (ISP for IN), Status in the opposite direction with IOC.
  ControlResult control(Device& d, uint8_t request_type, uint8_t request, uint16_t value,
                        uint16_t index, std::span<uint8_t> data, unsigned interrupter = 0) {
    TrbRing& ring = *d.endpoints.at(1).ring;
    bool in = request_type & 0x80;
    uint16_t length = static_cast<uint16_t>(data.size());
    uint64_t setup = uint64_t{request_type} | uint64_t{request} << 8 | uint64_t{value} << 16 |
                     uint64_t{index} << 32 | uint64_t{length} << 48;
    uint32_t target = interrupter << 22;
    uint32_t trt = length == 0 ? xhci::kTrtNoData : in ? xhci::kTrtIn : xhci::kTrtOut;
    ring.push({setup, 8 | target, (xhci::kSetupStage << 10) | xhci::kTrbIdt | (trt << 16)});
    uint64_t buffer = 0, data_trb = 0;
    if (length) {
      buffer = stage(length);
      if (!in) memory_.write(buffer, data);
      data_trb = ring.push({buffer, length | target,
                            (xhci::kDataStage << 10) | (in ? xhci::kTrbDirIn | xhci::kTrbIsp : 0)});
    }
    bool status_in = !(length && in);
    uint64_t status_trb =
        ring.push({0, target,
                   (xhci::kStatusStage << 10) | xhci::kTrbIoc | (status_in ? xhci::kTrbDirIn : 0)});
    ring_doorbell(d.slot, 1);
    ControlResult result;
    result.length = length;
    for (;;) {
      Trb e = wait_event(
          ring_for(interrupter),
          [&](const Trb& t) {
            return t.type() == xhci::kTransferEvent && t.slot_id() == d.slot &&
                   t.endpoint_id() == 1;
          },
          "control transfer event");
      result.events.push_back(e);
      result.cc = e.completion_code();
      if (e.parameter == data_trb && e.completion_code() == xhci::kCcShortPacket) {
        result.length = length - e.transfer_length();
        continue;
      }
      if (e.parameter == status_trb || e.completion_code() != xhci::kCcShortPacket) break;
    }
    if (in && length) memory_.read(buffer, data.first(result.length));
    return result;
  }
  // GET_DESCRIPTOR (USB 2.0 9.4.3); `recipient` 0x80 device, 0x81 interface.
  std::vector<uint8_t> get_descriptor(Device& d, uint8_t type, uint8_t index, uint16_t length,
                                      uint8_t recipient = 0x80, uint16_t windex = 0,
                                      unsigned* cc = nullptr) {
    std::vector<uint8_t> buf(length);
    ControlResult r =
        control(d, recipient, 6, static_cast<uint16_t>(type << 8 | index), windex, buf);
    if (cc) *cc = r.cc;
    if (r.cc != xhci::kCcSuccess) throw std::runtime_error("GET_DESCRIPTOR failed");
    buf.resize(r.length);
    return buf;
  }
  unsigned set_configuration(Device& d, uint8_t value) {
    return control(d, 0x00, 9, value, 0, {}).cc;
  }

  // Linux's order for a new device: 8 bytes of the device descriptor with
  // the default EP0 size, Evaluate Context if bMaxPacketSize0 differs, then
  // the whole descriptor.
  std::vector<uint8_t> read_device_descriptor(Device& d) {
    auto head = get_descriptor(d, 1, 0, 8);
    if (head.size() < 8) throw std::runtime_error("short device descriptor");
    uint16_t mps0 = d.speed == xhci::kSpeedSuper ? uint16_t(1u << head[7]) : head[7];
    if (mps0 != d.ep0_mps && set_ep0_mps(d, mps0) != xhci::kCcSuccess)
      throw std::runtime_error("Evaluate Context failed");
    return get_descriptor(d, 1, 0, 18);
  }
  std::vector<uint8_t> read_configuration(Device& d) {
    auto head = get_descriptor(d, 2, 0, 9);
    uint16_t total = static_cast<uint16_t>(head.at(2) | head.at(3) << 8);
    return get_descriptor(d, 2, 0, total);
  }

  // Configure Endpoint adding one interrupt IN endpoint (4.6.6, 6.2.3) whose
  // TRBs target `interrupter`; the slot context's Interrupter Target too.
  unsigned configure_interrupt_in(Device& d, uint8_t ep_address, uint16_t mps, uint8_t binterval,
                                  unsigned interrupter = 0, uint8_t config_value = 1,
                                  unsigned ring_trbs = 64) {
    unsigned index = xhci::dci(ep_address & 0xF, true);
    Endpoint& ep = d.endpoints[index];
    ep.dci = index;
    ep.interrupter = interrupter;
    ep.ring = std::make_unique<TrbRing>(memory_, arena_, ring_trbs);
    clear_input(d);
    memory_.write_le<uint32_t>(input_context(d, 0) + 4, 1u | 1u << index);
    memory_.write_le<uint32_t>(input_context(d, 0) + 28, config_value);
    unsigned entries = d.endpoints.rbegin()->first;
    uint64_t slot_ctx = input_context(d, 1);
    memory_.write_le<uint32_t>(slot_ctx, (entries << 27) | (d.speed << 20));
    memory_.write_le<uint32_t>(slot_ctx + 4, d.port << 16);
    memory_.write_le<uint32_t>(slot_ctx + 8, interrupter << 22);
    uint64_t at = input_context(d, 1 + index);
    memory_.write_le<uint32_t>(at, interval_field(d.speed, binterval) << 16);
    memory_.write_le<uint32_t>(at + 4,
                               (3u << 1) | (xhci::kEpInterruptIn << 3) | (uint32_t{mps} << 16));
    memory_.write_le<uint64_t>(at + 8, ep.ring->base() | 1);
    memory_.write_le<uint32_t>(at + 16, uint32_t{mps} | uint32_t{mps} << 16);
    return command(command_trb(xhci::kConfigureEndpoint, d.slot, d.input)).completion_code();
  }
  // 6.2.3.6: period = 125 us * 2^Interval; full/low speed bInterval is in
  // 1 ms frames, high speed is already an exponent (2^(bInterval-1)).
  static uint32_t interval_field(unsigned speed, uint8_t binterval) {
    if (speed == xhci::kSpeedHigh || speed == xhci::kSpeedSuper)
      return binterval ? binterval - 1u : 0u;
    uint32_t frames = binterval ? binterval : 1;
    uint32_t e = 0;
    while (e < 7 && (2u << e) <= frames)
      ++e;
    return 3 + e;  // 2^e ms: the largest power of two not above bInterval
  }

  // A Normal TRB on endpoint `dci` (IOC, ISP); returns its address. The
  // doorbell is rung unless `ring` is false.
  uint64_t queue_normal(Device& d, unsigned dci, uint64_t buffer, uint32_t length, bool ring = true,
                        uint32_t extra = xhci::kTrbIoc | xhci::kTrbIsp) {
    Endpoint& ep = d.endpoints.at(dci);
    uint64_t at =
        ep.ring->push({buffer, length | (ep.interrupter << 22), (xhci::kNormal << 10) | extra});
    if (ring) ring_doorbell(d.slot, dci);
    return at;
  }
  // Waits for the Transfer Event of `trb` on the ring its endpoint's target
  // routes to (or on `ring` if given).
  Trb wait_transfer(Device& d, uint64_t trb, std::optional<unsigned> ring = std::nullopt) {
    unsigned on = ring ? *ring : ring_for(endpoint_target(d, trb));
    return wait_event(
        on,
        [&](const Trb& t) {
          return t.type() == xhci::kTransferEvent && t.slot_id() == d.slot && t.parameter == trb;
        },
        "transfer event");
  }

  Device& device(unsigned slot) { return *devices_.at(slot); }
  // The Interrupter Target written in the TRB at `trb`.
  unsigned endpoint_target(const Device&, uint64_t trb) const {
    return memory_.read_le<uint32_t>(trb + 8).value_or(0) >> 22;
  }

  // A scratch buffer for control data (reused).
  uint64_t stage(size_t bytes) {
    if (bytes > stage_size_) {
      stage_size_ = std::max<size_t>(bytes, 4096);
      stage_ = arena_.alloc(stage_size_, 4096);
    }
    return stage_;
  }
  GuestArena& arena() { return arena_; }
  const GuestMemory& memory() const { return memory_; }

  template <typename F>
  void wait_until(F done, const char* what) const {
    auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    for (unsigned spins = 0; !done(); ++spins) {
      if (poll_hook_) poll_hook_();
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::string("xHCI: timed out waiting for ") + what);
      if (spins > 1000)
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      else
        std::this_thread::yield();
    }
  }

  uint64_t r(uint64_t gpa, unsigned size) const {
    uint64_t v = 0;
    if (space_.read(gpa, size, &v) != MmioStatus::kOk) throw std::runtime_error("MMIO read failed");
    return v;
  }
  void w(uint64_t gpa, unsigned size, uint64_t v) const {
    if (space_.write(gpa, size, v) != MmioStatus::kOk)
      throw std::runtime_error("MMIO write failed");
  }

 private:
  const AddressSpace& space_;
  const GuestMemory& memory_;
  GuestArena& arena_;
  uint64_t bar_, op_ = 0, rt_ = 0, db_ = 0;
  std::function<bool()> intx_;
  std::function<unsigned(unsigned)> route_;
  std::function<void()> poll_hook_;
  Options options_;
  uint64_t dcbaa_ = 0;
  std::unique_ptr<TrbRing> commands_;
  std::map<unsigned, std::unique_ptr<EventRing>> rings_;
  std::map<unsigned, std::deque<Trb>> pending_;
  std::map<unsigned, std::unique_ptr<Device>> devices_;
  uint64_t stage_ = 0;
  size_t stage_size_ = 0;
};

}  // namespace vmapple::test
