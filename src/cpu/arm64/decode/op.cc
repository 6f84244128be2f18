#include "cpu/arm64/decode/op.h"

#include <array>
#include <cstddef>

namespace vmapple::arm64 {
namespace {

constexpr std::array kNames = {
    "UNALLOCATED",
#define INST(name, page, pattern) #name,
#include "cpu/arm64/decode/a64_table.inc"
#undef INST
};

constexpr std::array kPages = {
    "",
#define INST(name, page, pattern) page,
#include "cpu/arm64/decode/a64_table.inc"
#undef INST
};

static_assert(kNames.size() == static_cast<size_t>(Op::kCount));

}  // namespace

const char* op_name(Op op) {
  auto i = static_cast<size_t>(op);
  return i < kNames.size() ? kNames[i] : "INVALID";
}

const char* op_page(Op op) {
  auto i = static_cast<size_t>(op);
  return i < kPages.size() ? kPages[i] : "";
}

}  // namespace vmapple::arm64
