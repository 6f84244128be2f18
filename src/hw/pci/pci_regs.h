#pragma once
// Type-0 configuration header and capability registers, named after the PCI
// Local Bus Specification 3.0 and the PCI Express Base Specification.
#include <cstdint>

namespace vmapple::pci {

inline constexpr unsigned kConfigSize = 4096;  // PCIe extended configuration space
inline constexpr unsigned kHeaderSize = 64;

// Header registers (byte offsets).
inline constexpr unsigned kVendorId = 0x00;
inline constexpr unsigned kDeviceId = 0x02;
inline constexpr unsigned kCommand = 0x04;
inline constexpr unsigned kStatus = 0x06;
inline constexpr unsigned kRevisionId = 0x08;
inline constexpr unsigned kClassCode = 0x09;  // 3 bytes: prog-if, subclass, base class
inline constexpr unsigned kCacheLineSize = 0x0C;
inline constexpr unsigned kLatencyTimer = 0x0D;
inline constexpr unsigned kHeaderType = 0x0E;
inline constexpr unsigned kBar0 = 0x10;
inline constexpr unsigned kNumBars = 6;
inline constexpr unsigned kSubsystemVendorId = 0x2C;
inline constexpr unsigned kSubsystemId = 0x2E;
inline constexpr unsigned kExpansionRom = 0x30;
inline constexpr unsigned kCapabilitiesPointer = 0x34;
inline constexpr unsigned kInterruptLine = 0x3C;
inline constexpr unsigned kInterruptPin = 0x3D;

// Command register.
inline constexpr uint16_t kCommandIoSpace = 1u << 0;
inline constexpr uint16_t kCommandMemorySpace = 1u << 1;
inline constexpr uint16_t kCommandBusMaster = 1u << 2;
inline constexpr uint16_t kCommandParityErrorResponse = 1u << 6;
inline constexpr uint16_t kCommandSerrEnable = 1u << 8;
inline constexpr uint16_t kCommandInterruptDisable = 1u << 10;

// Status register.
inline constexpr uint16_t kStatusInterrupt = 1u << 3;
inline constexpr uint16_t kStatusCapabilitiesList = 1u << 4;
// Error bits, all write-one-to-clear: master data parity error, signaled and
// received target abort, received master abort, signaled system error,
// detected parity error.
inline constexpr uint16_t kStatusErrorBits = 0xF900;

inline constexpr uint8_t kHeaderTypeMultiFunction = 0x80;

// Memory BAR low bits.
inline constexpr uint32_t kBarIo = 1u << 0;
inline constexpr uint32_t kBarMem64 = 2u << 1;
inline constexpr uint32_t kBarPrefetchable = 1u << 3;
inline constexpr uint32_t kBarMemFlagsMask = 0xF;

// Capability IDs.
inline constexpr uint8_t kCapMsi = 0x05;
inline constexpr uint8_t kCapVendor = 0x09;
inline constexpr uint8_t kCapMsix = 0x11;

// Interrupt pins as the Interrupt Pin register encodes them.
enum class IntxPin : uint8_t { kNone = 0, kA = 1, kB = 2, kC = 3, kD = 4 };

}  // namespace vmapple::pci
