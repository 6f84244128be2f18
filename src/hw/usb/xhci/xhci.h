#pragma once
// The xHCI host controller core (xHCI 1.2): the register file of BAR 0 (without
// the MSI-X table), the command ring, device slots and their endpoints'
// transfer rings, the interrupters with their event rings and moderation
// timers, and the root hub ports. The PCI function (xhci_pci.h) wraps it and
// supplies interrupt delivery through XhciHost.
//
// Threads: MMIO from vCPUs, attach/detach and device notifiers from any
// thread, moderation timers from the timer thread; one mutex guards all
// state. Devices are called with it held (lock order: controller, device).
// A device notifier that fires on a thread already inside the controller is
// queued and served before the lock is released.
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hw/usb/usb_device.h"
#include "hw/usb/xhci/event_ring.h"
#include "hw/usb/xhci/ring.h"
#include "hw/usb/xhci/trb.h"
#include "hw/usb/xhci/xhci_regs.h"
#include "memory/guest_memory.h"

namespace vmapple::usb {

// What the controller needs of the bus function it sits on.
class XhciHost {
 public:
  virtual ~XhciHost() = default;
  // MSI or MSI-X is enabled (spec 8.3: message mode, rule B off).
  virtual bool message_mode() = 0;
  // Signals `interrupter` by message (MSI-X vector n, or MSI vector n mod
  // the enabled vectors: rule C).
  virtual void send_message(unsigned interrupter) = 0;
  virtual void set_pin(bool level) = 0;
  // Bus mastering on: the controller may touch guest memory.
  virtual bool dma_enabled() = 0;
};

class Xhci {
 public:
  // One TRB of a TD and where it lies.
  struct TdTrb {
    uint64_t address;
    xhci::Trb trb;
  };
  // Work done per doorbell or timer before the rest is deferred to a timer,
  // so a guest's endless ring cannot hold a vCPU.
  static constexpr unsigned kMaxCommandsPerRun = 256;
  static constexpr unsigned kMaxTdsPerRun = 64;
  static constexpr unsigned kMaxTdTrbs = 256;
  static constexpr uint64_t kMaxTdBytes = 4ull << 20;
  static constexpr uint64_t kDeferNs = 50'000;

  Xhci(GuestMemory& memory, TimerQueue& timers, XhciHost& host, unsigned interrupters,
       bool conditional_intr_mapping);
  ~Xhci();
  Xhci(const Xhci&) = delete;
  Xhci& operator=(const Xhci&) = delete;

  // BAR 0 below the MSI-X table; dword accesses only.
  uint32_t read(uint64_t offset);
  void write(uint64_t offset, uint32_t value);

  void attach(unsigned port, UsbDevice& device);
  void detach(unsigned port);
  // Power-on state (also HCRST).
  void reset();
  // MSI/MSI-X enable or the command register changed: re-evaluate signals.
  void interrupt_mode_changed();

 private:
  struct Endpoint {
    unsigned state = xhci::kEpDisabled;
    unsigned type = 0;
    xhci::TrbRing ring;
    bool waiting = false;   // a TD is held because the device NAKed
    bool deferred = false;  // a continuation timer is pending
  };
  struct Slot {
    bool enabled = false;
    unsigned state = xhci::kSlotStateDisabled;
    unsigned port = 0;
    uint64_t output = 0;             // output device context
    std::array<Endpoint, 32> eps{};  // by DCI; 0 unused
  };
  struct Port {
    UsbDevice* device = nullptr;
    bool usb3 = false;
    uint32_t portsc = 0;
    uint32_t pmsc = 0;
  };
  struct Interrupter {
    uint32_t iman = 0;
    uint32_t imodi = 0;
    uint64_t mod_deadline = 0;  // ns; IMODC counts down to it
    uint32_t erstsz = 0;
    uint64_t erstba = 0;
    uint64_t erdp = 0;
    xhci::EventRing ring;
    bool pending = false;  // events written, interrupt not yet asserted
    TimerQueue::TimerId timer = TimerQueue::kNoTimer;
    uint64_t timer_deadline = 0;
  };
  class Locked;
  // Outcome of running one TD.
  enum class Td : uint8_t { kDone, kIdle, kHalted };

  // ---- registers (xhci.cc) ----
  uint32_t read_capability(unsigned offset) const;
  uint32_t read_operational(unsigned offset);
  void write_operational(unsigned offset, uint32_t value);
  void write_usbcmd(uint32_t value);
  void write_crcr(unsigned offset, uint32_t value);
  uint32_t read_runtime(unsigned offset);
  void write_runtime(unsigned offset, uint32_t value);
  void write_doorbell(unsigned index, uint32_t value);
  void reset_locked();
  bool running() const;
  void host_system_error(const char* what, uint64_t address);
  void host_controller_error(const char* what);
  void defer(unsigned slot, unsigned dci);
  void arm_wrap_timer();
  void cancel_wrap_timer();
  void drain_kicks_locked();
  void device_notified(unsigned port, uint8_t ep);

