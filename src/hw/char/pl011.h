#pragma once
// ARM PrimeCell UART (PL011), as Linux's amba-pl011 driver programs it.
//
// The line is infinitely fast: a character written to UARTDR goes to the
// backend at once (so the transmit FIFO is empty again after every write,
// unless UARTCR.TXE is off, which holds characters in the FIFO as hardware
// does). UARTEN is not needed to transmit: Linux's earlycon and bare-metal
// code write to a UART nobody enabled, and nothing must be lost. Receiving
// needs UARTEN and RXE; until then, and while the receive FIFO is full, input
// waits in the backend (no byte is dropped). FIFOs are 16 deep (UARTLCR_H.FEN)
// or 1-character holding registers.
//
// Interrupts (UARTRIS): RX when the receive FIFO reaches its UARTIFLS level;
// RT (receive timeout) as soon as a batch of input leaves the FIFO non-empty
// but below that level, or a read takes it below the level with data left
// (the line is then idle); TX after characters went out (the FIFO is then at
// or below any level); OE when a character arrives to a full FIFO (only
// possible in loopback). RX and RT also clear as the guest reads; all clear
// through UARTICR. The output is (UARTRIS & UARTIMSC) != 0.
//
// Map it with kPrimeCellRules over kMmioSize bytes: the 4 KiB register block
// repeats through the 64 KiB window, so the PrimeCell ID registers are found
// at the end of the window as well as at 0xFE0.
#include <array>
#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>

#include "base/irq_line.h"
#include "hw/char/char_backend.h"
#include "hw/device.h"

namespace vmapple {

class Pl011 final : public MmioDevice {
 public:
  static constexpr uint64_t kMmioSize = 0x1'0000;
  static constexpr uint64_t kRegisterBlockSize = 0x1000;
  static constexpr unsigned kFifoDepth = 16;

  // Register offsets (PL011 TRM, table 3-1).
  static constexpr uint64_t kUARTDR = 0x000;
  static constexpr uint64_t kUARTRSR = 0x004;  // UARTECR on write
  static constexpr uint64_t kUARTFR = 0x018;
  static constexpr uint64_t kUARTILPR = 0x020;
  static constexpr uint64_t kUARTIBRD = 0x024;
  static constexpr uint64_t kUARTFBRD = 0x028;
  static constexpr uint64_t kUARTLCR_H = 0x02C;
  static constexpr uint64_t kUARTCR = 0x030;
  static constexpr uint64_t kUARTIFLS = 0x034;
  static constexpr uint64_t kUARTIMSC = 0x038;
  static constexpr uint64_t kUARTRIS = 0x03C;
  static constexpr uint64_t kUARTMIS = 0x040;
  static constexpr uint64_t kUARTICR = 0x044;
  static constexpr uint64_t kUARTDMACR = 0x048;
  static constexpr uint64_t kUARTPeriphID0 = 0xFE0;  // ..0xFEC, then UARTPCellID0..3
  static constexpr uint64_t kUARTPCellID3 = 0xFFC;

  // Revision 2 (r1p3): Linux sizes the FIFOs from it (16 deep below revision 3).
  static constexpr uint32_t kPeriphID = 0x0024'1011;
  static constexpr uint32_t kPCellID = 0xB105'F00D;

  // UARTDR read bits above the data byte; UARTRSR has them at bits 3:0.
  static constexpr uint32_t kDR_FE = 1u << 8;
  static constexpr uint32_t kDR_PE = 1u << 9;
  static constexpr uint32_t kDR_BE = 1u << 10;
  static constexpr uint32_t kDR_OE = 1u << 11;
  static constexpr uint32_t kRSR_OE = 1u << 3;

  // UARTFR.
  static constexpr uint32_t kFR_CTS = 1u << 0;
  static constexpr uint32_t kFR_DSR = 1u << 1;
  static constexpr uint32_t kFR_DCD = 1u << 2;
  static constexpr uint32_t kFR_BUSY = 1u << 3;
  static constexpr uint32_t kFR_RXFE = 1u << 4;
  static constexpr uint32_t kFR_TXFF = 1u << 5;
  static constexpr uint32_t kFR_RXFF = 1u << 6;
  static constexpr uint32_t kFR_TXFE = 1u << 7;
  static constexpr uint32_t kFR_RI = 1u << 8;

