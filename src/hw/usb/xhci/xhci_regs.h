#pragma once
// XHCI register file (BAR 0), named after the xHCI 1.2 specification
// (chapter 5) with the layout and capability values of vmapple spec 8.2.
#include <cstdint>

namespace vmapple::usb::xhci {

// ---- Layout of BAR 0 ----
inline constexpr uint64_t kBarSize = 0x4000;
inline constexpr uint64_t kCapBase = 0x0000;
inline constexpr uint64_t kOpBase = 0x0040;  // == CAPLENGTH
inline constexpr uint64_t kPortBase = 0x0440;
inline constexpr uint64_t kPortStride = 0x10;
inline constexpr uint64_t kRuntimeBase = 0x1000;
inline constexpr uint64_t kInterrupterBase = 0x1020;
inline constexpr uint64_t kInterrupterStride = 0x20;
inline constexpr uint64_t kDoorbellBase = 0x2000;
inline constexpr uint64_t kMsixTable = 0x3000;
inline constexpr uint64_t kMsixPba = 0x3800;

inline constexpr unsigned kMaxSlots = 64;
inline constexpr unsigned kMaxInterrupters = 16;
inline constexpr unsigned kNumPorts = 8;
inline constexpr unsigned kFirstUsb3Port = 1;  // ports 1-4 SuperSpeed
inline constexpr unsigned kFirstUsb2Port = 5;  // ports 5-8 USB 2

// ---- Capability registers (5.3) ----
inline constexpr unsigned kCapLength = 0x00;  // CAPLENGTH | HCIVERSION << 16
inline constexpr unsigned kHcsParams1 = 0x04;
inline constexpr unsigned kHcsParams2 = 0x08;
inline constexpr unsigned kHcsParams3 = 0x0C;
inline constexpr unsigned kHccParams1 = 0x10;
inline constexpr unsigned kDbOff = 0x14;
inline constexpr unsigned kRtsOff = 0x18;
inline constexpr unsigned kHccParams2 = 0x1C;
inline constexpr unsigned kExtCapBase = 0x20;
inline constexpr unsigned kExtCapEnd = 0x40;

inline constexpr uint32_t kCapLengthValue = 0x0100'0040;
inline constexpr uint32_t kHcsParams2Value = 0x0000'000F;
inline constexpr uint32_t kHccParams1Value = 0x0008'7001;
// Supported Protocol capabilities (7.2), four dwords each.
inline constexpr uint32_t kExtCaps[8] = {
    0x0200'0402, 0x2042'5355, 0x0000'0405, 0,  // USB 2.0, ports 5-8
    0x0300'0002, 0x2042'5355, 0x0000'0401, 0,  // USB 3.0, ports 1-4, last
};

inline constexpr uint32_t hcsparams1(unsigned interrupters) {
  return uint32_t{kNumPorts} << 24 | uint32_t{interrupters} << 8 | kMaxSlots;
}

// ---- Operational registers (5.4), relative to kOpBase ----
inline constexpr unsigned kUsbCmd = 0x00;
inline constexpr unsigned kUsbSts = 0x04;
inline constexpr unsigned kPageSize = 0x08;
inline constexpr unsigned kDnCtrl = 0x14;
inline constexpr unsigned kCrcr = 0x18;
inline constexpr unsigned kCrcrHigh = 0x1C;
inline constexpr unsigned kDcbaap = 0x30;
inline constexpr unsigned kDcbaapHigh = 0x34;
inline constexpr unsigned kConfig = 0x38;

// USBCMD
inline constexpr uint32_t kCmdRs = 1u << 0;
inline constexpr uint32_t kCmdHcrst = 1u << 1;
inline constexpr uint32_t kCmdInte = 1u << 2;
inline constexpr uint32_t kCmdHsee = 1u << 3;
inline constexpr uint32_t kCmdLhcrst = 1u << 7;
inline constexpr uint32_t kCmdCss = 1u << 8;
inline constexpr uint32_t kCmdCrs = 1u << 9;
inline constexpr uint32_t kCmdEwe = 1u << 10;
inline constexpr uint32_t kCmdEu3s = 1u << 11;
// The bits USBCMD keeps (spec 8.2).
inline constexpr uint32_t kCmdStored =
    kCmdRs | kCmdHcrst | kCmdInte | kCmdHsee | kCmdEwe | kCmdEu3s;

// USBSTS
inline constexpr uint32_t kStsHch = 1u << 0;
inline constexpr uint32_t kStsHse = 1u << 2;
inline constexpr uint32_t kStsEint = 1u << 3;
inline constexpr uint32_t kStsPcd = 1u << 4;
inline constexpr uint32_t kStsSss = 1u << 8;
inline constexpr uint32_t kStsRss = 1u << 9;
inline constexpr uint32_t kStsSre = 1u << 10;
inline constexpr uint32_t kStsCnr = 1u << 11;
inline constexpr uint32_t kStsHce = 1u << 12;
inline constexpr uint32_t kStsWriteOneToClear = kStsHse | kStsEint | kStsPcd | kStsSre;

// CRCR
inline constexpr uint64_t kCrcrRcs = 1u << 0;
inline constexpr uint64_t kCrcrCs = 1u << 1;
inline constexpr uint64_t kCrcrCa = 1u << 2;
inline constexpr uint64_t kCrcrCrr = 1u << 3;
inline constexpr uint64_t kCrcrPointerMask = ~uint64_t{0x3F};

inline constexpr uint64_t kDcbaapMask = ~uint64_t{0x3F};
inline constexpr uint32_t kConfigMask = 0xFF;  // MaxSlotsEn (xHCI 1.0)
inline constexpr uint32_t kDnCtrlMask = 0xFFFF;

// ---- Port register set (5.4.8 - 5.4.11), relative to the port's base ----
inline constexpr unsigned kPortSc = 0x0;
inline constexpr unsigned kPortPmsc = 0x4;
inline constexpr unsigned kPortLi = 0x8;
inline constexpr unsigned kPortHlpmc = 0xC;

inline constexpr uint32_t kPortCcs = 1u << 0;
inline constexpr uint32_t kPortPed = 1u << 1;
inline constexpr uint32_t kPortOca = 1u << 3;
inline constexpr uint32_t kPortPr = 1u << 4;
inline constexpr unsigned kPortPlsShift = 5;
inline constexpr uint32_t kPortPlsMask = 0xFu << kPortPlsShift;
inline constexpr uint32_t kPortPp = 1u << 9;
inline constexpr unsigned kPortSpeedShift = 10;
inline constexpr uint32_t kPortSpeedMask = 0xFu << kPortSpeedShift;
inline constexpr uint32_t kPortPicMask = 3u << 14;
inline constexpr uint32_t kPortLws = 1u << 16;
inline constexpr uint32_t kPortCsc = 1u << 17;
inline constexpr uint32_t kPortPec = 1u << 18;
inline constexpr uint32_t kPortWrc = 1u << 19;
inline constexpr uint32_t kPortOcc = 1u << 20;
inline constexpr uint32_t kPortPrc = 1u << 21;
inline constexpr uint32_t kPortPlc = 1u << 22;
inline constexpr uint32_t kPortCec = 1u << 23;
inline constexpr uint32_t kPortCas = 1u << 24;
inline constexpr uint32_t kPortWce = 1u << 25;
inline constexpr uint32_t kPortWde = 1u << 26;
inline constexpr uint32_t kPortWoe = 1u << 27;
inline constexpr uint32_t kPortDr = 1u << 30;
inline constexpr uint32_t kPortWpr = 1u << 31;
inline constexpr uint32_t kPortChangeBits =
    kPortCsc | kPortPec | kPortWrc | kPortOcc | kPortPrc | kPortPlc | kPortCec;
inline constexpr uint32_t kPortWritable = kPortPp | kPortPicMask | kPortWce | kPortWde | kPortWoe;

// Port Link State values.
inline constexpr uint32_t kPlsU0 = 0;
inline constexpr uint32_t kPlsU3 = 3;
inline constexpr uint32_t kPlsDisabled = 4;
inline constexpr uint32_t kPlsRxDetect = 5;
inline constexpr uint32_t kPlsPolling = 7;
inline constexpr uint32_t kPlsResume = 15;

// Protocol Speed IDs (default mapping, 7.2.2.1.1).
inline constexpr uint32_t kSpeedFull = 1;
inline constexpr uint32_t kSpeedLow = 2;
inline constexpr uint32_t kSpeedHigh = 3;
inline constexpr uint32_t kSpeedSuper = 4;

inline constexpr uint32_t kPortPmscUsb3Mask = 0x0001'FFFF;  // U1/U2 timeouts, FLA
inline constexpr uint32_t kPortPmscUsb2Mask = 0xF001'FFF8;  // RWE, BESL, L1 slot, HLE, PTC

// ---- Runtime registers (5.5) ----
inline constexpr unsigned kMfindex = 0x00;  // relative to kRuntimeBase
inline constexpr uint32_t kMfindexMask = 0x3FFF;
inline constexpr uint64_t kMicroframeNs = 125'000;
inline constexpr uint64_t kMfindexWrapNs = kMicroframeNs * (kMfindexMask + 1);  // 2.048 s

// Interrupter register set, relative to its base.
inline constexpr unsigned kIman = 0x00;
inline constexpr unsigned kImod = 0x04;
inline constexpr unsigned kErstsz = 0x08;
inline constexpr unsigned kErstba = 0x10;
inline constexpr unsigned kErstbaHigh = 0x14;
inline constexpr unsigned kErdp = 0x18;
inline constexpr unsigned kErdpHigh = 0x1C;

inline constexpr uint32_t kImanIp = 1u << 0;
inline constexpr uint32_t kImanIe = 1u << 1;
inline constexpr uint64_t kImodIntervalNs = 250;
inline constexpr uint64_t kErdpDesiMask = 0x7;
inline constexpr uint64_t kErdpEhb = 1u << 3;
inline constexpr uint64_t kErdpPointerMask = ~uint64_t{0xF};
inline constexpr uint64_t kErstbaMask = ~uint64_t{0x3F};
inline constexpr uint32_t kErstszMask = 0xFFFF;
// Event ring segment sizes the controller accepts (spec 8.2).
inline constexpr uint32_t kMinSegmentTrbs = 16;
inline constexpr uint32_t kMaxSegmentTrbs = 4096;

// ---- Doorbells (5.6) ----
inline constexpr uint32_t kDbTargetMask = 0xFF;
inline constexpr unsigned kDbStreamShift = 16;

}  // namespace vmapple::usb::xhci
