// The PL011 driven the way Linux's amba-pl011 driver drives it: 32-bit
// accesses through the address space, pl011_startup()'s init sequence,
// the interrupt handler's UARTMIS / UARTICR / drain-until-RXFE loop, and
// transmission that fills the FIFO until TXFF.
#include "hw/char/pl011.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "base/log.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kBase = 0x2001'0000;
using P = Pl011;

// Captures output; input goes through the CharBackend queue, so the UART's
// backpressure (and its input_ready() calls) are what is tested.
class TestBackend final : public CharBackend {
 public:
  void write(std::span<const uint8_t> bytes) override { out.append(bytes.begin(), bytes.end()); }
  bool send(std::string_view s) {
    return queue_input({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }
  size_t waiting() const { return queued_input(); }

  std::string out;
};

class Pl011Test : public ::testing::Test {
 protected:
  Pl011Test() : space_(memory_), uart_(irq_, backend_) {
    space_.add_mmio("pl011", kBase, Pl011::kMmioSize, uart_, kPrimeCellRules);
  }

  uint32_t readl(uint64_t offset) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_.read(kBase + offset, 4, &v), MmioStatus::kOk);
    return static_cast<uint32_t>(v);
  }
  void writel(uint32_t v, uint64_t offset) {
    EXPECT_EQ(space_.write(kBase + offset, 4, v), MmioStatus::kOk);
  }

  // pl011_hwinit + pl011_startup + pl011_set_termios (115200 8N1, FIFOs on).
  void linux_startup() {
    writel(P::kOEI | P::kBEI | P::kPEI | P::kFEI | P::kRTI | P::kRXI, P::kUARTICR);
    writel(P::kRTI | P::kRXI, P::kUARTIMSC);
    writel(0x12, P::kUARTIFLS);  // RX 4/8, TX 4/8
    writel(P::kCR_UARTEN | P::kCR_RXE | P::kCR_TXE | P::kCR_RTS | P::kCR_DTR, P::kUARTCR);
    writel(P::kRXI | P::kRTI, P::kUARTICR);
    for (int i = 0; i < 32 && !(readl(P::kUARTFR) & P::kFR_RXFE); ++i)
      readl(P::kUARTDR);
    writel(P::kRTI | P::kRXI, P::kUARTIMSC);
    uint32_t cr = readl(P::kUARTCR);
    writel(0, P::kUARTCR);
    writel(13, P::kUARTIBRD);  // 24 MHz / (16 * 115200)
    writel(1, P::kUARTFBRD);
    writel(P::kLCRH_WLEN8 | P::kLCRH_FEN, P::kUARTLCR_H);
    writel(cr, P::kUARTCR);
  }

  // pl011_tx_chars from start_tx: fill until TXFF; returns what is left.
  std::string linux_tx(std::string s) {
    while (!s.empty() && !(readl(P::kUARTFR) & P::kFR_TXFF)) {
      writel(static_cast<uint8_t>(s[0]), P::kUARTDR);
      s.erase(0, 1);
    }
    return s;
  }

  // pl011_int: acknowledge all but RX/RT/TX, drain RX until RXFE. Returns
  // the characters read with their error bits.
  std::vector<uint32_t> linux_irq() {
    std::vector<uint32_t> got;
    for (int pass = 0; pass < 256; ++pass) {
      uint32_t status = readl(P::kUARTMIS);
      if (status == 0) break;
      writel(status & ~(P::kTXI | P::kRTI | P::kRXI), P::kUARTICR);
      if (status & (P::kRTI | P::kRXI)) {
        for (int i = 0; i < 256 && !(readl(P::kUARTFR) & P::kFR_RXFE); ++i)
          got.push_back(readl(P::kUARTDR));
      }
      if (status & P::kTXI) writel(readl(P::kUARTIMSC) & ~P::kTXI, P::kUARTIMSC);
    }
    return got;
  }

  static std::string chars(const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t c : v)
      s.push_back(static_cast<char>(c & 0xFF));
    return s;
  }

  GuestMemory memory_;
  AddressSpace space_;
  LatchIrqLine irq_;
  TestBackend backend_;
  Pl011 uart_;
};

