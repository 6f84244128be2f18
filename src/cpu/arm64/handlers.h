#pragma once
// The table from decoded Op to the function that executes it. Each file of
// exec/ registers the handlers of its Arm ARM encoding group; an Op nobody
// registered is UNDEFINED.
#include <cstdint>
#include <vector>

#include "cpu/arm64/core.h"

namespace vmapple::arm64 {

enum class Op : uint16_t;

class HandlerTable {
 public:
  HandlerTable();
  Handler& operator[](Op op) { return table_[static_cast<uint16_t>(op)]; }
  Handler operator[](Op op) const { return table_[static_cast<uint16_t>(op)]; }

  const Handler* data() const { return table_.data(); }

  // The table with every exec/ group registered; built once.
  static const HandlerTable& instance();

 private:
  std::vector<Handler> table_;
};

// The handler of unregistered and unallocated encodings.
void exec_undefined(Core& c, uint32_t insn);

// One per exec/ file.
void register_data_processing_imm(HandlerTable& t);
void register_data_processing_reg(HandlerTable& t);
void register_branches(HandlerTable& t);
void register_loads_stores(HandlerTable& t);
void register_system(HandlerTable& t);
void register_exception_generating(HandlerTable& t);
void register_simd_fp(HandlerTable& t);
void register_fp_data_processing(HandlerTable& t);
void register_simd_three_same(HandlerTable& t);
void register_simd_three_different(HandlerTable& t);
void register_simd_by_element(HandlerTable& t);
void register_simd_across_lanes(HandlerTable& t);
void register_simd_two_reg_misc(HandlerTable& t);
void register_simd_shift_imm(HandlerTable& t);
void register_simd_modified_imm(HandlerTable& t);
void register_simd_copy(HandlerTable& t);
void register_simd_permute(HandlerTable& t);
void register_simd_three_same_fp(HandlerTable& t);
void register_simd_two_reg_misc_fp(HandlerTable& t);
void register_simd_by_element_fp(HandlerTable& t);
void register_simd_across_lanes_fp(HandlerTable& t);
void register_simd_shift_imm_fp(HandlerTable& t);
void register_loads_stores_simd(HandlerTable& t);
void register_simd_crypto(HandlerTable& t);
void register_crc32(HandlerTable& t);

}  // namespace vmapple::arm64