  // UARTLCR_H and UARTCR.
  static constexpr uint32_t kLCRH_BRK = 1u << 0;
  static constexpr uint32_t kLCRH_FEN = 1u << 4;
  static constexpr uint32_t kLCRH_WLEN8 = 3u << 5;
  static constexpr uint32_t kCR_UARTEN = 1u << 0;
  static constexpr uint32_t kCR_LBE = 1u << 7;
  static constexpr uint32_t kCR_TXE = 1u << 8;
  static constexpr uint32_t kCR_RXE = 1u << 9;
  static constexpr uint32_t kCR_DTR = 1u << 10;
  static constexpr uint32_t kCR_RTS = 1u << 11;

  // UARTIMSC / UARTRIS / UARTMIS / UARTICR.
  static constexpr uint32_t kRXI = 1u << 4;
  static constexpr uint32_t kTXI = 1u << 5;
  static constexpr uint32_t kRTI = 1u << 6;
  static constexpr uint32_t kFEI = 1u << 7;
  static constexpr uint32_t kPEI = 1u << 8;
  static constexpr uint32_t kBEI = 1u << 9;
  static constexpr uint32_t kOEI = 1u << 10;
  static constexpr uint32_t kAllInterrupts = 0x7FF;

  // Attaches itself to `backend` (both must outlive the other's use: the
  // backend is detached again in the destructor).
  Pl011(IrqLine& irq, CharBackend& backend);
  ~Pl011() override;

  std::string_view name() const override { return "pl011"; }
  // TRM reset values; both FIFOs empty.
  void reset() override;
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // Input from the backend: takes what fits in the receive FIFO (nothing
  // while the receiver is off) and asks the backend for the rest through
  // CharBackend::input_ready() once there is room.
  size_t receive(std::span<const uint8_t> bytes);

 private:
  // A FIFO of kFifoDepth entries; the device bounds it by depth().
  template <typename T>
  class Fifo {
   public:
    unsigned size() const { return count_; }
    bool empty() const { return count_ == 0; }
    void push(T v) { slots_[(head_ + count_++) % kFifoDepth] = v; }
    T pop() {
      T v = slots_[head_];
      head_ = (head_ + 1) % kFifoDepth;
      --count_;
      return v;
    }
    T& back() { return slots_[(head_ + count_ - 1) % kFifoDepth]; }
    void clear() { head_ = count_ = 0; }

   private:
    std::array<T, kFifoDepth> slots_{};
    unsigned head_ = 0;
    unsigned count_ = 0;
  };

  void reset_locked();
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint64_t value);
  uint32_t read_data();
  void write_data(uint8_t byte);
  uint32_t flags() const;
  unsigned depth() const;
  unsigned rx_level() const;
  unsigned tx_level() const;
  bool receiver_on() const;
  void set_control(uint32_t cr);
  void transmit();
  void loop_back(std::span<const uint8_t> bytes);
  void push_rx(uint8_t byte);
  void rx_batch_done();
  void rx_level_changed();
  void rx_room_changed();
  void update_irq();

  IrqLine& irq_;
  CharBackend& backend_;

  std::mutex mutex_;
  Fifo<uint16_t> rx_;  // data byte | UARTDR error bits
  Fifo<uint8_t> tx_;
  uint32_t rsr_ = 0;
  uint32_t ilpr_ = 0;
  uint32_t ibrd_ = 0;
  uint32_t fbrd_ = 0;
  uint32_t lcr_h_ = 0;
  uint32_t cr_ = 0;
  uint32_t ifls_ = 0;
  uint32_t imsc_ = 0;
  uint32_t ris_ = 0;
  uint32_t dmacr_ = 0;
  bool irq_level_ = false;
  // Input was refused (full FIFO, receiver off): tell the backend when that
  // changes. Set from the start so the first enable fetches early input.
  bool rx_refused_ = true;
  bool notify_backend_ = false;  // call input_ready() once the lock is dropped
};

}  // namespace vmapple
