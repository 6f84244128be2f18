#include "cpu/arm64/decode/op.h"

#include <cstddef>
#include <iterator>

namespace vmapple::arm64 {
namespace {

constexpr const char* kNames[] = {
    "UNALLOCATED",
#define INST(name, page, pattern) #name,
#include "cpu/arm64/decode/a64_table.inc"
#undef INST
};

constexpr const char* kPages[] = {
    "",
#define INST(name, page, pattern) page,
#include "cpu/arm64/decode/a64_table.inc"
#undef INST
};

static_assert(std::size(kNames) == static_cast<size_t>(Op::kCount));
static_assert(std::size(kPages) == static_cast<size_t>(Op::kCount));

}  // namespace

const char* op_name(Op op) {
  auto i = static_cast<size_t>(op);
  return i < std::size(kNames) ? kNames[i] : "INVALID";
}

const char* op_page(Op op) {
  auto i = static_cast<size_t>(op);
  return i < std::size(kPages) ? kPages[i] : "";
}

}  // namespace vmapple::arm64