  // ---- ports (xhci_ports.cc) ----
  uint32_t read_port(unsigned port, unsigned reg) const;
  void write_port(unsigned port, unsigned reg, uint32_t value);
  void write_portsc(Port& p, unsigned port, uint32_t value);
  void write_link_state(Port& p, unsigned port, uint32_t pls);
  void reset_port(Port& p, unsigned port, bool warm);
  void connect_port(Port& p);
  void port_change(unsigned port, uint32_t bits);

  // ---- interrupters (xhci_interrupters.cc) ----
  uint32_t read_interrupter(unsigned v, unsigned reg);
  void write_interrupter(unsigned v, unsigned reg, uint32_t value);
  void setup_event_ring(unsigned v);
  void post_event(unsigned target, const xhci::Trb& event);
  unsigned map_interrupter(unsigned target);
  void try_fire(unsigned v);
  void arm_moderation_timer(unsigned v, uint64_t deadline);
  void signal(unsigned v);
  void update_pin();

  // ---- commands (xhci_commands.cc) ----
  void run_command_ring();
  void execute_command(const xhci::TrbRing::Fetch& f);
  void stop_command_ring();
  uint8_t enable_slot(unsigned& slot_id);
  uint8_t disable_slot(unsigned slot_id);
  uint8_t address_device(const xhci::Trb& trb);
  bool set_address(UsbDevice& device, unsigned address);
  void install_ep0(Slot& slot, xhci::EndpointContext& ep0);
  uint8_t configure_endpoint(const xhci::Trb& trb);
  uint8_t read_added_endpoints(uint64_t input, uint32_t add,
                               std::array<xhci::EndpointContext, 32>& added);
  bool apply_endpoints(Slot& slot, uint32_t drop, uint32_t add,
                       std::array<xhci::EndpointContext, 32>& added);
  void finish_configure(Slot& slot, xhci::SlotContext& out, unsigned entries);
  uint8_t evaluate_context(const xhci::Trb& trb);
  uint8_t reset_endpoint(const xhci::Trb& trb);
  uint8_t stop_endpoint(const xhci::Trb& trb);
  uint8_t set_tr_dequeue(const xhci::Trb& trb);
  uint8_t reset_device(const xhci::Trb& trb);
  Slot* enabled_slot(unsigned slot_id);
  bool read_context(uint64_t address, uint32_t (&dw)[8]);
  bool write_context(uint64_t address, const uint32_t (&dw)[8]);
  bool read_output_slot(Slot& slot, xhci::SlotContext& ctx);
  bool write_output_slot(Slot& slot, const xhci::SlotContext& ctx);
  bool write_endpoint_state(Slot& slot, unsigned dci);
  void disable_endpoints(Slot& slot, unsigned from_dci);

  // ---- transfers (xhci_transfer.cc) ----
  void run_endpoint(unsigned slot_id, unsigned dci);
  Td run_td(unsigned slot_id, unsigned dci);
  bool gather_td(unsigned slot_id, unsigned dci, std::vector<TdTrb>& td, xhci::TrbRing& ring,
                 Td& outcome);
  Td run_control(unsigned slot_id, const std::vector<TdTrb>& td);
  Td run_normal(unsigned slot_id, unsigned dci, const std::vector<TdTrb>& td);
  bool copy_out(const std::vector<TdTrb>& td, size_t first, size_t end, std::vector<uint8_t>& buf);
  bool copy_in(const std::vector<TdTrb>& td, size_t first, size_t end,
               std::span<const uint8_t> data);
  void report(unsigned slot_id, unsigned dci, const std::vector<TdTrb>& td, size_t first,
              size_t end, size_t transferred);
  void transfer_event(unsigned slot_id, unsigned dci, const TdTrb& t, uint8_t code, uint32_t length,
                      bool event_data = false);
  Td fail_td(unsigned slot_id, unsigned dci, const TdTrb& at, uint8_t code);
  UsbDevice* device_of(const Slot& slot) const;

  GuestMemory& memory_;
  TimerQueue& timers_;
  XhciHost& host_;
  const unsigned num_interrupters_;
  const bool conditional_intr_mapping_;

  std::mutex mutex_;
  std::array<std::atomic<uint32_t>, xhci::kNumPorts + 1> kicks_{};
  uint64_t generation_ = 0;  // bumps on reset; stale timers check it
  uint32_t usbcmd_ = 0;
  uint32_t usbsts_ = xhci::kStsHch;
  uint32_t dnctrl_ = 0;
  uint64_t crcr_ = 0;
  bool crr_ = false;
  bool crcr_pointer_written_ = false;  // low dword written since the ring stopped
  xhci::TrbRing command_ring_;
  bool command_deferred_ = false;
  uint64_t dcbaap_ = 0;
  uint32_t config_ = 0;
  uint64_t mfindex_origin_ns_ = 0;
  uint32_t mfindex_frozen_ = 0;
  TimerQueue::TimerId wrap_timer_ = TimerQueue::kNoTimer;  // MFINDEX Wrap events (EWE)
  std::array<Port, xhci::kNumPorts + 1> ports_{};          // 1-based
  std::array<Slot, xhci::kMaxSlots + 1> slots_{};          // 1-based
  std::array<Interrupter, xhci::kMaxInterrupters> interrupters_{};
};

}  // namespace vmapple::usb
