#pragma once
// A small rig for the XHCI controller's own unit tests and fuzz target: the
// PCI function on a fake bus link (INTx level and MSI messages recorded),
// guest RAM, virtual time, a scriptable fake USB device, and a minimal
// host-side programming of rings and contexts written from the xHCI spec.
// (The full Linux-like driver is tests/unit/hw/xhci_driver.h.)
#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/manual_timers.h"
#include "hw/pci/msi.h"
#include "hw/usb/usb_device.h"
#include "hw/usb/xhci/trb.h"
#include "hw/usb/xhci/xhci_pci.h"
#include "hw/usb/xhci/xhci_regs.h"
#include "memory/guest_memory.h"

namespace vmapple::test {

// A device whose answers the test scripts. Control requests it does not
// know stall; IN transfers return queued reports or NAK.
class FakeUsbDevice final : public usb::UsbDevice {
 public:
  explicit FakeUsbDevice(usb::Speed speed = usb::Speed::kFull) : speed_(speed) {
    static const uint8_t kDevice[18] = {18,   1,    0x00, 0x02, 0, 0, 0, 64, 0x34,
                                        0x12, 0x78, 0x56, 0,    1, 1, 2, 3,  1};
    descriptor.assign(std::begin(kDevice), std::end(kDevice));
  }
  std::string_view name() const override { return "fake"; }
  usb::Speed speed() const override { return speed_; }
  void bus_reset() override {
    ++resets;
    address = 0;
  }
  usb::TransferResult control(const usb::SetupPacket& setup, std::span<uint8_t> data) override {
    controls.push_back(setup);
    if (setup.bmRequestType == 0 && setup.bRequest == 5) {
      address = setup.wValue;
      return {};
    }
    if (setup.device_to_host() && setup.bRequest == 6) {  // GET_DESCRIPTOR
      size_t n = std::min(descriptor.size(), data.size());
      std::copy_n(descriptor.begin(), n, data.begin());
      return {usb::TransferStatus::kOk, n};
    }
    if (!setup.device_to_host()) {
      out_data.assign(data.begin(), data.end());
      return {usb::TransferStatus::kOk, data.size()};
    }
    return {usb::TransferStatus::kStall, 0};
  }
  usb::TransferResult transfer(uint8_t ep, bool in, std::span<uint8_t> data) override {
    ++transfers;
    if (!in) {
      out_data.assign(data.begin(), data.end());
      return {usb::TransferStatus::kOk, data.size()};
    }
    if (ep == stall_ep) return {usb::TransferStatus::kStall, 0};
    std::lock_guard lock(reports_mutex);
    if (reports.empty()) return {usb::TransferStatus::kNak, 0};
    std::vector<uint8_t> r = reports.front();
    if (r.size() > data.size()) return {usb::TransferStatus::kBabble, 0};
    reports.pop_front();
    std::copy(r.begin(), r.end(), data.begin());
    return {usb::TransferStatus::kOk, r.size()};
  }
  // Queues a report on IN endpoint 1 and tells the controller.
  // Any thread (the reports are locked, the notifier called unlocked).
  void push_report(std::vector<uint8_t> r) {
    {
      std::lock_guard lock(reports_mutex);
      reports.push_back(std::move(r));
    }
    notify(1);
  }

  usb::Speed speed_;
  int resets = 0;
  unsigned address = 0;
  unsigned transfers = 0;
  uint8_t stall_ep = 0xFF;
  std::vector<uint8_t> descriptor;  // GET_DESCRIPTOR answers with it
  std::vector<usb::SetupPacket> controls;
  std::vector<uint8_t> out_data;
  std::mutex reports_mutex;
  std::deque<std::vector<uint8_t>> reports;
};

class FakePciLink final : public PciBusLink, public MsiTarget {
 public:
  explicit FakePciLink(bool with_msi) : with_msi_(with_msi) {}
  void intx_changed(uint8_t, pci::IntxPin, bool asserted) override { intx = asserted; }
  MsiTarget* msi_target() override { return with_msi_ ? this : nullptr; }
  void send_msi(uint64_t address, uint32_t data) override { messages.push_back({address, data}); }

