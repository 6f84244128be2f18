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

}  // namespace vmapple::arm64
