#pragma once
// ARM PrimeCell real-time clock (PL031), as Linux's rtc-pl031 driver uses it.
//
// RTCDR counts seconds: the host's wall clock when the machine was built plus
// the guest time elapsed since (the TimerQueue's clock, so a paused VM's
// clock pauses too). Writing RTCLR loads the counter at once (the second
// starts over from the write). RTCRIS is set when the counter equals RTCMR:
// when it counts up to it (a timer on the TimerQueue) or when an RTCMR or
// RTCLR write makes them equal. The interrupt output is RTCRIS & RTCIMSC.
// The counter always runs: RTCCR.RTCStart reads 1 from power-on, as if the
// firmware had started it, and, as on hardware, cannot be cleared.
//
// reset() returns the registers to their TRM reset values but, like a
// battery-backed RTC, keeps the counter's time.
//
// Map it with kPrimeCellRules over kMmioSize bytes. Destroy it only when no
// timer callback can run (the EventLoop stopped).
#include <cstdint>
#include <mutex>
#include <string_view>

#include "base/clock.h"
#include "base/irq_line.h"
#include "hw/device.h"

namespace vmapple {

class Pl031 final : public MmioDevice {
 public:
  static constexpr uint64_t kMmioSize = 0x1000;

  // Register offsets (PL031 TRM, table 3-1).
  static constexpr uint64_t kRTCDR = 0x000;
  static constexpr uint64_t kRTCMR = 0x004;
  static constexpr uint64_t kRTCLR = 0x008;
  static constexpr uint64_t kRTCCR = 0x00C;
  static constexpr uint64_t kRTCIMSC = 0x010;
  static constexpr uint64_t kRTCRIS = 0x014;
  static constexpr uint64_t kRTCMIS = 0x018;
  static constexpr uint64_t kRTCICR = 0x01C;
  static constexpr uint64_t kRTCPeriphID0 = 0xFE0;  // ..0xFEC, then RTCPCellID0..3
  static constexpr uint64_t kRTCPCellID3 = 0xFFC;

  static constexpr uint32_t kPeriphID = 0x0004'1031;
  static constexpr uint32_t kPCellID = 0xB105'F00D;
  static constexpr uint32_t kRTCStart = 1u << 0;  // RTCCR
  static constexpr uint32_t kRTCINTR = 1u << 0;   // RTCIMSC, RTCRIS, RTCMIS, RTCICR

  // `host_seconds` is the wall clock at start (the machine passes
  // time(nullptr)); the counter keeps its low 32 bits.
  Pl031(uint64_t host_seconds, TimerQueue& timers, IrqLine& irq);
  ~Pl031() override;

  std::string_view name() const override { return "pl031"; }
  void reset() override;
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  uint32_t counter() const;
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint64_t value);
  void match_changed();
  void schedule_match();
  void on_match(uint64_t generation);
  void update_irq();

  TimerQueue& timers_;
  IrqLine& irq_;

  std::mutex mutex_;
  uint32_t base_seconds_;  // counter value at base_ns_
  uint64_t base_ns_;
  uint32_t mr_ = 0;
  uint32_t lr_ = 0;
  uint32_t imsc_ = 0;
  uint32_t ris_ = 0;
  bool irq_level_ = false;
  TimerQueue::TimerId timer_ = TimerQueue::kNoTimer;
  uint64_t generation_ = 0;  // of the match timer; a stale callback does nothing
};

}  // namespace vmapple
