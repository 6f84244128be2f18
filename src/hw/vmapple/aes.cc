#include "hw/vmapple/aes.h"

#include <algorithm>
#include <cstring>

#include "base/bits.h"
#include "base/log.h"

namespace vmapple {
namespace {

trace::Category kTrace("aes");
constexpr std::string_view kName = "aes";

constexpr uint32_t field(uint32_t word, unsigned hi, unsigned lo) {
  return (word >> lo) & ((uint32_t{1} << (hi - lo + 1)) - 1);
}

// Payload bytes in little-endian order: word 0x03020100 gives 00 01 02 03.
void copy_words(const uint32_t* words, unsigned count, uint8_t* out) {
  for (unsigned i = 0; i < count; ++i)
    store_le<uint32_t>(out + 4 * i, words[i]);
}

bool overlap(const uint8_t* a, const uint8_t* b, size_t len) {
  return a < b + len && b < a + len;
}

}  // namespace

AesEngine::AesEngine(GuestMemory& memory, IrqLine& irq) : memory_(memory), irq_(irq) {
  irq_.set(false);
}

AesEngine::~AesEngine() = default;

void AesEngine::reset() {
  std::lock_guard lock(mutex_);
  clear_state();
  update_irq();
}

void AesEngine::clear_state() {
  fifo_.fill(0);
  fill_ = skip_ = 0;
  irq_status_ = irq_enable_ = flag_info_ = 0;
  keys_ = {};
  for (auto& iv : ivs_)
    iv.fill(0);
  encrypt_ = cbc_ = false;
}

void AesEngine::update_irq() {
  irq_.set((irq_status_ & irq_enable_) != 0);
}

uint64_t AesEngine::read(uint64_t offset, unsigned size) {
  std::lock_guard lock(mutex_);
  if (size != 4 || offset % 4) {
    guest_error(kName, "read of {} bytes at {:#x}: not a register", size, offset);
    return 0;
  }
  switch (offset) {
    case kSTATUS:
      return kStatusValue;
    case kIRQ_STATUS:
      return irq_status_;
    case kIRQ_ENABLE:
      return irq_enable_;
    case kWATERMARK:
      return 0;
    case kQ_STATUS:
      return kQStatusValue;
    case kFLAG_INFO:
      return flag_info_;
    case kFIFO:
      guest_error(kName, "read of the write-only FIFO");
      return 0;
  }
  guest_error(kName, "read of unknown register {:#x}", offset);
  return 0;
}

void AesEngine::write(uint64_t offset, unsigned size, uint64_t value) {
  std::lock_guard lock(mutex_);
  if (size != 4 || offset % 4) {
    guest_error(kName, "write of {} bytes at {:#x}: not a register", size, offset);
    return;
  }
  uint32_t v = static_cast<uint32_t>(value);
  switch (offset) {
    case kIRQ_STATUS:
      irq_status_ &= ~v;
      update_irq();
      return;
    case kIRQ_ENABLE:
      irq_enable_ = v;
      update_irq();
      return;
    case kFIFO:
      push_word(v);
      update_irq();
      return;
    case kWATERMARK:
      VMAPPLE_TRACE(kTrace, "WATERMARK write {:#x} ignored", v);
      return;
    case kSTATUS:
    case kQ_STATUS:
    case kFLAG_INFO:
      guest_error(kName, "write of {:#x} to read-only register {:#x}", v, offset);
      return;
  }
  guest_error(kName, "write of {:#x} to unknown register {:#x}", v, offset);
}

void AesEngine::push_word(uint32_t word) {
  if (skip_ > 0) {
    --skip_;
    VMAPPLE_TRACE(kTrace, "FIFO word {:#010x} dropped: payload of a rejected command", word);
    return;
  }
  if (fill_ == kFifoDepth) {
    // Unreachable: the longest command is 9 words and runs when complete.
    guest_error(kName, "FIFO full, word {:#010x} dropped", word);
    return;
  }
  fifo_[fill_++] = word;
  if (evaluate() != Outcome::kIncomplete) fill_ = 0;
}

AesEngine::Outcome AesEngine::evaluate() {
  switch (fifo_[0] >> 28) {
    case kOpKey:
      return key_command();
    case kOpIv:
      return iv_command();
    case kOpData:
      return data_command();
    case kOpStoreIv:
      return store_iv_command();
    case kOpFlag:
      return flag_command();
  }
  return fail(0, fmt::format("invalid command {:#010x}", fifo_[0]));
}

// Discards the command at the head (the caller empties the FIFO) and the
// `skip_words` payload words it announced that have not arrived yet.
AesEngine::Outcome AesEngine::fail(unsigned skip_words, std::string_view why) {
  guest_error(kName, "{}: command discarded, IRQ_STATUS bit 2 set", why);
  irq_status_ |= kIrqInvalidCommand;
  skip_ = skip_words;
  return Outcome::kFailed;
}

AesEngine::Outcome AesEngine::key_command() {
  uint32_t w = fifo_[0];
  unsigned context = field(w, 27, 27);
  unsigned select = field(w, 26, 24);
  unsigned length_code = field(w, 23, 22);
  unsigned key_bytes = length_code == 3 ? 64 : 16 + 8 * length_code;
  unsigned payload = select == 0 ? key_bytes / 4 : 0;
  unsigned mode = field(w, 17, 16);
  if (mode > 1) return fail(payload, fmt::format("KEY {:#010x}: block mode {}", w, mode));
  if (select == 0 && length_code == 3)
    return fail(payload, fmt::format("KEY {:#010x}: 64-byte keys", w));
  if (fill_ < 1 + payload) return Outcome::kIncomplete;
  encrypt_ = field(w, 20, 20);
  cbc_ = mode == 1;
  Key& key = keys_[context];
  key.bytes.fill(0);
  if (select == 0) {
    key.length = key_bytes;
    copy_words(&fifo_[1], payload, key.bytes.data());
  } else if (select <= 3) {
    // Placeholder built-in keys as in the reference: 32 bytes, first = select.
    key.length = 32;
    key.bytes[0] = static_cast<uint8_t>(select);
  } else {
    key.length = 0;  // built-in keys 4-7 are empty: DATA with them fails
  }
  VMAPPLE_TRACE(kTrace, "KEY context {} select {} length {} {} {}", context, select, key.length,
                cbc_ ? "CBC" : "ECB", encrypt_ ? "encrypt" : "decrypt");
  return Outcome::kComplete;
}

AesEngine::Outcome AesEngine::iv_command() {
  if (fill_ < 5) return Outcome::kIncomplete;
  unsigned slot = field(fifo_[0], 27, 26);
  copy_words(&fifo_[1], 4, ivs_[slot].data());
  VMAPPLE_TRACE(kTrace, "IV slot {} loaded", slot);
  return Outcome::kComplete;
}

AesEngine::Outcome AesEngine::data_command() {
  if (fill_ < 4) return Outcome::kIncomplete;
  uint32_t w = fifo_[0];
  const Key& key = keys_[field(w, 27, 27)];
  const auto& iv = ivs_[field(w, 26, 25)];
  uint32_t length = field(w, 23, 0);
  uint64_t src = uint64_t{field(fifo_[1], 31, 16)} << 32 | fifo_[2];
  uint64_t dst = uint64_t{field(fifo_[1], 15, 0)} << 32 | fifo_[3];
  if (key.length == 0)
    return fail(0, fmt::format("DATA: key context {} holds no key", field(w, 27, 27)));
  if (length % AesCipher::kBlockSize)
    return fail(0, fmt::format("DATA: length {} is not a multiple of 16", length));
  if (length == 0) return Outcome::kComplete;  // no DMA at all, whatever the addresses
  auto in = memory_.span_at(src, length);
  if (!in) return fail(0, fmt::format("DATA: source {:#x}+{:#x} is not RAM", src, length));
  auto out = memory_.span_at(dst, length);
  if (!out) return fail(0, fmt::format("DATA: destination {:#x}+{:#x} is not RAM", dst, length));
  std::span<const uint8_t> source = *in;
  if (in->data() != out->data() && overlap(in->data(), out->data(), length)) {
    // The source is read whole before the destination is written.
    bounce_.assign(in->begin(), in->end());
    source = bounce_;
  }
  uint8_t iv_bytes[AesCipher::kBlockSize];
  std::memcpy(iv_bytes, iv.data(), sizeof iv_bytes);
  if (!cipher_.run(std::span(key.bytes.data(), key.length),
                   cbc_ ? AesCipher::Mode::kCbc : AesCipher::Mode::kEcb, iv_bytes, encrypt_, source,
                   *out))
    return fail(0, "DATA: the cipher failed");
  VMAPPLE_TRACE(kTrace, "DATA {} bytes {:#x} -> {:#x}, AES-{}-{} {}", length, src, dst,
                key.length * 8, cbc_ ? "CBC" : "ECB", encrypt_ ? "encrypt" : "decrypt");
  return Outcome::kComplete;
}

AesEngine::Outcome AesEngine::store_iv_command() {
  if (fill_ < 2) return Outcome::kIncomplete;
  unsigned slot = field(fifo_[0], 27, 26);
  uint64_t dst = uint64_t{field(fifo_[0], 7, 0)} << 32 | fifo_[1];
  if (!memory_.write(dst, ivs_[slot]))
    return fail(0, fmt::format("STORE_IV: destination {:#x} is not RAM", dst));
  VMAPPLE_TRACE(kTrace, "STORE_IV slot {} -> {:#x}", slot, dst);
  return Outcome::kComplete;
}

AesEngine::Outcome AesEngine::flag_command() {
  uint32_t w = fifo_[0];
  flag_info_ = field(w, 7, 0);
  if (field(w, 27, 27)) irq_status_ |= kIrqFlag;
  VMAPPLE_TRACE(kTrace, "FLAG info {:#x}{}", flag_info_, field(w, 27, 27) ? ", interrupt" : "");
  return Outcome::kComplete;
}

uint64_t AesEngine::Region2::read(uint64_t offset, unsigned) {
  if (offset != 0) VMAPPLE_TRACE(kTrace, "region 2 read at {:#x}: reads 0", offset);
  return 0;
}

void AesEngine::Region2::write(uint64_t offset, unsigned, uint64_t value) {
  VMAPPLE_TRACE(kTrace, "region 2 write of {:#x} at {:#x} ignored", value, offset);
}

}  // namespace vmapple
