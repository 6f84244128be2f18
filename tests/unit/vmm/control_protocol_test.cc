// The control socket's request parser and replies (docs/control.md), and the
// key names and US layout behind "key" and "type".
#include "vmm/control_protocol.h"

#include <gtest/gtest.h>

#include <string>

#include "hw/usb/hid/usb_keyboard.h"
#include "vmm/linux_keys.h"

namespace vmapple::control {
namespace {

using nlohmann::json;

Request ok(std::string_view line) {
  Parsed p = parse_request(line);
  EXPECT_TRUE(p.request) << line << " -> " << p.error;
  EXPECT_EQ(p.error, "");
  return p.request.value_or(Request{});
}

std::string refused(std::string_view line) {
  Parsed p = parse_request(line);
  EXPECT_FALSE(p.request) << line;
  EXPECT_NE(p.error, "") << line;
  EXPECT_EQ(p.error.find('\n'), std::string::npos);
  return p.error;
}

TEST(ControlProtocol, EveryCommandParses) {
  EXPECT_EQ(ok(R"({"command":"power-button"})").command, Command::kPowerButton);
  EXPECT_EQ(ok(R"({"command":"status"})").command, Command::kStatus);
  EXPECT_EQ(ok(R"({"command":"quit"})").command, Command::kQuit);

  Request key = ok(R"({"command":"key","key":"KEY_A"})");
  EXPECT_EQ(key.command, Command::kKey);
  ASSERT_EQ(key.keys.size(), 2u);
  EXPECT_EQ(key.keys[0], (KeyStep{30, true, kKeyHoldMs}));
  EXPECT_EQ(key.keys[1], (KeyStep{30, false, 0}));

  Request down = ok(R"({"command":"key-down","key":"KEY_LEFTSHIFT"})");
  EXPECT_EQ(down.command, Command::kKeyDown);
  EXPECT_EQ(down.keys, (std::vector<KeyStep>{{42, true, 0}}));
  Request up = ok(R"({"command":"key-up","key":"KEY_LEFTSHIFT"})");
  EXPECT_EQ(up.command, Command::kKeyUp);
  EXPECT_EQ(up.keys, (std::vector<KeyStep>{{42, false, 0}}));

  Request type = ok(R"({"command":"type","text":"a\n"})");
  EXPECT_EQ(type.command, Command::kType);
  EXPECT_EQ(type.keys, (std::vector<KeyStep>{{30, true, kKeyHoldMs},
                                             {30, false, kTypeGapMs},
                                             {28, true, kKeyHoldMs},
                                             {28, false, 0}}));

  Request pointer = ok(R"({"command":"pointer","x":0.25,"y":1})");
  EXPECT_EQ(pointer.command, Command::kPointer);
  EXPECT_DOUBLE_EQ(pointer.x, 0.25);
  EXPECT_DOUBLE_EQ(pointer.y, 1.0);

  Request buttons = ok(R"({"command":"buttons","mask":5})");
  EXPECT_EQ(buttons.command, Command::kButtons);
  EXPECT_EQ(buttons.buttons, 5);

  Request wheel = ok(R"({"command":"wheel","vertical":-3})");
  EXPECT_EQ(wheel.command, Command::kWheel);
  EXPECT_EQ(wheel.vertical, -3);
  EXPECT_EQ(wheel.horizontal, 0);
  Request pan = ok(R"({"command":"wheel","horizontal":1000,"vertical":0})");
  EXPECT_EQ(pan.horizontal, 1000);
}

TEST(ControlProtocol, IdIsKeptForBothReplies) {
  Parsed good = parse_request(R"({"id":[1,"x"],"command":"status"})");
  EXPECT_EQ(good.id, json::parse(R"([1,"x"])"));
  EXPECT_EQ(ok_reply(good.id), "{\"id\":[1,\"x\"],\"ok\":true}\n");
  Parsed bad = parse_request(R"({"id":7,"command":"fly"})");
  EXPECT_EQ(bad.id, 7);
  json reply = json::parse(error_reply(bad.id, bad.error));
  EXPECT_EQ(reply["ok"], false);
  EXPECT_EQ(reply["id"], 7);
  EXPECT_EQ(reply["error"], bad.error);
}

TEST(ControlProtocol, RepliesAreOneLineOfJson) {
  EXPECT_EQ(ok_reply(nullptr), "{\"ok\":true}\n");
  EXPECT_EQ(ok_reply(nullptr, json{{"cpus", 2}}), "{\"cpus\":2,\"ok\":true}\n");
  std::string err = error_reply(nullptr, "line one \"quoted\"\nline two");
  EXPECT_EQ(err.find('\n'), err.size() - 1);
  EXPECT_EQ(json::parse(err)["error"], "line one \"quoted\"\nline two");
  // Bytes that are not UTF-8 never make a reply fail.
  std::string odd = error_reply(nullptr, std::string("bad \xff byte"));
  EXPECT_TRUE(json::parse(odd)["error"].is_string());
}

TEST(ControlProtocol, NotJsonOrNotAnObjectIsRefused) {
  for (std::string_view line :
       {"", "hello", "{", "{\"command\":", "{\"command\":\"status\"} trailing", "\xff\xfe",
        "{\"command\":\"st\xff\"}", "{\"x\":1e400}"})
    EXPECT_EQ(refused(line), "not valid JSON") << line;
  for (std::string_view line : {"[1,2]", "\"status\"", "42", "null"})
    EXPECT_EQ(refused(line), "not a JSON object") << line;
}

TEST(ControlProtocol, CommandMustBeAKnownString) {
  EXPECT_EQ(refused(R"({})"), "missing \"command\"");
  EXPECT_EQ(refused(R"({"command":3})"), "\"command\" must be a string");
  EXPECT_NE(refused(R"({"command":"reboot"})").find("unknown command 'reboot'"), std::string::npos);
  EXPECT_NE(refused(R"({"command":"STATUS"})").find("unknown command"), std::string::npos);
}

TEST(ControlProtocol, ReasonsShowUserTextOnOneLineAndShort) {
  // Found by control_fuzz: a command name with an escaped newline.
  std::string r = refused(R"({"command":"quit\nnow"})");
  EXPECT_EQ(r.find('\n'), std::string::npos);
  EXPECT_NE(r.find("'quit\\x0anow'"), std::string::npos) << r;
  EXPECT_EQ(refused(R"({"command":"key","key":"A\u0000"})").find('\0'), std::string::npos);
  std::string member = refused(R"({"command":"status","a\tb":1})");
  EXPECT_EQ(member, "'status' takes no member \"a\\x09b\"");
  std::string long_name = refused(R"({"command":")" + std::string(1000, 'z') + "\"}");
  EXPECT_LT(long_name.size(), 200u);
  EXPECT_NE(long_name.find(std::string(64, 'z') + "..."), std::string::npos);
}

TEST(ControlProtocol, UnknownMembersAreRefused) {
  EXPECT_EQ(refused(R"({"command":"status","verbose":true})"),
            "'status' takes no member \"verbose\"");
  EXPECT_EQ(refused(R"({"command":"key","key":"KEY_A","hold":5})"),
            "'key' takes no member \"hold\"");
  EXPECT_EQ(refused(R"({"command":"power-button","x":1})"), "'power-button' takes no member \"x\"");
}

TEST(ControlProtocol, BadKeysAreRefused) {
  EXPECT_EQ(refused(R"({"command":"key"})"), "missing \"key\"");
  EXPECT_NE(refused(R"({"command":"key","key":30})").find("must be a string"), std::string::npos);
  EXPECT_NE(refused(R"({"command":"key","key":"KEY_NOPE"})").find("unknown key 'KEY_NOPE'"),
            std::string::npos);
  EXPECT_NE(refused(R"({"command":"key-down","key":""})").find("unknown key"), std::string::npos);
  EXPECT_NE(refused(R"({"command":"key-up","key":"KEY_"})").find("unknown key"), std::string::npos);
  std::string long_name(200, 'A');
  EXPECT_NE(refused(R"({"command":"key","key":")" + long_name + "\"}").find("unknown key"),
            std::string::npos);
}

