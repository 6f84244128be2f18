// The AES engine driven as Apple's boot ROM drives it: KEY, IV, DATA, STORE_IV
// and FLAG words pushed one by one into the FIFO register, buffers in guest
// RAM, completion seen through IRQ_STATUS and the level interrupt. Known
// answers are NIST SP 800-38A appendix F (ECB and CBC, 128/192/256-bit keys).
#include "hw/vmapple/aes.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/log.h"
#include "memory/address_space.h"

namespace vmapple {
namespace {

constexpr uint64_t kBase = 0x3022'0000;
constexpr uint64_t kBase2 = 0x3023'0000;
constexpr uint64_t kRam = 0x7000'0000;
constexpr uint64_t kRamSize = 32ull << 20;
using A = AesEngine;

std::vector<uint8_t> hex(std::string_view s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

// SP 800-38A F.1 / F.2.
const std::string kPlain =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
const std::string kIv = "000102030405060708090a0b0c0d0e0f";
struct Vector {
  const char* name;
  const char* key;
  bool cbc;
  const char* cipher;
};
const Vector kVectors[] = {
    {"ECB-AES128", "2b7e151628aed2a6abf7158809cf4f3c", false,
     "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"},
    {"ECB-AES192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", false,
     "bd334f1d6e45f25ff712a214571fa5cc974104846d0ad3ad7734ecb3ecee4eef"
     "ef7afd2270e2e60adce0ba2face6444e9a4b41ba738d6c72fb16691603c18e0e"},
    {"ECB-AES256", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", false,
     "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870"
     "b6ed21b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7"},
    {"CBC-AES128", "2b7e151628aed2a6abf7158809cf4f3c", true,
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
    {"CBC-AES192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", true,
     "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
     "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd"},
    {"CBC-AES256", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", true,
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

class AesTest : public ::testing::Test {
 protected:
  AesTest() : space_(memory_) {
    memory_.add_region("ram", kRam, kRamSize);
    aes_ = std::make_unique<AesEngine>(memory_, irq_);
    space_.add_mmio("aes", kBase, A::kMmioSize, *aes_, A::kRules);
    space_.add_mmio("aes-2", kBase2, A::kMmioSize, aes_->region2(), A::kRules);
  }

  uint32_t readl(uint64_t offset) {
    uint64_t v = ~0ull;
    EXPECT_EQ(space_.read(kBase + offset, 4, &v), MmioStatus::kOk);
    return static_cast<uint32_t>(v);
  }
  void writel(uint32_t v, uint64_t offset) {
    EXPECT_EQ(space_.write(kBase + offset, 4, v), MmioStatus::kOk);
  }
  void push(uint32_t word) { writel(word, A::kFIFO); }
  void push_bytes(const std::vector<uint8_t>& bytes) {
    for (size_t i = 0; i < bytes.size(); i += 4)
      push(bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | uint32_t{bytes[i + 3]} << 24);
  }

  // KEY with the key in the FIFO: context, length code from the key size.
  void load_key(unsigned context, const std::vector<uint8_t>& key, bool cbc, bool encrypt) {
    uint32_t code = (key.size() - 16) / 8;
    push(A::kOpKey << 28 | context << 27 | code << 22 | uint32_t{encrypt} << 20 |
         uint32_t{cbc} << 16);
    push_bytes(key);
  }
  void load_iv(unsigned slot, const std::vector<uint8_t>& iv) {
    push(A::kOpIv << 28 | slot << 26);
    push_bytes(iv);
  }
  void data(unsigned key_context, unsigned iv_context, uint32_t length, uint64_t src,
            uint64_t dst) {
    push(A::kOpData << 28 | key_context << 27 | iv_context << 25 | length);
    push(static_cast<uint32_t>((src >> 32) << 16 | (dst >> 32)));
    push(static_cast<uint32_t>(src));
    push(static_cast<uint32_t>(dst));
  }
  void store_iv(unsigned slot, uint64_t dst) {
    push(A::kOpStoreIv << 28 | slot << 26 | static_cast<uint32_t>((dst >> 32) & 0xff));
    push(static_cast<uint32_t>(dst));
  }
  void flag(uint8_t info, bool irq) { push(A::kOpFlag << 28 | uint32_t{irq} << 27 | info); }

  void put(uint64_t gpa, const std::vector<uint8_t>& bytes) {
    ASSERT_TRUE(memory_.write(gpa, bytes));
  }
  std::vector<uint8_t> get(uint64_t gpa, size_t len) {
    std::vector<uint8_t> out(len);
    EXPECT_TRUE(memory_.read(gpa, out));
    return out;
  }
  // Bit 2 set (and cleared again, W1C), with one guest error reported.
  void expect_invalid(uint64_t errors_before) {
    EXPECT_EQ(readl(A::kIRQ_STATUS) & A::kIrqInvalidCommand, A::kIrqInvalidCommand);
    EXPECT_GT(trace::guest_error_count(), errors_before);
    writel(A::kIrqInvalidCommand, A::kIRQ_STATUS);
    EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
  }
  // The FIFO is not wedged: a FLAG right after runs at once.
  void expect_fifo_works(uint8_t info) {
    flag(info, false);
    EXPECT_EQ(readl(A::kFLAG_INFO), info);
    EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
  }

  GuestMemory memory_;
  AddressSpace space_;
  LatchIrqLine irq_;
  std::unique_ptr<AesEngine> aes_;
};

TEST_F(AesTest, ResetValues) {
  EXPECT_EQ(readl(A::kSTATUS), 0x3F80u);
  EXPECT_EQ(readl(A::kQ_STATUS), 2u);
  for (uint64_t reg : {A::kIRQ_STATUS, A::kIRQ_ENABLE, A::kWATERMARK, A::kFLAG_INFO})
    EXPECT_EQ(readl(reg), 0u) << reg;
  EXPECT_FALSE(irq_.level());
  // 8-byte accesses are split: IRQ_STATUS | IRQ_ENABLE << 32.
  writel(0x24, A::kIRQ_ENABLE);
  uint64_t v = 0;
  EXPECT_EQ(space_.read(kBase + A::kIRQ_STATUS, 8, &v), MmioStatus::kOk);
  EXPECT_EQ(v, 0x24ull << 32);
  // Byte and halfword accesses are bus errors.
  EXPECT_EQ(space_.read(kBase + A::kSTATUS, 1, &v), MmioStatus::kInvalid);
  EXPECT_EQ(space_.write(kBase + A::kFIFO, 2, 0), MmioStatus::kInvalid);
}

TEST_F(AesTest, NistKnownAnswersEncryptAndDecryptThroughTheFifo) {
  const uint64_t src = kRam + 0x1000, dst = kRam + 0x2000, back = kRam + 0x3000;
  auto plain = hex(kPlain);
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    auto key = hex(v.key);
    put(src, plain);
    load_iv(0, hex(kIv));
    load_key(1, key, v.cbc, true);
    data(1, 0, plain.size(), src, dst);
    EXPECT_EQ(get(dst, plain.size()), hex(v.cipher));
    load_key(0, key, v.cbc, false);
    data(0, 0, plain.size(), dst, back);
    EXPECT_EQ(get(back, plain.size()), plain);
    EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
  }
}

TEST_F(AesTest, EveryIvSlotIsReachableAndDataUsesItsIvContext) {
  for (unsigned slot = 0; slot < 4; ++slot) {
    std::vector<uint8_t> iv(16);
    for (unsigned i = 0; i < 16; ++i)
      iv[i] = static_cast<uint8_t>(0x80 + slot * 0x10 + i);
    load_iv(slot, iv);
  }
  for (unsigned slot = 0; slot < 4; ++slot) {
    store_iv(slot, kRam + 0x100 * slot);
    EXPECT_EQ(get(kRam + 0x100 * slot, 1)[0], 0x80 + slot * 0x10) << slot;
    EXPECT_EQ(get(kRam + 0x100 * slot + 15, 1)[0], 0x80 + slot * 0x10 + 15) << slot;
  }
  // The SP 800-38A IV in slot 3 only: DATA with IV context 3 gives the vector.
  load_iv(3, hex(kIv));
  put(kRam + 0x1000, hex(kPlain));
  load_key(0, hex(kVectors[3].key), true, true);
  data(0, 3, 64, kRam + 0x1000, kRam + 0x2000);
  EXPECT_EQ(get(kRam + 0x2000, 64), hex(kVectors[3].cipher));
  data(0, 0, 64, kRam + 0x1000, kRam + 0x2000);  // slot 0 holds another IV
  EXPECT_NE(get(kRam + 0x2000, 64), hex(kVectors[3].cipher));
}

TEST_F(AesTest, CbcDoesNotChainAcrossCommands) {
  put(kRam, hex(kPlain));
  load_iv(0, hex(kIv));
  load_key(0, hex(kVectors[3].key), true, true);
  data(0, 0, 32, kRam, kRam + 0x1000);
  data(0, 0, 32, kRam + 32, kRam + 0x1000 + 32);
  auto want = hex(kVectors[3].cipher);
  EXPECT_EQ(get(kRam + 0x1000, 32), std::vector<uint8_t>(want.begin(), want.begin() + 32));
  // The second half started from the stored IV again, not from block 2's input.
  EXPECT_NE(get(kRam + 0x1000 + 32, 32), std::vector<uint8_t>(want.begin() + 32, want.end()));
  store_iv(0, kRam + 0x2000);
  EXPECT_EQ(get(kRam + 0x2000, 16), hex(kIv));
}

TEST_F(AesTest, BuiltInKeys) {
  put(kRam, std::vector<uint8_t>(16, 0));
  // Select 1 and 2: 32-byte keys 01 00.. and 02 00.. (length code ignored).
  push(A::kOpKey << 28 | 1 << 24 | 1 << 20);  // context 0, select 1, ECB, encrypt
  data(0, 0, 16, kRam, kRam + 0x100);
  EXPECT_EQ(get(kRam + 0x100, 16), hex("52917f3ae957d5230d3a2af57c7b5a71"));
  push(A::kOpKey << 28 | 1 << 27 | 2 << 24 | 1 << 22 | 1 << 20);
  data(1, 0, 16, kRam, kRam + 0x100);
  EXPECT_EQ(get(kRam + 0x100, 16), hex("1c55fb811b5c6464c4e5de1535a75514"));
  // Select 4..7 are empty keys: DATA fails, nothing written.
  put(kRam + 0x100, std::vector<uint8_t>(16, 0xee));
  uint64_t errors = trace::guest_error_count();
  push(A::kOpKey << 28 | 5 << 24 | 1 << 20);
  EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
  data(0, 0, 16, kRam, kRam + 0x100);
  expect_invalid(errors);
  EXPECT_EQ(get(kRam + 0x100, 16), std::vector<uint8_t>(16, 0xee));
  expect_fifo_works(0x11);
}

TEST_F(AesTest, FlagCommandAndTheLevelInterrupt) {
  flag(0xab, false);
  EXPECT_EQ(readl(A::kFLAG_INFO), 0xabu);
  EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
  flag(0xcd, true);
  EXPECT_EQ(readl(A::kFLAG_INFO), 0xcdu);
  EXPECT_EQ(readl(A::kIRQ_STATUS), A::kIrqFlag);
  EXPECT_FALSE(irq_.level());  // not enabled
  writel(A::kIrqFlag, A::kIRQ_ENABLE);
  EXPECT_TRUE(irq_.level());
  writel(A::kIrqInvalidCommand, A::kIRQ_STATUS);  // other bits: no effect
  EXPECT_TRUE(irq_.level());
  writel(A::kIrqFlag, A::kIRQ_STATUS);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
  // Enabled first: the FLAG raises the line as soon as its word is written.
  flag(1, true);
  EXPECT_TRUE(irq_.level());
  writel(0, A::kIRQ_ENABLE);
  EXPECT_FALSE(irq_.level());
  EXPECT_EQ(irq_.rising_edges(), 2u);
}

TEST_F(AesTest, InvalidOpcodesAreDiscardedWithoutWedgingTheFifo) {
  writel(A::kIrqInvalidCommand, A::kIRQ_ENABLE);
  for (uint32_t op : {0x0u, 0x3u, 0x4u, 0x7u, 0x9u, 0xfu}) {
    uint64_t errors = trace::guest_error_count();
    push(op << 28 | 0x123);
    EXPECT_TRUE(irq_.level()) << op;
    expect_invalid(errors);
    EXPECT_FALSE(irq_.level());
    expect_fifo_works(static_cast<uint8_t>(op + 1));
  }
}

TEST_F(AesTest, RejectedKeyCommandsDropTheirPayload) {
  // Block mode 2 with a 16-byte key in the FIFO: the 4 key words that follow
  // are not taken for commands (0x8... would be a FLAG).
  uint64_t errors = trace::guest_error_count();
  push(A::kOpKey << 28 | 2 << 16);
  for (int i = 0; i < 4; ++i)
    push(A::kOpFlag << 28 | 1 << 27 | 0x77);
  expect_invalid(errors);
  EXPECT_EQ(readl(A::kFLAG_INFO), 0u);
  expect_fifo_works(0x21);
  // A 64-byte key (length code 3) does not fit the FIFO: rejected, 16 words dropped.
  errors = trace::guest_error_count();
  push(A::kOpKey << 28 | 3 << 22);
  for (int i = 0; i < 16; ++i)
    push(A::kOpFlag << 28 | 1 << 27 | 0x78);
  expect_invalid(errors);
  EXPECT_EQ(readl(A::kFLAG_INFO), 0x21u);
  expect_fifo_works(0x22);
  // A built-in key with block mode 3 has no payload: only the word goes.
  errors = trace::guest_error_count();
  push(A::kOpKey << 28 | 1 << 24 | 3 << 16);
  expect_invalid(errors);
  expect_fifo_works(0x23);
}

TEST_F(AesTest, FailedDataCommandsWriteNothingAndRaiseBit2) {
  load_key(0, hex(kVectors[0].key), false, true);
  const std::vector<uint8_t> marker(64, 0x5a);
  struct Case {
    const char* what;
    uint32_t length;
    uint64_t src, dst;
  } cases[] = {
      {"length not a multiple of 16", 40, kRam, kRam + 0x1000},
      {"source outside RAM", 64, 0x1000, kRam + 0x1000},
      {"source crossing the end of RAM", 64, kRam + kRamSize - 32, kRam + 0x1000},
      {"source above 4 GiB", 64, 0x1234'0000'0000, kRam + 0x1000},
      {"destination outside RAM", 64, kRam, 0x3022'0000},
      {"destination crossing the end of RAM", 64, kRam, kRam + kRamSize - 16},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    put(kRam + 0x1000, marker);
    put(kRam + kRamSize - 64, marker);
    uint64_t errors = trace::guest_error_count();
    data(0, 0, c.length, c.src, c.dst);
    expect_invalid(errors);
    EXPECT_EQ(get(kRam + 0x1000, 64), marker);
    EXPECT_EQ(get(kRam + kRamSize - 64, 64), marker);
    expect_fifo_works(0x30);
  }
  // Key context 1 was never loaded.
  uint64_t errors = trace::guest_error_count();
  data(1, 0, 16, kRam, kRam + 0x1000);
  expect_invalid(errors);
  EXPECT_EQ(get(kRam + 0x1000, 64), marker);
  // Length 0 is valid and does nothing.
  data(0, 0, 0, 0x10, 0x20);
  EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
}

TEST_F(AesTest, StoreIvToABadAddressFails) {
  uint64_t errors = trace::guest_error_count();
  store_iv(1, 0xff'0000'0000);  // bits 39:32 from word 0
  expect_invalid(errors);
  store_iv(2, kRam + kRamSize - 8);
  expect_invalid(errors);
  expect_fifo_works(0x40);
}

TEST_F(AesTest, OverlappingBuffersReadTheSourceWholeFirst) {
  auto plain = hex(kPlain);
  load_iv(0, hex(kIv));
  load_key(0, hex(kVectors[3].key), true, true);
  // In place.
  put(kRam, plain);
  data(0, 0, 64, kRam, kRam);
  EXPECT_EQ(get(kRam, 64), hex(kVectors[3].cipher));
  // Destination 16 bytes after the source, and before it.
  for (int64_t shift : {16, -16}) {
    put(kRam + 0x1000, plain);
    data(0, 0, 64, kRam + 0x1000, kRam + 0x1000 + shift);
    EXPECT_EQ(get(kRam + 0x1000 + shift, 64), hex(kVectors[3].cipher)) << shift;
  }
}

TEST_F(AesTest, LargeDataCommand) {
  const uint32_t len = (16u << 20) - 16;  // the largest multiple of 16 that fits 24 bits
  std::vector<uint8_t> buf(len);
  for (uint32_t i = 0; i < len; ++i)
    buf[i] = static_cast<uint8_t>(i * 7);
  put(kRam, buf);
  load_key(0, hex(kVectors[2].key), false, true);
  data(0, 0, len, kRam, kRam + len);
  load_key(0, hex(kVectors[2].key), false, false);
  data(0, 0, len, kRam + len, kRam + len);
  EXPECT_EQ(get(kRam + len, len), buf);
  EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
}

TEST_F(AesTest, ResetEmptiesTheFifoAndClearsState) {
  load_key(0, hex(kVectors[0].key), true, true);
  flag(0x42, true);
  writel(~0u, A::kIRQ_ENABLE);
  EXPECT_TRUE(irq_.level());
  push(A::kOpKey << 28 | 2 << 22);  // a 32-byte key, waiting for 8 words
  push(0x1111'1111);
  aes_->reset();
  EXPECT_FALSE(irq_.level());
  for (uint64_t reg : {A::kIRQ_STATUS, A::kIRQ_ENABLE, A::kFLAG_INFO})
    EXPECT_EQ(readl(reg), 0u) << reg;
  expect_fifo_works(0x51);  // not swallowed as key payload
  // Keys were cleared: DATA with context 0 fails.
  uint64_t errors = trace::guest_error_count();
  data(0, 0, 16, kRam, kRam + 0x100);
  expect_invalid(errors);
}

TEST_F(AesTest, OtherOffsetsAndRegion2) {
  uint64_t errors = trace::guest_error_count();
  EXPECT_EQ(readl(0x100), 0u);
  EXPECT_EQ(readl(A::kFIFO), 0u);
  writel(0x1234, A::kSTATUS);
  writel(0x1234, 0x3ffc);
  EXPECT_EQ(readl(A::kSTATUS), 0x3F80u);
  EXPECT_EQ(trace::guest_error_count(), errors + 4);
  writel(5, A::kWATERMARK);
  EXPECT_EQ(readl(A::kWATERMARK), 0u);
  // An 8-byte write at FIFO: the low word is the command, the high word lands
  // on 0x204 and is ignored.
  EXPECT_EQ(space_.write(kBase + A::kFIFO, 8, 0x8000'0000'8000'0066ull), MmioStatus::kOk);
  EXPECT_EQ(readl(A::kFLAG_INFO), 0x66u);
  uint64_t v = 1;
  for (uint64_t off : {0ull, 0x18ull, 0x200ull, 0x3ff8ull}) {
    EXPECT_EQ(space_.write(kBase2 + off, 4, 0xffff'ffff), MmioStatus::kOk);
    EXPECT_EQ(space_.read(kBase2 + off, 8, &v), MmioStatus::kOk);
    EXPECT_EQ(v, 0u);
  }
  EXPECT_EQ(readl(A::kIRQ_STATUS), 0u);
}

}  // namespace
}  // namespace vmapple