  struct Message {
    uint64_t address;
    uint32_t data;
  };
  bool intx = false;
  std::vector<Message> messages;

 private:
  bool with_msi_;
};

// Guest memory layout of the rig (all in one RAM region).
struct XhciLayout {
  static constexpr uint64_t kRam = 0x4000'0000;
  static constexpr uint64_t kRamSize = 0x10'0000;  // 1 MiB
  static constexpr uint64_t kDcbaa = kRam + 0x0000;
  static constexpr uint64_t kCommandRing = kRam + 0x1000;     // 64 TRBs
  static constexpr uint64_t kErst = kRam + 0x2000;            // 16 entries, one per interrupter
  static constexpr uint64_t kEventRings = kRam + 0x10000;     // 16 x 4 KiB
  static constexpr uint64_t kInput = kRam + 0x20000;          // input context
  static constexpr uint64_t kOutput = kRam + 0x21000;         // output contexts, 4 KiB per slot
  static constexpr uint64_t kTransferRings = kRam + 0x40000;  // 4 KiB per (slot, dci) in use
  static constexpr uint64_t kBuffers = kRam + 0x80000;
  static constexpr unsigned kEventRingTrbs = 64;
  static constexpr unsigned kCommandRingTrbs = 64;
};

class XhciCtlRig : public XhciLayout {
 public:
  explicit XhciCtlRig(usb::XhciOptions options = {}, bool platform_msi = false)
      : link_(platform_msi), xhci_(memory_, timers_, options) {
    memory_.add_region("ram", kRam, kRamSize);
    xhci_.attach(&link_, 8);  // slot 1
    xhci_.config_write(pci::kCommand, 2, pci::kCommandMemorySpace | pci::kCommandBusMaster);
  }

  uint32_t reg(uint64_t offset) { return static_cast<uint32_t>(xhci_.read(offset, 4)); }
  void set_reg(uint64_t offset, uint32_t value) { xhci_.write(offset, 4, value); }
  void set_reg64(uint64_t offset, uint64_t value) {
    set_reg(offset, static_cast<uint32_t>(value));
    set_reg(offset + 4, static_cast<uint32_t>(value >> 32));
  }
  uint32_t op(unsigned r) { return reg(usb::xhci::kOpBase + r); }
  void set_op(unsigned r, uint32_t v) { set_reg(usb::xhci::kOpBase + r, v); }
  static uint64_t intr(unsigned v, unsigned r) {
    return usb::xhci::kInterrupterBase + usb::xhci::kInterrupterStride * v + r;
  }
  static uint64_t portsc(unsigned port) {
    return usb::xhci::kPortBase + usb::xhci::kPortStride * (port - 1);
  }