TEST(ControlProtocol, BadTextIsRefusedBeforeAnythingIsTyped) {
  EXPECT_EQ(refused(R"({"command":"type"})"), "missing \"text\"");
  EXPECT_EQ(refused(R"({"command":"type","text":["a"]})"), "\"text\" must be a string");
  EXPECT_EQ(refused(R"({"command":"type","text":""})"), "\"text\" is empty");
  EXPECT_NE(refused(R"({"command":"type","text":"ab\u0007"})").find("character 3"),
            std::string::npos);
  EXPECT_NE(refused(R"({"command":"type","text":"caf\u00e9"})").find("character 4 "),
            std::string::npos);
  EXPECT_NE(refused(R"({"command":"type","text":"a\rb"})").find("0x0d"), std::string::npos);
}

TEST(ControlProtocol, BadPointerButtonsAndWheelAreRefused) {
  EXPECT_EQ(refused(R"({"command":"pointer","x":0.5})"), "missing \"y\"");
  for (std::string_view bad : {"-0.1", "1.5", "\"0.5\"", "null", "true", "1e300"})
    EXPECT_EQ(refused(std::string(R"({"command":"pointer","y":0.5,"x":)") + std::string(bad) + "}"),
              "\"x\" must be a number from 0 to 1")
        << bad;
  EXPECT_EQ(refused(R"({"command":"buttons"})"), "missing \"mask\"");
  for (std::string_view bad : {"32", "-1", "1.5", "\"1\"", "18446744073709551615"})
    EXPECT_EQ(refused(std::string(R"({"command":"buttons","mask":)") + std::string(bad) + "}"),
              "\"mask\" must be an integer from 0 to 31")
        << bad;
  EXPECT_EQ(refused(R"({"command":"wheel"})"), "'wheel' needs \"vertical\" or \"horizontal\"");
  for (std::string_view bad : {"1001", "-1001", "0.5", "\"3\"", "-9223372036854775808"})
    EXPECT_EQ(refused(std::string(R"({"command":"wheel","vertical":)") + std::string(bad) + "}"),
              "\"vertical\" must be an integer from -1000 to 1000")
        << bad;
}