TEST_F(Pl011Test, ResetValues) {
  EXPECT_EQ(readl(P::kUARTFR), P::kFR_TXFE | P::kFR_RXFE | P::kFR_CTS | P::kFR_DSR | P::kFR_DCD);
  EXPECT_EQ(readl(P::kUARTCR), 0x300u);
  EXPECT_EQ(readl(P::kUARTIFLS), 0x12u);
  for (uint64_t reg : {P::kUARTRSR, P::kUARTILPR, P::kUARTIBRD, P::kUARTFBRD, P::kUARTLCR_H,
                       P::kUARTIMSC, P::kUARTRIS, P::kUARTMIS, P::kUARTDMACR})
    EXPECT_EQ(readl(reg), 0u) << std::hex << reg;
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl011Test, IdRegistersAsTheAmbaBusReadsThem) {
  // drivers/amba/bus.c reads the IDs at the end of the resource, byte by
  // byte in 32-bit registers: with a 4 KiB or a 64 KiB resource.
  for (uint64_t size : {uint64_t{0x1000}, Pl011::kMmioSize}) {
    uint32_t pid = 0, cid = 0;
    for (unsigned i = 0; i < 4; ++i) {
      pid |= (readl(size - 0x20 + 4 * i) & 0xFF) << (8 * i);
      cid |= (readl(size - 0x10 + 4 * i) & 0xFF) << (8 * i);
    }
    EXPECT_EQ(pid, 0x00241011u);
    EXPECT_EQ(cid, 0xB105F00Du);
    // amba_rev < 3: Linux uses 16-deep FIFOs.
    EXPECT_LT((pid >> 20) & 0xF, 3u);
  }
  EXPECT_EQ(readl(0xFE0), 0x11u);
  EXPECT_EQ(readl(0xFFC), 0xB1u);
}

TEST_F(Pl011Test, TransmitsThroughTheBackend) {
  linux_startup();
  EXPECT_EQ(linux_tx("Linux version 6.1\r\n"), "");
  EXPECT_EQ(backend_.out, "Linux version 6.1\r\n");
  uint32_t fr = readl(P::kUARTFR);
  EXPECT_TRUE(fr & P::kFR_TXFE);
  EXPECT_FALSE(fr & (P::kFR_TXFF | P::kFR_BUSY));
  // The TX interrupt is pending (FIFO at or below its level) but masked.
  EXPECT_TRUE(readl(P::kUARTRIS) & P::kTXI);
  EXPECT_FALSE(readl(P::kUARTMIS) & P::kTXI);
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl011Test, TxInterruptWhenUnmaskedAndClearedByIcr) {
  linux_startup();
  linux_tx("x");
  writel(readl(P::kUARTIMSC) | P::kTXI, P::kUARTIMSC);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(readl(P::kUARTMIS), P::kTXI);
  writel(P::kTXI, P::kUARTICR);
  EXPECT_FALSE(irq_.level());
  linux_tx("y");  // the FIFO drains to empty again
  EXPECT_TRUE(irq_.level());
  linux_irq();  // nothing more to send: the driver masks TXIM
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(backend_.out, "xy");
}

TEST_F(Pl011Test, EarlyconOutputBeforeUartenIsNotLost) {
  // Reset state: UARTEN off, TXE on. earlycon writes and waits for !BUSY.
  for (char c : std::string("early")) {
    while (readl(P::kUARTFR) & P::kFR_TXFF) {
    }
    writel(static_cast<uint8_t>(c), P::kUARTDR);
    EXPECT_FALSE(readl(P::kUARTFR) & P::kFR_BUSY);
  }
  EXPECT_EQ(backend_.out, "early");
}

TEST_F(Pl011Test, TxeOffHoldsCharactersUntilEnabled) {
  linux_startup();
  writel(P::kCR_UARTEN | P::kCR_RXE, P::kUARTCR);
  EXPECT_EQ(linux_tx(std::string(20, 'a')), std::string(4, 'a'));  // 16 fit
  EXPECT_EQ(backend_.out, "");
  EXPECT_EQ(readl(P::kUARTFR) & (P::kFR_TXFF | P::kFR_BUSY | P::kFR_TXFE),
            P::kFR_TXFF | P::kFR_BUSY);
  EXPECT_FALSE(readl(P::kUARTRIS) & P::kTXI);
  writel(P::kCR_UARTEN | P::kCR_RXE | P::kCR_TXE, P::kUARTCR);
  EXPECT_EQ(backend_.out, std::string(16, 'a'));
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_TXFE);
  EXPECT_TRUE(readl(P::kUARTRIS) & P::kTXI);
}

