#pragma once
// `--serial unix:PATH`: a listening Unix stream socket (e.g. `socat -
// UNIX-CONNECT:PATH`). One client at a time: a second one is told the console
// is busy and closed. The client's bytes go to the UART, read only as fast as
// the guest takes them; guest output goes to the client. Output while no
// client is connected is dropped, and so is output the client does not take
// in time (the socket is non-blocking so a stuck client cannot stall a vCPU);
// both are counted in dropped_bytes(). A client may come and go at will. A
// stale socket file at PATH is replaced; the file is removed on destruction.
#include <memory>
#include <mutex>
#include <string>

#include "hw/char/char_backend.h"

namespace vmapple {

class EventLoop;

class UnixSocketBackend final : public CharBackend {
 public:
  // Throws ConfigError naming the path when the socket cannot be created.
  UnixSocketBackend(const std::string& path, EventLoop& loop);
  ~UnixSocketBackend() override;

  void write(std::span<const uint8_t> bytes) override;
  void input_ready() override;

  bool has_client() const;

 private:
  void on_accept();
  void on_client_readable();
  void watch_client();
  void disconnect();

  const std::string path_;
  EventLoop& loop_;
  int listen_fd_ = -1;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted calls check it

  // Loop thread only.
  bool watching_client_ = false;
  bool paused_ = false;

  // client_fd_ changes on the loop thread and is used by write() on vCPU
  // threads: both under out_mutex_.
  mutable std::mutex out_mutex_;
  int client_fd_ = -1;
};

}  // namespace vmapple