TEST(ControlProtocol, OversizedLinesAreRefused) {
  std::string line = R"({"command":"type","text":")" + std::string(kMaxRequestBytes, 'a') + "\"}";
  EXPECT_EQ(refused(line), "request longer than 4095 bytes");
  // Just below the limit (4095 bytes + the newline) is fine.
  std::string fits = R"({"command":"status","id":")";
  fits += std::string(kMaxRequestBytes - 1 - fits.size() - 2, 'x') + "\"}";
  ASSERT_EQ(fits.size(), kMaxRequestBytes - 1);
  ok(fits);
}

TEST(ControlProtocol, DeepNestingIsRefusedWithoutBuildingIt) {
  auto nested = [](int depth) {
    return R"({"command":"status","id":)" + std::string(depth - 1, '[') +
           std::string(depth - 1, ']') + "}";
  };
  ok(nested(kMaxJsonDepth));  // the object is level 1, the id's arrays 2..16
  // Scalars inside the deepest container do not count as a level.
  ok(R"({"command":"status","id":)" + std::string(14, '[') + R"(1,{"a":"b"})" +
     std::string(14, ']') + "}");
  EXPECT_EQ(refused(nested(kMaxJsonDepth + 1)), "JSON nested deeper than 16 levels");
  // Deep enough to overflow a recursive copy under ASan if it were built.
  EXPECT_EQ(refused(nested(2000)), "JSON nested deeper than 16 levels");
  EXPECT_EQ(refused(std::string(4000, '[')), "not valid JSON");
  EXPECT_EQ(refused(std::string(2000, '[') + std::string(2000, ']')),
            "JSON nested deeper than 16 levels");
}