TEST_F(Pl011Test, ReceiveBelowLevelRaisesTimeoutAndReadingClearsIt) {
  linux_startup();
  EXPECT_TRUE(backend_.send("ls\r"));
  EXPECT_FALSE(readl(P::kUARTFR) & P::kFR_RXFE);
  EXPECT_EQ(readl(P::kUARTRIS) & (P::kRXI | P::kRTI), P::kRTI);  // 3 < 8
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(chars(linux_irq()), "ls\r");
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_RXFE);
  EXPECT_EQ(readl(P::kUARTRIS) & (P::kRXI | P::kRTI), 0u);
  EXPECT_FALSE(irq_.level());
}

TEST_F(Pl011Test, ReceiveAtLevelRaisesRxInterrupt) {
  linux_startup();
  backend_.send("12345678");  // RX level 4/8 of 16
  EXPECT_EQ(readl(P::kUARTRIS) & (P::kRXI | P::kRTI), P::kRXI);
  EXPECT_TRUE(irq_.level());
  // Reading below the level clears RX; the rest times out.
  EXPECT_EQ(readl(P::kUARTDR), uint32_t{'1'});
  EXPECT_EQ(readl(P::kUARTRIS) & (P::kRXI | P::kRTI), P::kRTI);
  EXPECT_TRUE(irq_.level());
  EXPECT_EQ(chars(linux_irq()), "2345678");
  EXPECT_FALSE(irq_.level());

  // A lower level (RX 1/8 = 2 characters).
  writel(0x02, P::kUARTIFLS);
  backend_.send("ab");
  EXPECT_EQ(readl(P::kUARTRIS) & (P::kRXI | P::kRTI), P::kRXI);
}

TEST_F(Pl011Test, IcrClearsReceiveInterruptsWithDataLeft) {
  linux_startup();
  backend_.send("abc");
  ASSERT_TRUE(irq_.level());
  writel(P::kRTI, P::kUARTICR);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(P::kUARTRIS) & P::kRTI, 0u);
  backend_.send("0123456789");  // 13 >= 8
  EXPECT_EQ(readl(P::kUARTMIS), P::kRXI);
  writel(P::kRXI, P::kUARTICR);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(chars(linux_irq()), "");  // masked out: nothing pending
  std::string got;
  while (!(readl(P::kUARTFR) & P::kFR_RXFE))
    got.push_back(static_cast<char>(readl(P::kUARTDR)));
  EXPECT_EQ(got, "abc0123456789");
}

TEST_F(Pl011Test, MaskedInterruptsDoNotRaiseTheLine) {
  linux_startup();
  writel(0, P::kUARTIMSC);
  backend_.send("abc");
  EXPECT_TRUE(readl(P::kUARTRIS) & P::kRTI);
  EXPECT_EQ(readl(P::kUARTMIS), 0u);
  EXPECT_FALSE(irq_.level());
  writel(P::kRTI, P::kUARTIMSC);
  EXPECT_TRUE(irq_.level());
}

TEST_F(Pl011Test, OverrunInLoopback) {
  linux_startup();
  writel(readl(P::kUARTIMSC) | P::kOEI, P::kUARTIMSC);
  writel(readl(P::kUARTCR) | P::kCR_LBE, P::kUARTCR);
  for (int i = 0; i < 17; ++i)
    writel(static_cast<uint32_t>('A' + i), P::kUARTDR);
  EXPECT_EQ(backend_.out, "");  // loopback: nothing on the line
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_RXFF);
  EXPECT_TRUE(readl(P::kUARTRSR) & P::kRSR_OE);
  EXPECT_TRUE(readl(P::kUARTRIS) & P::kOEI);
  EXPECT_TRUE(irq_.level());

  auto got = linux_irq();  // acknowledges OE, drains the FIFO
  ASSERT_EQ(got.size(), 16u);
  EXPECT_EQ(chars(got), "ABCDEFGHIJKLMNOP");  // 'Q' was lost
  for (int i = 0; i < 15; ++i)
    EXPECT_EQ(got[i] & P::kDR_OE, 0u);
  EXPECT_EQ(got[15], P::kDR_OE | 'P');
  EXPECT_FALSE(irq_.level());
  writel(0, P::kUARTRSR);  // UARTECR
  EXPECT_EQ(readl(P::kUARTRSR), 0u);
}

