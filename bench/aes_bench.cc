// The AES engine's DATA command against OpenSSL called directly on the same
// buffers: what the device adds (FIFO decoding through the AddressSpace,
// address checks, a key schedule per command) to the cipher itself.
//
//   BM_AesDevice/<mode>/<bytes>: one DATA command (4 FIFO writes) per iteration
//   BM_OpenSsl/<mode>/<bytes>:   EVP_CipherInit_ex2 + Update + Final per iteration
// mode 0: AES-128-ECB encrypt, 1: AES-256-CBC encrypt, 2: AES-256-CBC decrypt.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "base/irq_line.h"
#include "hw/vmapple/aes.h"
#include "memory/address_space.h"

namespace {

using vmapple::AesEngine;
constexpr uint64_t kBase = 0x3022'0000;
constexpr uint64_t kRam = 0x7000'0000;
constexpr uint64_t kSrc = kRam, kDst = kRam + (8 << 20);
constexpr uint8_t kKey[32] = {0x60, 0x3d, 0xeb, 0x10, 0x15, 0xca, 0x71, 0xbe, 0x2b, 0x73, 0xae,
                              0xf0, 0x85, 0x7d, 0x77, 0x81, 0x1f, 0x35, 0x2c, 0x07, 0x3b, 0x61,
                              0x08, 0xd7, 0x2d, 0x98, 0x10, 0xa3, 0x09, 0x14, 0xdf, 0xf4};
constexpr uint8_t kIv[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

struct Mode {
  unsigned key_bytes;
  bool cbc;
  bool encrypt;
};
constexpr Mode kModes[] = {{16, false, true}, {32, true, true}, {32, true, false}};

struct Rig {
  vmapple::GuestMemory memory;
  vmapple::AddressSpace space{memory};
  vmapple::LatchIrqLine irq;
  std::unique_ptr<AesEngine> aes;
  Rig() {
    memory.add_region("ram", kRam, 16 << 20);
    aes = std::make_unique<AesEngine>(memory, irq);
    space.add_mmio("aes", kBase, AesEngine::kMmioSize, *aes, AesEngine::kRules);
    auto src = *memory.span_at(kSrc, 8 << 20);
    for (size_t i = 0; i < src.size(); ++i)
      src[i] = static_cast<uint8_t>(i * 31);
    memory.span_at(kDst, 8 << 20)->data()[0] = 0;  // touch
  }
  void push(uint32_t w) { space.write(kBase + AesEngine::kFIFO, 4, w); }
  void words(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; i += 4) {
      uint32_t w;
      std::memcpy(&w, p + i, 4);
      push(w);
    }
  }
};

void BM_AesDevice(benchmark::State& state) {
  const Mode& m = kModes[state.range(0)];
  const uint32_t len = static_cast<uint32_t>(state.range(1));
  Rig rig;
  rig.push(AesEngine::kOpKey << 28 | (m.key_bytes - 16) / 8 << 22 | uint32_t{m.encrypt} << 20 |
           uint32_t{m.cbc} << 16);
  rig.words(kKey, m.key_bytes);
  rig.push(AesEngine::kOpIv << 28);
  rig.words(kIv, 16);
  for (auto _ : state) {
    rig.push(AesEngine::kOpData << 28 | len);
    rig.push(0);
    rig.push(static_cast<uint32_t>(kSrc));
    rig.push(static_cast<uint32_t>(kDst));
  }
  if (rig.aes->read(AesEngine::kIRQ_STATUS, 4) != 0) state.SkipWithError("DATA failed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * len);
}

void BM_OpenSsl(benchmark::State& state) {
  const Mode& m = kModes[state.range(0)];
  const int len = static_cast<int>(state.range(1));
  Rig rig;  // the same guest RAM buffers
  uint8_t* src = rig.memory.span_at(kSrc, len)->data();
  uint8_t* dst = rig.memory.span_at(kDst, len)->data();
  const char* name = m.key_bytes == 16 ? (m.cbc ? "AES-128-CBC" : "AES-128-ECB")
                                       : (m.cbc ? "AES-256-CBC" : "AES-256-ECB");
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (auto _ : state) {
    int out = 0, tail = 0;
    EVP_CipherInit_ex2(ctx, cipher, kKey, m.cbc ? kIv : nullptr, m.encrypt, nullptr);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_CipherUpdate(ctx, dst, &out, src, len);
    EVP_CipherFinal_ex(ctx, dst + out, &tail);
    benchmark::DoNotOptimize(dst[0]);
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * len);
}

void Args(benchmark::internal::Benchmark* b) {
  for (int mode = 0; mode < 3; ++mode)
    for (int bytes : {4096, 1 << 20})
      b->Args({mode, bytes});
}

BENCHMARK(BM_AesDevice)->Apply(Args);
BENCHMARK(BM_OpenSsl)->Apply(Args);

}  // namespace
