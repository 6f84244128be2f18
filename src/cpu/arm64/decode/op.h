// A64 instruction identities, one per line of the decode table
// (a64_table.inc). Op::kUnallocated is every encoding the table does not
// name: the executor raises UNDEFINED for it.
#pragma once

#include <cstdint>

namespace vmapple::arm64 {

enum class Op : uint16_t {
  kUnallocated = 0,
#define INST(name, page, pattern) name,
#include "cpu/arm64/decode/a64_table.inc"
#undef INST
  kCount
};

// The table NAME ("ADD_imm"), or "UNALLOCATED".
const char* op_name(Op op);
// The Arm ARM page title ("ADD (immediate)"), or "" for kUnallocated.
const char* op_page(Op op);

}  // namespace vmapple::arm64
