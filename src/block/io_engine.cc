#include "block/io_engine.h"

#include <limits.h>

#include <algorithm>
#include <cerrno>

namespace vmapple {

int IoRequest::pending_iov_count() const {
  return static_cast<int>(std::min<size_t>(iov.size() - next_iov, IOV_MAX));
}

bool IoRequest::advance(uint64_t n) {
  done += n;
  while (n > 0 && next_iov < iov.size()) {
    iovec& v = iov[next_iov];
    if (n < v.iov_len) {
      v.iov_base = static_cast<char*>(v.iov_base) + n;
      v.iov_len -= n;
      n = 0;
    } else {
      n -= v.iov_len;
      ++next_iov;
    }
  }
  // Empty iovecs left at the end must not start another call.
  while (next_iov < iov.size() && iov[next_iov].iov_len == 0)
    ++next_iov;
  return done >= length;
}

void IoRequest::finish(int64_t result) {
  std::lock_guard lock(gate->mutex);
  if (gate->open && completion) completion(result);
}

int64_t discard_result(int64_t result) {
  if (result == -EOPNOTSUPP || result == -ENOSYS) return 0;
  return result < 0 ? result : 0;
}

}  // namespace vmapple
