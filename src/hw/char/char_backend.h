#pragma once
// The host side of a serial port: where the UART's output goes and where its
// input comes from, chosen by `--serial`.
//
// Output: the UART calls write() from vCPU threads with its lock held, so a
// backend never blocks for long; what it cannot write now is dropped and
// counted (dropped_bytes()).
//
// Input: a backend reads its fd on the EventLoop thread and offers the bytes
// to the UART through the attached InputSink. The UART takes what fits in its
// receive FIFO; the backend keeps the rest (and stops reading its fd) until
// the UART calls input_ready(). So no input byte is lost to a full FIFO.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vmapple {

class EventLoop;

class CharBackend {
 public:
  // Takes input for the guest; returns how many bytes it accepted (fewer
  // than offered when its FIFO is full or its receiver is off).
  using InputSink = std::function<size_t(std::span<const uint8_t>)>;

  CharBackend() = default;
  virtual ~CharBackend() = default;
  CharBackend(const CharBackend&) = delete;
  CharBackend& operator=(const CharBackend&) = delete;

  // Guest output. Never blocks indefinitely.
  virtual void write(std::span<const uint8_t> bytes) = 0;

  // The frontend took fewer bytes than offered and may have room now.
  // Thread-safe; the caller must not hold its own lock (a backend may offer
  // input synchronously).
  virtual void input_ready() { flush_input(); }

  // Called on the EventLoop thread when the user asks to leave the VM from
  // the console (Ctrl-A X on stdio). Other backends ignore it.
  virtual void set_quit_handler(std::function<void()> /*quit*/) {}

  // Connects the UART; nullptr disconnects. Queued input is offered on the
  // next input_ready().
  void attach(InputSink sink);

  uint64_t dropped_bytes() const { return dropped_.load(std::memory_order_relaxed); }

 protected:
  // Queues input for the frontend and offers it; returns whether all of it
  // was taken (false: wait for input_ready() before reading more).
  bool queue_input(std::span<const uint8_t> bytes);
  // Offers queued input again; returns whether the queue is now empty.
  bool flush_input();
  size_t queued_input() const;
  void count_dropped(size_t bytes) { dropped_.fetch_add(bytes, std::memory_order_relaxed); }

 private:
  bool flush_locked();

  // Held while the sink runs: the UART never calls back into the backend's
  // input side with its own lock held, so this cannot invert.
  mutable std::mutex input_mutex_;
  InputSink sink_;
  std::vector<uint8_t> queued_;
  size_t queued_pos_ = 0;
  std::atomic<uint64_t> dropped_{0};
};

// What `--serial` names.
struct SerialSpec {
  enum class Kind { kStdio, kFile, kUnix, kNone };
  Kind kind = Kind::kStdio;
  std::string path;  // for kFile and kUnix

  bool operator==(const SerialSpec&) const = default;
};

// "stdio", "file:PATH", "unix:PATH" or "none". Throws ConfigError.
SerialSpec parse_serial_spec(std::string_view text);

// Opens the backend (files and sockets are created now, so a bad path is a
// ConfigError naming it). The backend watches its fds on `loop` and must be
// destroyed after the loop stopped running.
std::unique_ptr<CharBackend> make_char_backend(const SerialSpec& spec, EventLoop& loop);

}  // namespace vmapple