  // ---- event rings ----
  uint64_t event_ring(unsigned v) const { return kEventRings + 0x1000ull * v; }
  void setup_interrupter(unsigned v, bool enable = true) {
    uint64_t erst = kErst + 64ull * v;  // ERSTBA is 64-byte aligned
    memory_.write_le<uint64_t>(erst, event_ring(v));
    memory_.write_le<uint32_t>(erst + 8, kEventRingTrbs);
    set_reg(intr(v, usb::xhci::kErstsz), 1);
    set_reg64(intr(v, usb::xhci::kErdp), event_ring(v));
    set_reg64(intr(v, usb::xhci::kErstba), erst);
    if (enable) set_reg(intr(v, usb::xhci::kIman), usb::xhci::kImanIe);
    ev_index_[v] = 0;
    ev_cycle_[v] = true;
  }
  // The next event on ring v, if the controller wrote one; advances ERDP
  // (clearing EHB) when `ack`.
  std::optional<usb::xhci::Trb> next_event(unsigned v, bool ack = true) {
    uint64_t at = event_ring(v) + 16ull * ev_index_[v];
    usb::xhci::Trb t;
    // The cycle bit first: the rest of the TRB is only valid once it matches
    // (the controller may be writing from another thread).
    t.control = *memory_.read_le<uint32_t>(at + 12);
    if (t.cycle() != ev_cycle_[v]) return std::nullopt;
    std::atomic_thread_fence(std::memory_order_acquire);
    t.parameter = *memory_.read_le<uint64_t>(at);
    t.status = *memory_.read_le<uint32_t>(at + 8);
    if (++ev_index_[v] == kEventRingTrbs) {
      ev_index_[v] = 0;
      ev_cycle_[v] = !ev_cycle_[v];
    }
    if (ack)
      set_reg64(intr(v, usb::xhci::kErdp),
                (event_ring(v) + 16ull * ev_index_[v]) | usb::xhci::kErdpEhb);
    return t;
  }
  std::vector<usb::xhci::Trb> drain_events(unsigned v) {
    std::vector<usb::xhci::Trb> out;
    while (auto t = next_event(v))
      out.push_back(*t);
    return out;
  }

  // ---- controller bring-up ----
  void start(unsigned slots = 8) {
    set_op(usb::xhci::kConfig, slots);
    set_reg64(usb::xhci::kOpBase + usb::xhci::kDcbaap, kDcbaa);
    set_reg64(usb::xhci::kOpBase + usb::xhci::kCrcr, kCommandRing | 1);
    cmd_index_ = 0;
    cmd_cycle_ = true;
    setup_interrupter(0);
    set_op(usb::xhci::kUsbCmd, usb::xhci::kCmdRs | usb::xhci::kCmdInte);
  }

  void write_trb(uint64_t at, const usb::xhci::Trb& t) {
    memory_.write_le<uint64_t>(at, t.parameter);
    memory_.write_le<uint32_t>(at + 8, t.status);
    memory_.write_le<uint32_t>(at + 12, t.control);
  }

  // Posts a command (cycle bit added) and rings doorbell 0; returns its address.
  uint64_t post_command(usb::xhci::Trb t, bool ring = true) {
    if (cmd_index_ == kCommandRingTrbs - 1) {
      write_trb(kCommandRing + 16ull * cmd_index_,
                {kCommandRing, 0, usb::xhci::kTrbLink << 10 | 2u | (cmd_cycle_ ? 1u : 0u)});
      cmd_index_ = 0;
      cmd_cycle_ = !cmd_cycle_;
    }
    uint64_t at = kCommandRing + 16ull * cmd_index_++;
    t.control = (t.control & ~1u) | (cmd_cycle_ ? 1u : 0u);
    write_trb(at, t);
    if (ring) set_reg(usb::xhci::kDoorbellBase, 0);
    return at;
  }
  // Runs one command; returns its completion event (checked to point at it).
  usb::xhci::Trb command(usb::xhci::Trb t) {
    uint64_t at = post_command(t);
    for (auto e = next_event(0); e; e = next_event(0))
      if (e->type() == usb::xhci::kTrbCommandCompletionEvent && e->parameter == at) return *e;
    return {};
  }
  static uint8_t code(const usb::xhci::Trb& e) { return static_cast<uint8_t>(e.status >> 24); }