TEST_F(Pl011Test, FifosDisabledUseOneCharacterHoldingRegisters) {
  linux_startup();
  writel(P::kLCRH_WLEN8, P::kUARTLCR_H);  // FEN off
  EXPECT_FALSE(backend_.send("xyz"));
  EXPECT_EQ(backend_.waiting(), 2u);
  uint32_t fr = readl(P::kUARTFR);
  EXPECT_TRUE(fr & P::kFR_RXFF);
  EXPECT_FALSE(fr & P::kFR_RXFE);
  EXPECT_EQ(readl(P::kUARTRIS) & (P::kRXI | P::kRTI), P::kRXI);  // a character is there
  EXPECT_EQ(readl(P::kUARTDR), uint32_t{'x'});
  // The read made room: the backend delivered the next one.
  EXPECT_EQ(backend_.waiting(), 1u);
  EXPECT_EQ(chars(linux_irq()), "yz");
  EXPECT_FALSE(irq_.level());

  // Transmit holding register: TXE off, one character fills it.
  writel(P::kCR_UARTEN | P::kCR_RXE, P::kUARTCR);
  writel('1', P::kUARTDR);
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_TXFF);
  uint64_t errors = trace::guest_error_count();
  writel('2', P::kUARTDR);  // lost, as on hardware
  EXPECT_EQ(trace::guest_error_count(), errors + 1);
  writel(P::kCR_UARTEN | P::kCR_RXE | P::kCR_TXE, P::kUARTCR);
  EXPECT_EQ(backend_.out, "1");
}

// Linux's pl011_hwinit and pl011_startup clear every interrupt with 0xffff.
TEST_F(Pl011Test, IcrAllOnesClearsEverythingWithoutAGuestError) {
  linux_startup();
  EXPECT_EQ(linux_tx("x"), "");
  ASSERT_TRUE(readl(P::kUARTRIS) & P::kTXI);
  uint64_t errors = trace::guest_error_count();
  writel(0xffff, P::kUARTICR);
  EXPECT_EQ(trace::guest_error_count(), errors);
  EXPECT_EQ(readl(P::kUARTRIS), 0u);
  writel(0x10000, P::kUARTICR);  // beyond the register: still reported
  EXPECT_EQ(trace::guest_error_count(), errors + 1);
}

TEST_F(Pl011Test, BackpressureLosesNoByte) {
  linux_startup();
  std::string sent;
  for (int i = 0; i < 100; ++i)
    sent.push_back(static_cast<char>(' ' + i % 90));
  EXPECT_FALSE(backend_.send(sent));
  EXPECT_EQ(backend_.waiting(), 100u - 16u);
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_RXFF);
  std::string got;
  for (int rounds = 0; rounds < 100 && irq_.level(); ++rounds)
    got += chars(linux_irq());
  EXPECT_EQ(got, sent);
  EXPECT_EQ(backend_.waiting(), 0u);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(P::kUARTRSR), 0u);  // no overrun
}

TEST_F(Pl011Test, InputWaitsUntilTheReceiverIsEnabled) {
  std::string typed;
  for (int i = 0; i < 40; ++i)
    typed.push_back(static_cast<char>('a' + i % 26));
  EXPECT_FALSE(backend_.send(typed));  // UARTEN is off at reset
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_RXFE);
  EXPECT_EQ(backend_.waiting(), 40u);
  // pl011_startup enables the receiver, then its drain loop reads (and
  // discards) 32 characters, the backend refilling the FIFO behind it.
  linux_startup();
  EXPECT_EQ(backend_.waiting(), 0u);
  EXPECT_EQ(chars(linux_irq()), typed.substr(32));

  writel(P::kCR_UARTEN | P::kCR_TXE, P::kUARTCR);  // RXE off
  EXPECT_FALSE(backend_.send("q"));
  EXPECT_TRUE(readl(P::kUARTFR) & P::kFR_RXFE);
  writel(P::kCR_UARTEN | P::kCR_TXE | P::kCR_RXE, P::kUARTCR);
  EXPECT_EQ(chars(linux_irq()), "q");
}