TEST(ControlProtocol, TypeHoldsShiftAroundUpperCaseAndSymbols) {
  std::string error;
  auto steps = type_steps("A!", &error);
  ASSERT_TRUE(steps) << error;
  EXPECT_EQ(*steps, (std::vector<KeyStep>{{42, true, 0},
                                          {30, true, kKeyHoldMs},
                                          {30, false, 0},
                                          {42, false, kTypeGapMs},
                                          {42, true, 0},
                                          {2, true, kKeyHoldMs},
                                          {2, false, 0},
                                          {42, false, 0}}));
}

TEST(LinuxKeys, NamesMatchTheLinuxCodes) {
  EXPECT_EQ(linux_key_from_name("KEY_ESC"), 1);
  EXPECT_EQ(linux_key_from_name("KEY_A"), 30);
  EXPECT_EQ(linux_key_from_name("key_a"), 30);
  EXPECT_EQ(linux_key_from_name("a"), 30);
  EXPECT_EQ(linux_key_from_name("KEY_ENTER"), 28);
  EXPECT_EQ(linux_key_from_name("KEY_POWER"), 116);
  EXPECT_EQ(linux_key_from_name("KEY_F24"), 194);
  EXPECT_EQ(linux_key_from_name("KEY_102ND"), 86);
  EXPECT_EQ(linux_key_from_name("KEY_LEFTMETA"), 125);
  EXPECT_EQ(linux_key_from_name("KEY_BTN_LEFT"), std::nullopt);
  EXPECT_EQ(linux_key_from_name("KEY_A "), std::nullopt);
  EXPECT_EQ(linux_key_name(28), "KEY_ENTER");
  EXPECT_EQ(linux_key_name(84), "");
}

TEST(LinuxKeys, EveryNamedKeyIsOneTheKeyboardReports) {
  unsigned named = 0;
  for (uint16_t code = 0; code < 256; ++code) {
    std::string_view name = linux_key_name(code);
    if (name.empty()) continue;
    ++named;
    EXPECT_EQ(linux_key_from_name(name), code) << name;
    EXPECT_NE(usb::UsbKeyboard::usage_from_linux_key(code), 0) << name;
  }
  EXPECT_GE(named, 140u);
}

TEST(LinuxKeys, UsLayoutCoversPrintableAscii) {
  for (int c = 0x20; c < 0x7f; ++c) {
    auto key = us_layout_key(static_cast<char>(c));
    ASSERT_TRUE(key) << c;
    EXPECT_NE(usb::UsbKeyboard::usage_from_linux_key(key->code), 0) << c;
  }
  EXPECT_EQ(us_layout_key('q')->code, 16);
  EXPECT_FALSE(us_layout_key('q')->shift);
  EXPECT_TRUE(us_layout_key('Q')->shift);
  EXPECT_EQ(us_layout_key('?')->code, 53);  // KEY_SLASH
  EXPECT_TRUE(us_layout_key('?')->shift);
  EXPECT_EQ(us_layout_key('\'')->code, 40);  // KEY_APOSTROPHE
  EXPECT_FALSE(us_layout_key('\'')->shift);
  EXPECT_EQ(us_layout_key('\n')->code, 28);
  EXPECT_EQ(us_layout_key('\t')->code, 15);
  EXPECT_FALSE(us_layout_key('\r'));
  EXPECT_FALSE(us_layout_key('\x7f'));
  EXPECT_FALSE(us_layout_key('\0'));
  EXPECT_FALSE(us_layout_key('\xc3'));
}

}  // namespace
}  // namespace vmapple::control
