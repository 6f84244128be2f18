#include "vmm/control_protocol.h"

#include <cmath>
#include <initializer_list>

#include <fmt/format.h>

#include "vmm/linux_keys.h"

namespace vmapple::control {
namespace {

using nlohmann::json;

struct CommandInfo {
  std::string_view name;
  Command command;
  std::initializer_list<std::string_view> members;  // besides "command" and "id"
};

const CommandInfo kCommands[] = {
    {"power-button", Command::kPowerButton, {}},
    {"key", Command::kKey, {"key"}},
    {"key-down", Command::kKeyDown, {"key"}},
    {"key-up", Command::kKeyUp, {"key"}},
    {"type", Command::kType, {"text"}},
    {"pointer", Command::kPointer, {"x", "y"}},
    {"buttons", Command::kButtons, {"mask"}},
    {"wheel", Command::kWheel, {"vertical", "horizontal"}},
    {"status", Command::kStatus, {}},
    {"quit", Command::kQuit, {}},
};

// Thrown inside the parser only; parse_request() turns it into an error reply.
struct Refused {
  std::string message;
};

// User text inside a reason: control characters escaped (a reason is one
// line) and cut short (a reason is not an echo of the request).
std::string shown(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += text[i];
  }
  if (text.size() > kMaxShown) out += "...";
  return out;
}

const CommandInfo& find_command(const json& request) {
  auto it = request.find("command");
  if (it == request.end()) throw Refused{"missing \"command\""};
  if (!it->is_string()) throw Refused{"\"command\" must be a string"};
  const std::string& name = it->get_ref<const std::string&>();
  for (const CommandInfo& c : kCommands)
    if (c.name == name) return c;
  throw Refused{
      fmt::format("unknown command '{}' (use power-button, key, key-down, key-up, type, "
                  "pointer, buttons, wheel, status or quit)",
                  shown(name))};
}

void check_members(const json& request, const CommandInfo& info) {
  for (const auto& [member, value] : request.items()) {
    if (member == "command" || member == "id") continue;
    bool known = false;
    for (std::string_view m : info.members)
      known = known || m == member;
    if (!known) throw Refused{fmt::format("'{}' takes no member \"{}\"", info.name, shown(member))};
  }
}

const json& member(const json& request, std::string_view name) {
  auto it = request.find(name);
  if (it == request.end()) throw Refused{fmt::format("missing \"{}\"", name)};
  return *it;
}

uint16_t key_code(const json& request) {
  const json& key = member(request, "key");
  if (!key.is_string()) throw Refused{"\"key\" must be a string such as \"KEY_A\""};
  const std::string& name = key.get_ref<const std::string&>();
  auto code = linux_key_from_name(name);
  if (!code)
    throw Refused{fmt::format("unknown key '{}' (use Linux names such as KEY_A)", shown(name))};
  return *code;
}

double fraction(const json& request, std::string_view name) {
  const json& v = member(request, name);
  if (!v.is_number()) throw Refused{fmt::format("\"{}\" must be a number from 0 to 1", name)};
  double d = v.get<double>();
  if (!std::isfinite(d) || d < 0.0 || d > 1.0)
    throw Refused{fmt::format("\"{}\" must be a number from 0 to 1", name)};
  return d;
}

// An integer member within [lo, hi]; `fallback` when absent.
int64_t integer(const json& request, std::string_view name, int64_t lo, int64_t hi,
                std::optional<int64_t> fallback = std::nullopt) {
  auto it = request.find(name);
  if (it == request.end()) {
    if (fallback) return *fallback;
    throw Refused{fmt::format("missing \"{}\"", name)};
  }
  bool in_range = false;
  int64_t n = 0;
  if (it->is_number_unsigned()) {
    uint64_t u = it->get<uint64_t>();
    in_range = u <= static_cast<uint64_t>(hi);
    n = static_cast<int64_t>(in_range ? u : 0);
  } else if (it->is_number_integer()) {
    n = it->get<int64_t>();
    in_range = n >= lo && n <= hi;
  }
  if (!in_range)
    throw Refused{fmt::format("\"{}\" must be an integer from {} to {}", name, lo, hi)};
  return n;
}

Request build(const json& j, const CommandInfo& info) {
  Request r;
  r.command = info.command;
  switch (info.command) {
    case Command::kKey: {
      uint16_t code = key_code(j);
      r.keys = {{code, true, kKeyHoldMs}, {code, false, 0}};
      break;
    }
    case Command::kKeyDown:
      r.keys = {{key_code(j), true, 0}};
      break;
    case Command::kKeyUp:
      r.keys = {{key_code(j), false, 0}};
      break;
    case Command::kType: {
      const json& text = member(j, "text");
      if (!text.is_string()) throw Refused{"\"text\" must be a string"};
      std::string error;
      auto steps = type_steps(text.get_ref<const std::string&>(), &error);
      if (!steps) throw Refused{error};
      r.keys = std::move(*steps);
      break;
    }
    case Command::kPointer:
      r.x = fraction(j, "x");
      r.y = fraction(j, "y");
      break;
    case Command::kButtons:
      r.buttons = static_cast<uint8_t>(integer(j, "mask", 0, 31));
      break;
    case Command::kWheel:
      if (!j.contains("vertical") && !j.contains("horizontal"))
        throw Refused{"'wheel' needs \"vertical\" or \"horizontal\""};
      r.vertical = static_cast<int>(integer(j, "vertical", -kMaxWheelSteps, kMaxWheelSteps, 0));
      r.horizontal = static_cast<int>(integer(j, "horizontal", -kMaxWheelSteps, kMaxWheelSteps, 0));
      break;
    case Command::kPowerButton:
    case Command::kStatus:
    case Command::kQuit:
      break;
  }
  return r;
}

std::string line_of(const json& reply) {
  // Replace, not throw, on bytes that are not UTF-8 (they cannot come from
  // a parsed request, but the reply must never fail).
  return reply.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::optional<std::vector<KeyStep>> type_steps(std::string_view text, std::string* error) {
  std::vector<KeyStep> steps;
  if (text.empty()) {
    *error = "\"text\" is empty";
    return std::nullopt;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    auto key = us_layout_key(text[i]);
    if (!key) {
      auto byte = static_cast<unsigned char>(text[i]);
      *error = fmt::format(
          "character {} of \"text\" ({:#04x}) cannot be typed on a US keyboard (printable ASCII, "
          "\\n and \\t only)",
          i + 1, byte);
      return std::nullopt;
    }
    if (key->shift) steps.push_back({kLinuxKeyLeftShift, true, 0});
    steps.push_back({key->code, true, kKeyHoldMs});
    steps.push_back({key->code, false, key->shift ? 0 : kTypeGapMs});
    if (key->shift) steps.push_back({kLinuxKeyLeftShift, false, kTypeGapMs});
  }
  steps.back().pause_ms = 0;  // nothing follows the last character
  return steps;
}

Parsed parse_request(std::string_view line) {
  Parsed p;
  if (line.size() >= kMaxRequestBytes) {
    p.error = fmt::format("request longer than {} bytes", kMaxRequestBytes - 1);
    return p;
  }
  // The parser itself is iterative; the callback drops anything nested too
  // deeply so that no deep tree is ever built.
  bool too_deep = false;
  // `depth` counts the containers around the one that starts.
  auto bound_depth = [&too_deep](int depth, json::parse_event_t event, json&) {
    bool opens =
        event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  json j = json::parse(line, bound_depth, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    p.error = "not valid JSON";
    return p;
  }
  if (too_deep) {
    p.error = fmt::format("JSON nested deeper than {} levels", kMaxJsonDepth);
    return p;
  }
  if (!j.is_object()) {
    p.error = "not a JSON object";
    return p;
  }
  if (auto it = j.find("id"); it != j.end()) p.id = *it;
  try {
    const CommandInfo& info = find_command(j);
    check_members(j, info);
    p.request = build(j, info);
  } catch (const Refused& r) {
    p.error = r.message;
  }
  return p;
}

std::string ok_reply(const nlohmann::json& id, const nlohmann::json& fields) {
  json reply = {{"ok", true}};
  if (fields.is_object()) reply.update(fields);
  if (!id.is_null()) reply["id"] = id;
  return line_of(reply);
}

std::string error_reply(const nlohmann::json& id, std::string_view message) {
  json reply = {{"ok", false}, {"error", message}};
  if (!id.is_null()) reply["id"] = id;
  return line_of(reply);
}

std::string_view command_name(Command c) {
  for (const CommandInfo& info : kCommands)
    if (info.command == c) return info.name;
  return "?";
}

}  // namespace vmapple::control
