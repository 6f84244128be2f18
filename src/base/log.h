#pragma once
// Logging and trace points.
//
// A trace category is a named switch ("pl011", "virtio-blk", "guest-error").
// `--trace 'virtio*,guest-error'` turns categories on by glob; a leading '-'
// turns them off. A disabled trace point costs one relaxed atomic load.
//
// Guest errors (a guest driver doing something the hardware would refuse) go
// through guest_error(): never an exception, always counted, printed under the
// rate-limited `guest-error` category so a hostile guest cannot flood the host.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace vmapple::trace {

class Category {
 public:
  // Categories are created once, at namespace scope, and live forever.
  explicit Category(std::string_view name, bool on_by_default = false);
  Category(const Category&) = delete;
  Category& operator=(const Category&) = delete;

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  std::string_view name() const { return name_; }
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

 private:
  std::string_view name_;
  std::atomic<bool> enabled_;
};

// Applies a comma-separated list of globs ("virtio*,-virtio-net,guest-error").
// Throws ConfigError naming the first pattern that matches no category.
void configure(std::string_view globs);
std::vector<std::string_view> category_names();
Category* find(std::string_view name);

// Where lines go (stderr by default). Tests capture them.
using Sink = std::function<void(std::string_view category, std::string_view message)>;
void set_sink(Sink sink);
void reset_sink();

void emit(const Category& category, std::string_view message);

extern Category guest_error_category;
extern Category unassigned_category;

// Counts every guest error, printed or not (tests assert on it).
uint64_t guest_error_count();

void emit_guest_error(std::string_view device, std::string_view message);

}  // namespace vmapple::trace

// A trace point: formats only when the category is on.
#define VMAPPLE_TRACE(category, ...)                                                          \
  do {                                                                                        \
    if ((category).enabled()) ::vmapple::trace::emit((category), ::fmt::format(__VA_ARGS__)); \
  } while (0)

namespace vmapple {

// A guest did something the device refuses. Rate-limited to a burst of 20
// lines and then 10 a second; suppressed lines are counted in the next one.
template <typename... Args>
void guest_error(std::string_view device, fmt::format_string<Args...> format, Args&&... args) {
  trace::emit_guest_error(device, fmt::format(format, std::forward<Args>(args)...));
}

// Messages of the VMM itself (not the guest), always printed.
void log_warning(std::string_view message);
void log_info(std::string_view message);

}  // namespace vmapple
