#pragma once
// The vmapple board (spec section 2): RAM, the memory map, the devices and
// their interrupt wiring, and system reset. No vCPU lives here; the Vm drives
// the machine through its AddressSpace.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "hw/intc/interrupt_controller.h"
#include "machine/machine_config.h"
#include "machine/memory_map.h"
#include "memory/address_space.h"
#include "memory/guest_memory.h"

namespace vmapple {

class AesEngine;
class Bdif;
class FileBdifDisk;
class BlockBackend;
class CharBackend;
class Device;
class GicV3;
class GpexHost;
class MmioDevice;
class Pl011;
class Pl031;
class Pl061;
class PowerButton;
class PvpanicListener;
class PvpanicMmio;
class VmappleCfgDevice;
class VirtioPci;
namespace virtio {
class VirtioBlk;
}
namespace usb {
class UsbKeyboard;
class UsbTablet;
class XhciPci;
}  // namespace usb

class VmappleMachine {
 public:
  // Builds the whole machine; every user error (a disk that cannot be opened
  // or locked, a serial socket that cannot be created) throws ConfigError
  // before anything runs. `quit` is called when the user asks to leave from
  // the serial console (Ctrl-A X).
  VmappleMachine(const MachineConfig& config, EventLoop& loop, PvpanicListener& pvpanic,
                 std::function<void()> quit);
  ~VmappleMachine();

  // System reset: every device to its reset state, the firmware image copied
  // back into its region and the cfg region rewritten (spec 2.6, 3.1).
  void reset();

  const MachineConfig& config() const { return config_; }
  GuestMemory& memory() { return memory_; }
  AddressSpace& address_space() { return address_space_; }
  InterruptController& interrupts();
  // The software GIC: the vCPUs connect their IRQ/FIQ inputs to it.
  GicV3& gic() { return *gic_; }
  PowerButton& power_button() { return *power_button_; }
  // The disks' backends, in command-line order (each owned by its virtio-blk device).
  const std::vector<BlockBackend*>& disks() const { return disks_; }
  GpexHost& pcie() { return *pcie_; }
  // The default USB devices (spec 2.8); null with --no-defaults. The
  // keyboard and tablet are the host's input API (display, control socket).
  usb::XhciPci* usb_controller() { return xhci_.get(); }
  usb::UsbKeyboard* keyboard() { return keyboard_.get(); }
  usb::UsbTablet* tablet() { return tablet_.get(); }
  // Root-bus slots: the USB controller in slot 1 (spec 2.7's example), disks
  // from slot 2; the HID devices on the USB 2 root ports 5 and 6 (spec 2.8).
  static constexpr unsigned kUsbSlot = 1;
  static constexpr unsigned kFirstDiskSlot = 2;
  static constexpr unsigned kKeyboardPort = 5;
  static constexpr unsigned kTabletPort = 6;

  // One line per device with its address and interrupt, for `vmapple run`.
  std::string describe() const;

 private:
  void build_memory();
  void build_gic();
  void build_devices(PvpanicListener& pvpanic, std::function<void()> quit);
  void build_pcie();
  void build_usb();
  void open_disks();
  void build_backdoor();
  void map(const board::MapEntry& entry, MmioDevice& device, MmioAccessRules rules);

  MachineConfig config_;
  EventLoop& loop_;
  GuestMemory memory_;
  AddressSpace address_space_{memory_};
  std::unique_ptr<GicV3> gic_;
  std::vector<uint8_t> firmware_;

  std::unique_ptr<CharBackend> serial_;
  std::unique_ptr<Pl011> uart_;
  std::unique_ptr<Pl031> rtc_;
  std::unique_ptr<Pl061> gpio_;
  std::unique_ptr<PowerButton> power_button_;
  std::unique_ptr<PvpanicMmio> pvpanic_;
  std::unique_ptr<VmappleCfgDevice> cfg_;
  std::unique_ptr<AesEngine> aes_;
  std::unique_ptr<FileBdifDisk> bdif_root_, bdif_aux_;
  std::unique_ptr<Bdif> bdif_;
  std::unique_ptr<GpexHost> pcie_;
  // Destroyed controller first: it holds the devices' notifiers.
  std::unique_ptr<usb::UsbKeyboard> keyboard_;
  std::unique_ptr<usb::UsbTablet> tablet_;
  std::unique_ptr<usb::XhciPci> xhci_;
  // Destroyed in reverse: transports first (they reset their devices), then
  // the devices (they wait for their backends).
  std::vector<std::unique_ptr<virtio::VirtioBlk>> blk_;
  std::vector<std::unique_ptr<VirtioPci>> blk_pci_;
  std::vector<BlockBackend*> disks_;
  std::vector<Device*> devices_;  // in reset order
};

}  // namespace vmapple
