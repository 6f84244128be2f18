#pragma once
// Transfer Request Blocks (xHCI 1.2, 4.11 and 6.4): layout, types and
// completion codes, and the context data structures (6.2).
#include <cstdint>

#include "base/bits.h"

namespace vmapple::usb::xhci {

inline constexpr uint64_t kTrbSize = 16;

struct Trb {
  uint64_t parameter = 0;
  uint32_t status = 0;
  uint32_t control = 0;

  unsigned type() const { return bits(control, 15, 10); }
  bool cycle() const { return bit(control, 0); }
  // Link TRB: Toggle Cycle. Transfer TRBs: Evaluate Next TRB (same bit).
  bool toggle_cycle() const { return bit(control, 1); }
  bool isp() const { return bit(control, 2); }
  bool chain() const { return bit(control, 4); }
  bool ioc() const { return bit(control, 5); }
  bool idt() const { return bit(control, 6); }
  // Transfer TRBs: TRB Transfer Length and Interrupter Target.
  uint32_t transfer_length() const { return bits(status, 16, 0); }
  unsigned interrupter_target() const { return bits(status, 31, 22); }
  // Command TRBs.
  unsigned slot_id() const { return bits(control, 31, 24); }
  unsigned endpoint_id() const { return bits(control, 20, 16); }
  bool bsr() const { return bit(control, 9); }  // Address Device; also DC / TSP
  // Data/Status Stage: DIR (1 = IN).
  bool dir_in() const { return bit(control, 16); }
};

// TRB types (6.4.6).
enum TrbType : unsigned {
  kTrbNormal = 1,
  kTrbSetupStage = 2,
  kTrbDataStage = 3,
  kTrbStatusStage = 4,
  kTrbIsoch = 5,
  kTrbLink = 6,
  kTrbEventData = 7,
  kTrbNoOp = 8,
  kTrbEnableSlot = 9,
  kTrbDisableSlot = 10,
  kTrbAddressDevice = 11,
  kTrbConfigureEndpoint = 12,
  kTrbEvaluateContext = 13,
  kTrbResetEndpoint = 14,
  kTrbStopEndpoint = 15,
  kTrbSetTrDequeue = 16,
  kTrbResetDevice = 17,
  kTrbForceEvent = 18,
  kTrbNegotiateBandwidth = 19,
  kTrbSetLatencyTolerance = 20,
  kTrbGetPortBandwidth = 21,
  kTrbForceHeader = 22,
  kTrbNoOpCommand = 23,
  kTrbTransferEvent = 32,
  kTrbCommandCompletionEvent = 33,
  kTrbPortStatusChangeEvent = 34,
  kTrbBandwidthRequestEvent = 35,
  kTrbDoorbellEvent = 36,
  kTrbHostControllerEvent = 37,
  kTrbDeviceNotificationEvent = 38,
  kTrbMfindexWrapEvent = 39,
};

// Completion codes (6.4.5).
enum CompletionCode : uint8_t {
  kCcInvalid = 0,
  kCcSuccess = 1,
  kCcDataBufferError = 2,
  kCcBabbleDetected = 3,
  kCcUsbTransactionError = 4,
  kCcTrbError = 5,
  kCcStallError = 6,
  kCcResourceError = 7,
  kCcBandwidthError = 8,
  kCcNoSlotsAvailable = 9,
  kCcInvalidStreamType = 10,
  kCcSlotNotEnabled = 11,
  kCcEndpointNotEnabled = 12,
  kCcShortPacket = 13,
  kCcRingUnderrun = 14,
  kCcRingOverrun = 15,
  kCcVfEventRingFull = 16,
  kCcParameterError = 17,
  kCcBandwidthOverrun = 18,
  kCcContextStateError = 19,
  kCcNoPingResponse = 20,
  kCcEventRingFull = 21,
  kCcIncompatibleDevice = 22,
  kCcMissedService = 23,
  kCcCommandRingStopped = 24,
  kCcCommandAborted = 25,
  kCcStopped = 26,
  kCcStoppedLengthInvalid = 27,
};

// Event TRB builders (6.4.2).
inline constexpr uint32_t kEventDataFlag = 1u << 2;  // Transfer Event: ED

inline Trb make_event(unsigned type, uint64_t parameter, uint8_t code, uint32_t low24 = 0,
                      unsigned slot = 0, uint32_t extra = 0) {
  return {parameter, uint32_t{code} << 24 | (low24 & 0xFF'FFFF),
          uint32_t{slot} << 24 | type << 10 | extra};
}

// ---- Contexts (6.2), 32-byte layout (HCCPARAMS1.CSZ = 0) ----
inline constexpr uint64_t kContextSize = 32;
inline constexpr unsigned kNumEndpoints = 31;  // DCI 1..31

// Slot context fields.
inline constexpr unsigned kSlotStateDisabled = 0;  // also "Enabled"
inline constexpr unsigned kSlotStateDefault = 1;
inline constexpr unsigned kSlotStateAddressed = 2;
inline constexpr unsigned kSlotStateConfigured = 3;

// Endpoint states.
inline constexpr unsigned kEpDisabled = 0;
inline constexpr unsigned kEpRunning = 1;
inline constexpr unsigned kEpHalted = 2;
inline constexpr unsigned kEpStopped = 3;
inline constexpr unsigned kEpError = 4;

// Endpoint types.
inline constexpr unsigned kEpTypeIsochOut = 1;
inline constexpr unsigned kEpTypeBulkOut = 2;
inline constexpr unsigned kEpTypeInterruptOut = 3;
inline constexpr unsigned kEpTypeControl = 4;
inline constexpr unsigned kEpTypeIsochIn = 5;
inline constexpr unsigned kEpTypeBulkIn = 6;
inline constexpr unsigned kEpTypeInterruptIn = 7;

struct SlotContext {
  uint32_t dw[8] = {};
  uint32_t route_string() const { return bits(dw[0], 19, 0); }
  unsigned context_entries() const { return bits(dw[0], 31, 27); }
  unsigned root_port() const { return bits(dw[1], 23, 16); }
  unsigned interrupter_target() const { return bits(dw[2], 31, 22); }
  unsigned state() const { return bits(dw[3], 31, 27); }
  void set_context_entries(unsigned n) { dw[0] = (dw[0] & 0x07FF'FFFF) | n << 27; }
  void set_state(unsigned state, unsigned address) {
    dw[3] = (dw[3] & 0x07FF'FF00) | state << 27 | (address & 0xFF);
  }
};

struct EndpointContext {
  uint32_t dw[8] = {};
  unsigned state() const { return bits(dw[0], 2, 0); }
  unsigned max_pstreams() const { return bits(dw[0], 14, 10); }
  unsigned type() const { return bits(dw[1], 5, 3); }
  unsigned max_packet_size() const { return bits(dw[1], 31, 16); }
  uint64_t dequeue() const { return (dw[2] | uint64_t{dw[3]} << 32) & ~uint64_t{0xF}; }
  bool dcs() const { return bit(dw[2], 0); }
  void set_state(unsigned state) { dw[0] = (dw[0] & ~7u) | state; }
  void set_dequeue(uint64_t pointer, bool dcs) {
    dw[2] = static_cast<uint32_t>(pointer & ~uint64_t{0xF}) | (dcs ? 1 : 0);
    dw[3] = static_cast<uint32_t>(pointer >> 32);
  }
};

}  // namespace vmapple::usb::xhci