  // Enable Slot + Address Device for the device on `port`; returns the slot.
  unsigned enumerate(unsigned port, bool bsr = false) {
    usb::xhci::Trb e = command({0, 0, usb::xhci::kTrbEnableSlot << 10});
    unsigned slot = e.slot_id();
    if (code(e) != usb::xhci::kCcSuccess) return 0;
    memory_.write_le<uint64_t>(kDcbaa + 8ull * slot, output(slot));
    memory_.zero(kInput, 0x1000);
    memory_.write_le<uint32_t>(kInput + 4, 3);                         // A0 | A1
    memory_.write_le<uint32_t>(kInput + 32, 1u << 27);                 // 1 context entry
    memory_.write_le<uint32_t>(kInput + 32 + 4, port << 16);           // root port
    memory_.write_le<uint32_t>(kInput + 64 + 4, 4u << 3 | 64u << 16);  // control, MPS 64
    ring_init(slot, 1);
    memory_.write_le<uint64_t>(kInput + 64 + 8, ring_base(slot, 1) | 1);
    e = command({kInput, 0, usb::xhci::kTrbAddressDevice << 10 | (bsr ? 1u << 9 : 0) | slot << 24});
    return code(e) == usb::xhci::kCcSuccess ? slot : 0;
  }
  uint64_t output(unsigned slot) const { return kOutput + 0x400ull * slot; }

  // Adds interrupt IN endpoint 1 (DCI 3) with Configure Endpoint.
  usb::xhci::Trb configure_interrupt_in(unsigned slot) {
    memory_.zero(kInput, 0x1000);
    memory_.write_le<uint32_t>(kInput + 4, 1u | 1u << 3);  // A0, A3
    memory_.write_le<uint32_t>(kInput + 32, 3u << 27);
    uint64_t ep = kInput + 32 * (1 + 3);
    memory_.write_le<uint32_t>(ep, 10u << 16);               // interval
    memory_.write_le<uint32_t>(ep + 4, 7u << 3 | 8u << 16);  // interrupt IN, MPS 8
    ring_init(slot, 3);
    memory_.write_le<uint64_t>(ep + 8, ring_base(slot, 3) | 1);
    return command({kInput, 0, usb::xhci::kTrbConfigureEndpoint << 10 | slot << 24});
  }

  // ---- transfer rings (one 4 KiB segment each, no wrap in tests) ----
  static uint64_t ring_base(unsigned slot, unsigned dci) {
    return kTransferRings + 0x1000ull * ((slot % 8) * 8 + dci % 8);
  }
  void ring_init(unsigned slot, unsigned dci) {
    memory_.zero(ring_base(slot, dci), 0x1000);
    tr_index_[slot % 8][dci % 8] = 0;
  }
  // Queues TRBs (cycle 1) on (slot, dci); returns their addresses.
  std::vector<uint64_t> queue(unsigned slot, unsigned dci, std::vector<usb::xhci::Trb> trbs,
                              bool ring_doorbell = true) {
    std::vector<uint64_t> at;
    for (auto& t : trbs) {
      uint64_t a = ring_base(slot, dci) + 16ull * tr_index_[slot % 8][dci % 8]++;
      t.control |= 1;
      write_trb(a, t);
      at.push_back(a);
    }
    if (ring_doorbell) doorbell(slot, dci);
    return at;
  }
  void doorbell(unsigned slot, unsigned dci) { set_reg(usb::xhci::kDoorbellBase + 4 * slot, dci); }

  static usb::xhci::Trb setup_trb(uint8_t type, uint8_t request, uint16_t value, uint16_t index,
                                  uint16_t length, unsigned trt) {
    uint64_t p = type | uint64_t{request} << 8 | uint64_t{value} << 16 | uint64_t{index} << 32 |
                 uint64_t{length} << 48;
    return {p, 8, usb::xhci::kTrbSetupStage << 10 | 1u << 6 | trt << 16};
  }

  GuestMemory& memory() { return memory_; }
  ManualTimers& timers() { return timers_; }
  FakePciLink& link() { return link_; }
  usb::XhciPci& xhci() { return xhci_; }

 private:
  GuestMemory memory_;
  ManualTimers timers_;
  FakePciLink link_;
  usb::XhciPci xhci_;
  unsigned ev_index_[16] = {};
  bool ev_cycle_[16] = {};
  unsigned cmd_index_ = 0;
  bool cmd_cycle_ = true;
  unsigned tr_index_[8][8] = {};
};

}  // namespace vmapple::test
