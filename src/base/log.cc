#include "base/log.h"

#include <fnmatch.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "base/error.h"

namespace vmapple::trace {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<Category*> categories;
  Sink sink;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::atomic<uint64_t> g_guest_errors{0};

// Token bucket for guest-error lines.
struct RateLimit {
  static constexpr double kBurst = 20, kPerSecond = 10;
  std::mutex mutex;
  double tokens = kBurst;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
  uint64_t suppressed = 0;

  // Returns whether to print and how many lines were suppressed before it.
  bool admit(uint64_t* dropped) {
    std::lock_guard lock(mutex);
    auto now = std::chrono::steady_clock::now();
    tokens =
        std::min(kBurst, tokens + std::chrono::duration<double>(now - last).count() * kPerSecond);
    last = now;
    if (tokens < 1) {
      ++suppressed;
      return false;
    }
    tokens -= 1;
    *dropped = suppressed;
    suppressed = 0;
    return true;
  }
};

RateLimit& rate_limit() {
  static RateLimit r;
  return r;
}

double uptime() {
  static const auto start = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Category guest_error_category("guest-error", true);
Category unassigned_category("unassigned");

Category::Category(std::string_view name, bool on_by_default)
    : name_(name), enabled_(on_by_default) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.categories.push_back(this);
}

void configure(std::string_view globs) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  while (!globs.empty()) {
    size_t comma = globs.find(',');
    std::string pattern(globs.substr(0, comma));
    globs = comma == std::string_view::npos ? std::string_view() : globs.substr(comma + 1);
    if (pattern.empty()) continue;
    bool on = pattern[0] != '-';
    if (!on) pattern.erase(0, 1);
    bool matched = false;
    for (Category* c : r.categories) {
      if (fnmatch(pattern.c_str(), std::string(c->name()).c_str(), 0) == 0) {
        c->set_enabled(on);
        matched = true;
      }
    }
    if (!matched)
      throw ConfigError(
          fmt::format("'{}' matches no trace category (`--trace help` lists them)", pattern));
  }
}

std::vector<std::string_view> category_names() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string_view> names;
  for (Category* c : r.categories)
    names.push_back(c->name());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Category* find(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (Category* c : r.categories)
    if (c->name() == name) return c;
  return nullptr;
}

void set_sink(Sink sink) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.sink = std::move(sink);
}

void reset_sink() {
  set_sink(nullptr);
}

void emit(const Category& category, std::string_view message) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (r.sink) {
    r.sink(category.name(), message);
    return;
  }
  // One write per line so lines of concurrent threads do not interleave.
  std::string line = fmt::format("[{:12.6f}] {}: {}\n", uptime(), category.name(), message);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

uint64_t guest_error_count() {
  return g_guest_errors.load(std::memory_order_relaxed);
}

void emit_guest_error(std::string_view device, std::string_view message) {
  g_guest_errors.fetch_add(1, std::memory_order_relaxed);
  if (!guest_error_category.enabled()) return;
  uint64_t dropped = 0;
  if (!rate_limit().admit(&dropped)) return;
  if (dropped)
    emit(guest_error_category,
         fmt::format("{}: {} ({} earlier lines suppressed)", device, message, dropped));
  else
    emit(guest_error_category, fmt::format("{}: {}", device, message));
}

}  // namespace vmapple::trace

namespace vmapple {

void log_warning(std::string_view message) {
  fmt::print(stderr, "vmapple: warning: {}\n", message);
}
void log_info(std::string_view message) {
  fmt::print(stderr, "vmapple: {}\n", message);
}

}  // namespace vmapple
