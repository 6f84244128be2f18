#pragma once
// Shared by the controller's source files only.
#include <mutex>

#include "base/log.h"
#include "hw/usb/xhci/xhci.h"

namespace vmapple::usb {

namespace xhci {
extern trace::Category kTrace;
inline constexpr const char* kName = "xhci";
}  // namespace xhci

// The controller whose lock this thread holds: a device notifier fired from
// inside a device call is queued instead of locking again.
extern thread_local const Xhci* tls_owner;

// Holds the controller's lock; serves queued device notifications before
// releasing it.
class Xhci::Locked {
 public:
  explicit Locked(Xhci& x);
  ~Locked();
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  Xhci& x_;
  std::unique_lock<std::mutex> lock_;
};

}  // namespace vmapple::usb
