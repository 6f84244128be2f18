// Fuzzes the control socket's request parser (host-facing input: whatever a
// client writes to `vmapple run --control PATH`). The input is split into
// lines as the server splits them. Invariants: every line is either a request
// or refused with a one-line reason; every reply is exactly one line of JSON
// with "ok" of the right value and the request's id; key steps alternate
// presses and releases of known keys and leave no key held.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "hw/usb/hid/usb_keyboard.h"
#include "vmm/control_protocol.h"
#include "vmm/linux_keys.h"

namespace {

using nlohmann::json;
using vmapple::fuzz::check;
namespace control = vmapple::control;

void check_reply(const std::string& line, bool ok, const json& id) {
  check(!line.empty() && line.back() == '\n', "reply ends with a newline");
  check(line.find('\n') == line.size() - 1, "reply is one line");
  json reply = json::parse(line, nullptr, false);
  check(reply.is_object(), "reply is a JSON object");
  check(reply["ok"] == ok, "reply's ok");
  if (!id.is_null()) check(reply["id"] == id, "reply echoes the id");
}

void check_keys(const control::Request& r) {
  std::map<uint16_t, int> held;
  for (const auto& step : r.keys) {
    check(vmapple::usb::UsbKeyboard::usage_from_linux_key(step.code) != 0, "key is reportable");
    held[step.code] += step.down ? 1 : -1;
  }
  if (r.command == control::Command::kKey || r.command == control::Command::kType)
    for (const auto& [code, n] : held)
      check(n == 0, "key and type release what they press");
}

void one_line(std::string_view line) {
  control::Parsed p = control::parse_request(line);
  check(p.request.has_value() != !p.error.empty(), "a request or a reason");
  if (!p.request) {
    check(p.error.find('\n') == std::string::npos, "reason is one line");
    check_reply(control::error_reply(p.id, p.error), false, p.id);
    return;
  }
  const control::Request& r = *p.request;
  check(r.x >= 0 && r.x <= 1 && r.y >= 0 && r.y <= 1, "pointer within the screen");
  check(r.buttons <= 31, "button mask");
  check(std::abs(r.vertical) <= control::kMaxWheelSteps, "wheel bound");
  check(std::abs(r.horizontal) <= control::kMaxWheelSteps, "pan bound");
  check_keys(r);
  check_reply(control::ok_reply(p.id, json{{"state", "running"}}), true, p.id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    one_line(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  // Key names straight from the input, too.
  if (auto code = vmapple::linux_key_from_name(
          std::string_view(reinterpret_cast<const char*>(data), size < 40 ? size : 40)))
    check(!vmapple::linux_key_name(*code).empty(), "a found name has a code with a name");
  return 0;
}
