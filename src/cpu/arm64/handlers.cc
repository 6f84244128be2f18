#include "cpu/arm64/handlers.h"

#include "cpu/arm64/decode/op.h"

namespace vmapple::arm64 {

void exec_undefined(Core& c, uint32_t) {
  c.undefined();
}

HandlerTable::HandlerTable() : table_(static_cast<size_t>(Op::kCount), &exec_undefined) {}

const HandlerTable& HandlerTable::instance() {
  static const HandlerTable table = [] {
    HandlerTable t;
    register_data_processing_imm(t);
    register_data_processing_reg(t);
    register_branches(t);
    register_loads_stores(t);
    register_system(t);
    register_exception_generating(t);
    register_simd_fp(t);
    register_fp_data_processing(t);
    register_simd_three_same(t);
    register_simd_three_different(t);
    register_simd_by_element(t);
    register_simd_across_lanes(t);
    register_simd_two_reg_misc(t);
    register_simd_shift_imm(t);
    register_simd_modified_imm(t);
    register_simd_copy(t);
    register_simd_permute(t);
    register_simd_three_same_fp(t);
    register_simd_two_reg_misc_fp(t);
    register_simd_by_element_fp(t);
    register_simd_across_lanes_fp(t);
    register_simd_shift_imm_fp(t);
    register_loads_stores_simd(t);
    register_simd_crypto(t);
    register_crc32(t);
    return t;
  }();
  return table;
}

}  // namespace vmapple::arm64
