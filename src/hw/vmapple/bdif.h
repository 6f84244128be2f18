#pragma once
// The backdoor block interface "bdif" (spec section 5): a polled interface
// through which Apple's boot chain reads the root and aux disks before macOS's
// virtio drivers take over. The 2 MiB region holds 64 KiB windows: root disk
// at 0, aux disk at 0x1_0000; every window answers the same constant
// registers, and a write to CMD in the root or aux window runs one request
// whose 48-byte descriptor lies at the written address.
//
// Requests complete inside the CMD write, as on the reference: the descriptor
// is read, the sector header and data are moved between guest RAM (checked
// accessors only) and the disk, and the status byte is written. Reads of up
// to 128 MiB go straight from the image into guest RAM. WRITE is answered as
// failed, like the reference (docs/devices/bdif.md). The device keeps no state
// between requests, so it needs no lock and two vCPUs may run requests at once.
#include <cstdint>
#include <string_view>

#include "hw/device.h"
#include "hw/vmapple/bdif_disk.h"
#include "memory/guest_memory.h"

namespace vmapple {

class Bdif final : public MmioDevice {
 public:
  static constexpr uint64_t kMmioSize = 0x20'0000;
  static constexpr MmioAccessRules kRules{1, 8, 1, 8};

  // Windows.
  static constexpr uint64_t kRootWindow = 0x0'0000;
  static constexpr uint64_t kAuxWindow = 0x1'0000;
  static constexpr uint64_t kUsbWindow = 0x10'0000;
  // Registers, relative to a window.
  static constexpr uint64_t kSTATUS = 0x000;
  static constexpr uint64_t kCFG = 0x004;
  static constexpr uint64_t kUNKNOWN1 = 0x008;
  static constexpr uint64_t kBUSY = 0x010;
  static constexpr uint64_t kUNKNOWN2 = 0x400;
  static constexpr uint64_t kCMD = 0x408;
  static constexpr uint64_t kNEXT_DEVICE = 0x420;
  static constexpr uint64_t kUNKNOWN3 = 0x434;

  // Request format.
  static constexpr uint64_t kDescriptorSize = 48;
  static constexpr uint32_t kSectorHeaderSize = 16;
  static constexpr uint64_t kSectorSize = 512;
  static constexpr uint32_t kMaxDataLength = 128u << 20;
  static constexpr uint32_t kOpRead = 0x0003'0001;
  static constexpr uint32_t kOpWrite = 0x0001'0001;
  static constexpr uint8_t kStatusOk = 0;
  static constexpr uint8_t kStatusFailed = 1;

  // Either disk may be null: its requests then fail with status 1 (a machine
  // booted without the Apple disks, e.g. for Linux).
  Bdif(GuestMemory& memory, BdifDisk* root, BdifDisk* aux);

  std::string_view name() const override { return "bdif"; }
  void reset() override {}  // nothing but constants and guest memory
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;

 private:
  void request(std::string_view disk_name, BdifDisk* disk, uint64_t descriptor);
  uint8_t execute(std::string_view disk_name, BdifDisk* disk, const uint8_t* descriptor);

  GuestMemory& memory_;
  BdifDisk* root_;
  BdifDisk* aux_;
};

}  // namespace vmapple
