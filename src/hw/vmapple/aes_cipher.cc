#include "hw/vmapple/aes_cipher.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace vmapple {
namespace {

constexpr const char* kNames[3][2] = {
    {"AES-128-ECB", "AES-128-CBC"}, {"AES-192-ECB", "AES-192-CBC"}, {"AES-256-ECB", "AES-256-CBC"}};

int key_index(size_t key_length) {
  switch (key_length) {
    case 16:
      return 0;
    case 24:
      return 1;
    case 32:
      return 2;
  }
  return -1;
}

}  // namespace

AesCipher::AesCipher() {
  ctx_ = EVP_CIPHER_CTX_new();
  if (!ctx_) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
  for (int k = 0; k < 3; ++k)
    for (int m = 0; m < 2; ++m) {
      ciphers_[k][m] = EVP_CIPHER_fetch(nullptr, kNames[k][m], nullptr);
      if (!ciphers_[k][m])
        throw std::runtime_error(std::string("OpenSSL: no ") + kNames[k][m] + " implementation");
    }
}

AesCipher::~AesCipher() {
  for (auto& row : ciphers_)
    for (EVP_CIPHER* c : row)
      EVP_CIPHER_free(c);
  EVP_CIPHER_CTX_free(ctx_);
}

bool AesCipher::run(std::span<const uint8_t> key, Mode mode, const uint8_t (&iv)[kBlockSize],
                    bool encrypt, std::span<const uint8_t> in, std::span<uint8_t> out) {
  int k = key_index(key.size());
  if (k < 0 || in.size() != out.size() || in.size() % kBlockSize != 0) return false;
  if (in.empty()) return true;
  const EVP_CIPHER* cipher = ciphers_[k][mode == Mode::kCbc ? 1 : 0];
  if (EVP_CipherInit_ex2(ctx_, cipher, key.data(), mode == Mode::kCbc ? iv : nullptr,
                         encrypt ? 1 : 0, nullptr) != 1)
    return false;
  EVP_CIPHER_CTX_set_padding(ctx_, 0);
  // EVP takes int lengths: feed at most 1 GiB per call.
  constexpr size_t kChunk = size_t{1} << 30;
  size_t done = 0;
  while (done < in.size()) {
    size_t n = std::min(kChunk, in.size() - done);
    int produced = 0;
    if (EVP_CipherUpdate(ctx_, out.data() + done, &produced, in.data() + done,
                         static_cast<int>(n)) != 1 ||
        static_cast<size_t>(produced) != n)
      return false;
    done += n;
  }
  int tail = 0;
  return EVP_CipherFinal_ex(ctx_, out.data() + done, &tail) == 1 && tail == 0;
}

}  // namespace vmapple
