#pragma once
// The host control socket (`vmapple run --control PATH`, docs/control.md): a
// unix stream socket on the VM's EventLoop through which tests and users
// press the power button, type on the USB keyboard, move the tablet's
// pointer, ask for the VM's status and stop it. The wire format lives in
// control_protocol.h; this is the socket side.
//
// Everything runs on the loop thread: requests of one client run one after
// another (a key's release is a timer on the loop), replies go out in order.
// No client can stall the VMM: sockets are non-blocking, lines and pending
// output are bounded, and a client that breaks the rules is disconnected.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/event_loop.h"
#include "vmm/control_protocol.h"

namespace vmapple {

class VmappleMachine;

// What the server needs from the VM beyond the machine's input devices.
struct ControlHooks {
  // Members of the status reply: "state", "cpus", "uptime_ms", ...
  std::function<nlohmann::json()> status;
  // Stops the VM (after the reply has been sent).
  std::function<void()> quit;
};

class ControlServer {
 public:
  static constexpr size_t kMaxClients = 16;
  // Replies a client has not read yet beyond this: it is disconnected.
  static constexpr size_t kMaxPendingOutput = 64 * 1024;

  // Binds and listens at `path` now. Throws ConfigError ("--control: ...")
  // if the path is unusable or a live VM already listens there; a socket
  // file nobody listens on (a VM that died) is replaced.
  ControlServer(const std::string& path, EventLoop& loop, VmappleMachine& machine,
                ControlHooks hooks);
  // On the loop thread, or once the loop runs no more: closes the clients,
  // cancels pending key releases and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  const std::string& path() const { return path_; }
  size_t client_count() const { return clients_.size(); }

 private:
  struct Client;
  struct KeySequence;

  void on_accept();
  void on_client_event(uint64_t id, uint32_t events);
  void read_from(Client& c);
  void process_lines(Client& c);
  void execute(Client& c, const control::Request& r, const nlohmann::json& id);
  bool run_sequence(uint64_t seq_id);
  void finish_request(uint64_t client_id, const nlohmann::json& request_id);
  void send(Client& c, const std::string& line);
  void flush(Client& c);
  void update_interest(Client& c);
  void maybe_close(Client& c);
  void close_client(uint64_t id);

  std::string path_;
  EventLoop& loop_;
  VmappleMachine& machine_;
  ControlHooks hooks_;
  int listen_fd_ = -1;
  uint64_t socket_dev_ = 0, socket_ino_ = 0;  // our socket file, to remove only ours
  uint64_t next_id_ = 0;
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  std::map<uint64_t, std::unique_ptr<KeySequence>> sequences_;
};

}  // namespace vmapple