TEST_F(Pl011Test, ResetReturnsToResetValues) {
  linux_startup();
  backend_.send("abc");
  writel(readl(P::kUARTCR) | P::kCR_LBE, P::kUARTCR);
  writel(P::kAllInterrupts, P::kUARTIMSC);
  ASSERT_TRUE(irq_.level());
  uart_.reset();
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(P::kUARTFR), P::kFR_TXFE | P::kFR_RXFE | P::kFR_CTS | P::kFR_DSR | P::kFR_DCD);
  EXPECT_EQ(readl(P::kUARTCR), 0x300u);
  EXPECT_EQ(readl(P::kUARTLCR_H), 0u);
  EXPECT_EQ(readl(P::kUARTIBRD), 0u);
  EXPECT_EQ(readl(P::kUARTIMSC), 0u);
  EXPECT_EQ(readl(P::kUARTRIS), 0u);
  EXPECT_EQ(readl(P::kUARTIFLS), 0x12u);
}

TEST_F(Pl011Test, RegistersReadBackWithinTheirWidth) {
  uint64_t errors = trace::guest_error_count();
  writel(0x12345, P::kUARTIBRD);  // 16 bits
  writel(0x3F, P::kUARTFBRD);
  writel(0xAB, P::kUARTILPR);
  writel(0x3, P::kUARTDMACR);
  EXPECT_EQ(readl(P::kUARTIBRD), 0x2345u);
  EXPECT_EQ(readl(P::kUARTFBRD), 0x3Fu);
  EXPECT_EQ(readl(P::kUARTILPR), 0xABu);
  EXPECT_EQ(readl(P::kUARTDMACR), 0x3u);
  EXPECT_EQ(trace::guest_error_count(), errors + 1);  // IBRD's bit 16
}

TEST_F(Pl011Test, BadAccessesAreGuestErrorsAndHarmless) {
  linux_startup();
  struct Case {
    const char* what;
    std::function<void()> access;
  };
  std::vector<Case> cases = {
      {"reserved read", [&] { EXPECT_EQ(readl(0x08), 0u); }},
      {"reserved write", [&] { writel(1, 0x80); }},
      {"ICR read", [&] { EXPECT_EQ(readl(P::kUARTICR), 0u); }},
      {"FR write", [&] { writel(0, P::kUARTFR); }},
      {"RIS write", [&] { writel(0x7FF, P::kUARTRIS); }},
      {"ID write", [&] { writel(0, 0xFE0); }},
      {"CR reserved bits", [&] { writel(0x0301 | 0x78, P::kUARTCR); }},
      {"IMSC reserved bits", [&] { writel(0xFFFF'FFFF, P::kUARTIMSC); }},
      {"IFLS reserved level", [&] { writel(0x3F, P::kUARTIFLS); }},
      {"LCR_H high bits", [&] { writel(0x1'0070, P::kUARTLCR_H); }},
      {"byte size", [&] { uart_.write(P::kUARTDR, 1, 'z'); }},
      {"8-byte read", [&] { EXPECT_EQ(uart_.read(P::kUARTFR, 8), 0u); }},
      {"unaligned", [&] { EXPECT_EQ(uart_.read(P::kUARTFR + 2, 4), 0u); }},
      {"beyond window", [&] { uart_.write(Pl011::kMmioSize, 4, 1); }},
      {"huge offset", [&] { EXPECT_EQ(uart_.read(~0ull - 3, 4), 0u); }},
  };
  for (auto& c : cases) {
    uint64_t before = trace::guest_error_count();
    c.access();
    EXPECT_EQ(trace::guest_error_count(), before + 1) << c.what;
  }
  EXPECT_EQ(backend_.out, "");  // the byte-size write did not transmit
  // Still working: 0x3F in IFLS behaves as 1/2.
  writel(P::kCR_UARTEN | P::kCR_RXE | P::kCR_TXE, P::kUARTCR);
  writel(P::kLCRH_WLEN8 | P::kLCRH_FEN, P::kUARTLCR_H);
  backend_.send("12345678");
  EXPECT_TRUE(readl(P::kUARTRIS) & P::kRXI);
  linux_tx("ok");
  EXPECT_EQ(backend_.out, "ok");
}

TEST_F(Pl011Test, ByteAccessesThroughTheBus) {
  // A guest using strb/ldrb: the bus widens them to the 32-bit registers.
  linux_startup();
  ASSERT_EQ(space_.write(kBase + P::kUARTDR, 1, 'b'), MmioStatus::kOk);
  EXPECT_EQ(backend_.out, "b");
  uint64_t fr = 0;
  ASSERT_EQ(space_.read(kBase + P::kUARTFR, 1, &fr), MmioStatus::kOk);
  EXPECT_TRUE(fr & P::kFR_TXFE);
}

}  // namespace
}  // namespace vmapple
