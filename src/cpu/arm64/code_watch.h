#pragma once
// Which guest physical pages hold pre-decoded code, shared by the vCPUs of a
// VM. Stores to such pages must take the MMU's slow path and call
// on_write(), which drops the page's decoded instructions (self-modifying
// code is routine in Linux: ftrace, alternatives, static keys, modules).
#include <atomic>
#include <cstdint>
#include <memory>

namespace vmapple::arm64 {

class CodeWatch {
 public:
  virtual ~CodeWatch() = default;
  // True if [gpa page] has decoded code; cheap (one atomic load).
  virtual bool is_code(uint64_t gpa) const = 0;
  // A store of `size` bytes at `gpa` happened (or is about to): invalidate.
  virtual void on_write(uint64_t gpa, unsigned size) = 0;
  // Bumped whenever a page becomes code, so each vCPU drops write entries
  // of its TLB that could bypass the slow path (checked at block starts).
  virtual uint64_t generation() const = 0;
};

}  // namespace vmapple::arm64
