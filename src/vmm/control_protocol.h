#pragma once
// The control socket's protocol (docs/control.md), apart from any socket:
// one JSON object per request line, one JSON object per reply line. The
// parser checks everything a request says, so the server only executes
// well-formed requests.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmapple::control {

// The longest request line, its newline included.
inline constexpr size_t kMaxRequestBytes = 4096;
// The deepest JSON nesting a request may use. Copying and printing a JSON
// tree recurse once per level, so a line of 2000 '[' would otherwise be a
// client-controlled stack depth.
inline constexpr int kMaxJsonDepth = 16;
// How long "key" and "type" hold a key down, and the pause after a typed
// character: long enough for the guest's HID driver to poll both reports,
// short enough to stay below any autorepeat delay.
inline constexpr uint32_t kKeyHoldMs = 30;
inline constexpr uint32_t kTypeGapMs = 20;
// The bounds of a wheel request, in detents.
inline constexpr int kMaxWheelSteps = 1000;

enum class Command {
  kPowerButton,
  kKey,
  kKeyDown,
  kKeyUp,
  kType,
  kPointer,
  kButtons,
  kWheel,
  kStatus,
  kQuit,
};

// One keyboard event of a key, key-down, key-up or type request, then a
// pause before the next one.
struct KeyStep {
  uint16_t code = 0;  // Linux KEY_* code
  bool down = false;
  uint32_t pause_ms = 0;
  bool operator==(const KeyStep&) const = default;
};

struct Request {
  Command command = Command::kStatus;
  std::vector<KeyStep> keys;         // key, key-down, key-up, type
  double x = 0, y = 0;               // pointer, 0..1
  uint8_t buttons = 0;               // buttons
  int vertical = 0, horizontal = 0;  // wheel
};

// A parsed line: the request, or the one-line reason it was refused. The
// request's "id", if any, is kept for either reply.
struct Parsed {
  std::optional<Request> request;
  std::string error;
  nlohmann::json id;  // null when the request had none
};

// `line` without its newline.
Parsed parse_request(std::string_view line);

// The key steps that type `text` on a US layout, or the reason it cannot.
std::optional<std::vector<KeyStep>> type_steps(std::string_view text, std::string* error);

// Reply lines, newline included. `fields` (an object) adds members to an ok reply.
std::string ok_reply(const nlohmann::json& id, const nlohmann::json& fields = nullptr);
std::string error_reply(const nlohmann::json& id, std::string_view message);

std::string_view command_name(Command c);

}  // namespace vmapple::control
