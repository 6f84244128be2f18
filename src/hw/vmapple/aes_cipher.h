#pragma once
// One AES-128/192/256 ECB or CBC pass over a buffer, through OpenSSL's EVP
// interface (AES-NI or the ARMv8 crypto extensions where the host has them).
// The cipher implementations are fetched once; the context is reused, so a
// pass costs one key schedule plus the data. Not thread-safe: one per user.
#include <cstddef>
#include <cstdint>
#include <span>

typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace vmapple {

class AesCipher {
 public:
  static constexpr size_t kBlockSize = 16;
  enum class Mode { kEcb, kCbc };

  AesCipher();  // throws std::runtime_error if OpenSSL lacks AES (never on a sane host)
  ~AesCipher();
  AesCipher(const AesCipher&) = delete;
  AesCipher& operator=(const AesCipher&) = delete;

  // Encrypts or decrypts in.size() bytes into out (same size; `in` and `out`
  // are the same buffer or do not overlap). The key is 16, 24 or 32 bytes;
  // `iv` is used for CBC only. False if the key length or the data length (not
  // a multiple of 16) is unsupported or OpenSSL fails; `out` is then
  // unspecified.
  bool run(std::span<const uint8_t> key, Mode mode, const uint8_t (&iv)[kBlockSize], bool encrypt,
           std::span<const uint8_t> in, std::span<uint8_t> out);

 private:
  EVP_CIPHER* ciphers_[3][2] = {};  // [128/192/256][ECB/CBC]
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

}  // namespace vmapple
