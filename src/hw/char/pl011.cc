#include "hw/char/pl011.h"

#include <utility>

#include "base/log.h"
#include "hw/primecell.h"

namespace vmapple {
namespace {

trace::Category kTrace("pl011");
constexpr std::string_view kName = "pl011";

// UARTIFLS encodings 0..4: 1/8, 1/4, 1/2, 3/4 and 7/8 of a 16-deep FIFO.
constexpr std::array<unsigned, 5> kFifoLevels = {2, 4, 8, 12, 14};
constexpr unsigned kReservedLevel = 5;

unsigned fifo_level(uint32_t select) {
  return select < kFifoLevels.size() ? kFifoLevels[select] : kFifoLevels[2];
}

// Keeps a register's defined bits, reporting any other bit the guest set.
}  // namespace

Pl011::Pl011(IrqLine& irq, CharBackend& backend) : irq_(irq), backend_(backend) {
  reset_locked();
  irq_.set(false);
  backend_.attach([this](std::span<const uint8_t> bytes) { return receive(bytes); });
}

Pl011::~Pl011() {
  backend_.attach(nullptr);
}

void Pl011::reset() {
  std::lock_guard lock(mutex_);
  reset_locked();
  irq_level_ = false;
  irq_.set(false);
}

void Pl011::reset_locked() {
  rx_.clear();
  tx_.clear();
  rsr_ = ilpr_ = ibrd_ = fbrd_ = lcr_h_ = imsc_ = ris_ = dmacr_ = 0;
  cr_ = kCR_TXE | kCR_RXE;
  ifls_ = 0x12;  // both levels 1/2
  rx_refused_ = true;
}

uint64_t Pl011::read(uint64_t offset, unsigned size) {
  uint32_t value = 0;
  bool notify;
  {
    std::lock_guard lock(mutex_);
    if (size != 4 || offset % 4 != 0 || offset >= kMmioSize) {
      guest_error(kName, "read of {} bytes at {:#x}: not a register", size, offset);
      return 0;
    }
    value = read_register(offset % kRegisterBlockSize);
    update_irq();
    notify = std::exchange(notify_backend_, false);
  }
  if (notify) backend_.input_ready();
  return value;
}

void Pl011::write(uint64_t offset, unsigned size, uint64_t value) {
  bool notify;
  {
    std::lock_guard lock(mutex_);
    if (size != 4 || offset % 4 != 0 || offset >= kMmioSize) {
      guest_error(kName, "write of {} bytes at {:#x}: not a register", size, offset);
      return;
    }
    write_register(offset % kRegisterBlockSize, value);
    update_irq();
    notify = std::exchange(notify_backend_, false);
  }
  if (notify) backend_.input_ready();
}

uint32_t Pl011::read_register(uint64_t offset) {
  switch (offset) {
    case kUARTDR:
      return read_data();
    case kUARTRSR:
      return rsr_;
    case kUARTFR:
      return flags();
    case kUARTILPR:
      return ilpr_;
    case kUARTIBRD:
      return ibrd_;
    case kUARTFBRD:
      return fbrd_;
    case kUARTLCR_H:
      return lcr_h_;
    case kUARTCR:
      return cr_;
    case kUARTIFLS:
      return ifls_;
    case kUARTIMSC:
      return imsc_;
    case kUARTRIS:
      return ris_;
    case kUARTMIS:
      return ris_ & imsc_;
    case kUARTDMACR:
      return dmacr_;
    case kUARTICR:
      guest_error(kName, "read of write-only UARTICR");
      return 0;
  }
  if (primecell::is_id_register(offset)) return primecell::id_register(offset, kPeriphID);
  guest_error(kName, "read of reserved offset {:#x}", offset);
  return 0;
}

void Pl011::write_register(uint64_t offset, uint64_t value) {
  switch (offset) {
    case kUARTDR:
      write_data(static_cast<uint8_t>(value));  // bits 31:8 are not transmitted
      return;
    case kUARTRSR:
      rsr_ = 0;  // UARTECR: any write clears the errors
      return;
    case kUARTILPR:
      ilpr_ = primecell::defined_bits(kName, "UARTILPR", value, 0xFF);
      return;
    case kUARTIBRD:
      ibrd_ = primecell::defined_bits(kName, "UARTIBRD", value, 0xFFFF);
      return;
    case kUARTFBRD:
      fbrd_ = primecell::defined_bits(kName, "UARTFBRD", value, 0x3F);
      return;
    case kUARTLCR_H:
      lcr_h_ = primecell::defined_bits(kName, "UARTLCR_H", value, 0xFF);
      VMAPPLE_TRACE(kTrace, "UARTLCR_H {:#x} (FIFOs {})", lcr_h_,
                    lcr_h_ & kLCRH_FEN ? "on" : "off");
      rx_level_changed();
      rx_room_changed();
      return;
    case kUARTCR:
      set_control(primecell::defined_bits(kName, "UARTCR", value, 0xFF87));
      return;
    case kUARTIFLS:
      ifls_ = primecell::defined_bits(kName, "UARTIFLS", value, 0x3F);
      if ((ifls_ & 7) >= kReservedLevel || (ifls_ >> 3) >= kReservedLevel)
        guest_error(kName, "UARTIFLS {:#x} selects a reserved level (1/2 used)", ifls_);
      rx_level_changed();
      return;
    case kUARTIMSC:
      imsc_ = primecell::defined_bits(kName, "UARTIMSC", value, kAllInterrupts);
      VMAPPLE_TRACE(kTrace, "UARTIMSC {:#x}", imsc_);
      return;
    case kUARTICR:
      // Linux's pl011 driver clears "everything" with 0xffff at probe and
      // startup: clearing a reserved bit of the 16-bit register does
      // nothing, so only bits beyond it are a guest error.
      ris_ &= ~primecell::defined_bits(kName, "UARTICR", value, 0xFFFF) & kAllInterrupts;
      return;
    case kUARTDMACR:
      // No DMA request lines are wired on this machine: the enables do nothing.
      dmacr_ = primecell::defined_bits(kName, "UARTDMACR", value, 0x7);
      return;
    case kUARTFR:
    case kUARTRIS:
    case kUARTMIS:
      primecell::read_only_write(kName, offset, value);
      return;
  }
  primecell::unknown_write(kName, offset, value);
}

unsigned Pl011::depth() const {
  return lcr_h_ & kLCRH_FEN ? kFifoDepth : 1;
}
unsigned Pl011::rx_level() const {
  return lcr_h_ & kLCRH_FEN ? fifo_level((ifls_ >> 3) & 7) : 1;
}
unsigned Pl011::tx_level() const {
  return lcr_h_ & kLCRH_FEN ? fifo_level(ifls_ & 7) : 0;
}
bool Pl011::receiver_on() const {
  return (cr_ & kCR_UARTEN) && (cr_ & kCR_RXE);
}

uint32_t Pl011::flags() const {
  // The modem inputs of a connected, ready peer.
  uint32_t fr = kFR_CTS | kFR_DSR | kFR_DCD;
  if (!tx_.empty()) fr |= kFR_BUSY;
  if (rx_.empty()) fr |= kFR_RXFE;
  if (tx_.size() >= depth()) fr |= kFR_TXFF;
  if (rx_.size() >= depth()) fr |= kFR_RXFF;
  if (tx_.empty()) fr |= kFR_TXFE;
  return fr;
}

uint32_t Pl011::read_data() {
  if (rx_.empty()) {
    VMAPPLE_TRACE(kTrace, "UARTDR read with the receive FIFO empty");
    return 0;
  }
  bool was_at_level = rx_.size() >= rx_level();
  uint16_t entry = rx_.pop();
  rsr_ |= (entry >> 8) & 0x7;  // FE, PE, BE of the character read (OE is set on overrun)
  if (rx_.size() < rx_level()) {
    ris_ &= ~kRXI;
    if (was_at_level && !rx_.empty()) ris_ |= kRTI;  // data left below the level
  }
  if (rx_.empty()) ris_ &= ~kRTI;
  rx_room_changed();
  return entry;
}

void Pl011::write_data(uint8_t byte) {
  if (tx_.size() >= depth()) {
    guest_error(kName, "UARTDR written with the transmit FIFO full: {:#04x} lost", byte);
    return;
  }
  tx_.push(byte);
  if (tx_.size() > tx_level()) ris_ &= ~kTXI;
  transmit();
}

void Pl011::set_control(uint32_t cr) {
  if ((cr ^ cr_) & (kCR_UARTEN | kCR_TXE | kCR_RXE | kCR_LBE))
    VMAPPLE_TRACE(kTrace, "UARTCR {:#x}: uart {} tx {} rx {}{}", cr, cr & kCR_UARTEN ? "on" : "off",
                  cr & kCR_TXE ? "on" : "off", cr & kCR_RXE ? "on" : "off",
                  cr & kCR_LBE ? " loopback" : "");
  cr_ = cr;
  transmit();
  rx_room_changed();
}

// Sends what the transmit FIFO holds, unless TXE holds it back.
void Pl011::transmit() {
  if (!(cr_ & kCR_TXE) || tx_.empty()) return;
  std::array<uint8_t, kFifoDepth> out;
  unsigned n = 0;
  while (!tx_.empty())
    out[n++] = tx_.pop();
  std::span<const uint8_t> bytes(out.data(), n);
  VMAPPLE_TRACE(kTrace, "tx {} bytes", n);
  if (cr_ & kCR_LBE)
    loop_back(bytes);
  else
    backend_.write(bytes);
  ris_ |= kTXI;
}

// Loopback feeds the transmitter into the receiver, which, unlike the
// backend, cannot wait: a full FIFO overruns.
void Pl011::loop_back(std::span<const uint8_t> bytes) {
  if (!receiver_on()) return;
  for (uint8_t b : bytes)
    push_rx(b);
  rx_batch_done();
}

void Pl011::push_rx(uint8_t byte) {
  if (rx_.size() >= depth()) {
    // The character is lost; the last one kept carries the overrun flag.
    rsr_ |= kRSR_OE;
    ris_ |= kOEI;
    rx_.back() |= kDR_OE;
    VMAPPLE_TRACE(kTrace, "rx overrun: {:#04x} lost", byte);
    return;
  }
  rx_.push(byte);
  if (rx_.size() >= rx_level()) ris_ |= kRXI;
}

// The line goes idle after a batch: data below the level times out.
void Pl011::rx_batch_done() {
  if (!rx_.empty() && rx_.size() < rx_level()) ris_ |= kRTI;
}

void Pl011::rx_level_changed() {
  if (!rx_.empty() && rx_.size() >= rx_level())
    ris_ |= kRXI;
  else
    ris_ &= ~kRXI;
}

void Pl011::rx_room_changed() {
  if (rx_refused_ && receiver_on() && rx_.size() < depth()) {
    rx_refused_ = false;
    notify_backend_ = true;
  }
}

size_t Pl011::receive(std::span<const uint8_t> bytes) {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  if (receiver_on()) {
    while (n < bytes.size() && rx_.size() < depth())
      push_rx(bytes[n++]);
  }
  if (n < bytes.size()) rx_refused_ = true;
  if (n > 0) {
    VMAPPLE_TRACE(kTrace, "rx {} bytes ({} in FIFO)", n, rx_.size());
    rx_batch_done();
    update_irq();
  }
  return n;
}

void Pl011::update_irq() {
  bool level = (ris_ & imsc_) != 0;
  if (level == irq_level_) return;
  irq_level_ = level;
  VMAPPLE_TRACE(kTrace, "irq {} (ris {:#x} imsc {:#x})", level ? "raised" : "lowered", ris_, imsc_);
  irq_.set(level);
}

}  // namespace vmapple
