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
    return t;
  }();
  return table;
}

}  // namespace vmapple::arm64
