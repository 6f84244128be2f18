#pragma once
// The vmapple AES engine (spec section 4): a command FIFO through which Apple's
// boot ROM loads keys and IVs and has guest memory encrypted or decrypted with
// AES-128/192/256 in ECB or CBC mode.
//
// Commands run synchronously, inside the MMIO write that supplies their last
// word, under the device lock: a DATA command is at most 16 MiB - 1 bytes, a
// few milliseconds of AES-NI, and only other accesses to this device wait for
// it. Where the reference model (QEMU 10) has clear defects this model does
// what hardware would; docs/devices/aes.md lists every such choice:
//  * a failed or invalid command is discarded (with the payload words it
//    announced) and raises IRQ_STATUS bit 2, instead of wedging the FIFO;
//  * IV and STORE_IV select slots 0-3 with bits 27:26, DATA uses its IV
//    context field (bits 26:25);
//  * reset empties the FIFO and clears keys, IVs and the global mode.
//
// Map region 1 (this object) and region 2 (region2()) with kRules.
#include <array>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "base/irq_line.h"
#include "hw/device.h"
#include "hw/vmapple/aes_cipher.h"
#include "memory/guest_memory.h"

namespace vmapple {

class AesEngine final : public MmioDevice {
 public:
  static constexpr uint64_t kMmioSize = 0x4000;  // each region
  static constexpr MmioAccessRules kRules{4, 8, 4, 4};

  // Region 1 registers.
  static constexpr uint64_t kSTATUS = 0x00C;
  static constexpr uint64_t kIRQ_STATUS = 0x018;
  static constexpr uint64_t kIRQ_ENABLE = 0x01C;
  static constexpr uint64_t kWATERMARK = 0x020;
  static constexpr uint64_t kQ_STATUS = 0x024;
  static constexpr uint64_t kFLAG_INFO = 0x030;
  static constexpr uint64_t kFIFO = 0x200;

  static constexpr uint32_t kStatusValue = 0x3F80;
  static constexpr uint32_t kQStatusValue = 2;
  static constexpr uint32_t kIrqInvalidCommand = 1u << 2;
  static constexpr uint32_t kIrqFlag = 1u << 5;
  static constexpr unsigned kFifoDepth = 9;

  // Command opcodes (bits 31:28 of the first word).
  static constexpr uint32_t kOpKey = 0x1;
  static constexpr uint32_t kOpIv = 0x2;
  static constexpr uint32_t kOpData = 0x5;
  static constexpr uint32_t kOpStoreIv = 0x6;
  static constexpr uint32_t kOpFlag = 0x8;

  AesEngine(GuestMemory& memory, IrqLine& irq);
  ~AesEngine() override;

  std::string_view name() const override { return "aes"; }
  void reset() override;
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

  // The second window: reads 0, ignores writes.
  MmioHandler& region2() { return region2_; }

 private:
  enum class Outcome { kIncomplete, kComplete, kFailed };
  struct Key {
    unsigned length = 0;  // bytes: 0 (none), 16, 24 or 32
    std::array<uint8_t, 32> bytes{};
  };
  class Region2 final : public MmioHandler {
   public:
    uint64_t read(uint64_t offset, unsigned size) override;
    void write(uint64_t offset, unsigned size, uint64_t value) override;
  };

  void push_word(uint32_t word);
  Outcome evaluate();
  Outcome key_command();
  Outcome iv_command();
  Outcome data_command();
  Outcome store_iv_command();
  Outcome flag_command();
  Outcome fail(unsigned skip_words, std::string_view why);
  void clear_state();
  void update_irq();

  GuestMemory& memory_;
  IrqLine& irq_;
  Region2 region2_;

  std::mutex mutex_;
  std::array<uint32_t, kFifoDepth> fifo_{};
  unsigned fill_ = 0;
  unsigned skip_ = 0;  // payload words of a rejected command still to drop
  uint32_t irq_status_ = 0;
  uint32_t irq_enable_ = 0;
  uint32_t flag_info_ = 0;
  std::array<Key, 2> keys_{};
  std::array<std::array<uint8_t, 16>, 4> ivs_{};
  bool encrypt_ = false;
  bool cbc_ = false;
  AesCipher cipher_;
  std::vector<uint8_t> bounce_;  // source copy when source and destination overlap
};

}  // namespace vmapple
