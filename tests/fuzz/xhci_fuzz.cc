// Fuzzes the XHCI controller: random register writes and reads, random guest
// memory under the rings, contexts and buffers it reads, and well-formed
// driver steps (so the fuzzer reaches deep states), with a fake full-speed
// device on port 5 and a fake SuperSpeed one on port 1.
//
// Input: u8 options (bits 0-1 interrupters 1/2/4/16, bit 2 conditional
// mapping, bit 3 MSI, bit 4 MSI-X, bit 5 platform MSI controller, bit 6 no
// bring-up), then operations (u8 % 18):
//   0 register write   u16 offset, u32 value
//   1 register read    u16 offset
//   2 RAM write        u8 area, u16 offset, u8 length, bytes
//   3 command          u8 type, u8 slot, u8 dci, u8 flags, u8 param kind
//   4 transfer TRB     u8 slot, u8 dci, u8 type, u8 flags, u16 length, u8 param kind, u8 ring
//   5 doorbell         u8 index, u32 value
//   6 device report    u8 device, u8 length
//   7 time passes      u16 microseconds
//   8 PCI config write u8 offset, u8 size, u32 value
//   9 (de)attach       u8 device
//  10 enumerate        u8 device, u8 bsr
//  11 configure EP 1 IN u8 slot
//  12 drain events     u8 interrupter
//  13 function reset, then bring-up again
//  14 interrupter setup u8 interrupter
//  15 raw handler call u16 offset, u8 size, u8 write, u32 value
//  16 TD on EP 1 IN    u8 slot, u8 count, per TRB: u8 kind, u8 length, u8 flags
//  17 control transfer u8 slot, u8 request type, u8 request, u16 length, u8 flags
// Invariants: no crash (ASan/UBSan); the INTx pin equals IMAN.IP && IE &&
// USBCMD.INTE of interrupter 0 in INTx mode and is low in message mode.
#include <cstdint>
#include <memory>

#include "fuzz/fuzz_input.h"
#include "unit/hw/xhci_ctl_rig.h"

namespace {

using namespace vmapple;
using namespace vmapple::usb::xhci;
using fuzz::check;
using fuzz::Input;
using test::XhciCtlRig;

uint64_t area(Input& in) {
  static const uint64_t kAreas[] = {XhciCtlRig::kDcbaa,         XhciCtlRig::kCommandRing,
                                    XhciCtlRig::kErst,          XhciCtlRig::kEventRings,
                                    XhciCtlRig::kInput,         XhciCtlRig::kOutput,
                                    XhciCtlRig::kTransferRings, XhciCtlRig::kBuffers};
  uint8_t a = in.u8();
  return kAreas[a % 8] + in.u16() % 0x2000;
}

uint64_t parameter(Input& in) {
  switch (in.u8() % 5) {
    case 0:
      return XhciCtlRig::kInput;
    case 1:
      return XhciCtlRig::kBuffers + in.u16();
    case 2:
      return XhciCtlRig::kTransferRings + (in.u16() & ~0xFu);
    case 3:
      return in.take(8);
    default:
      return XhciCtlRig::kRam + in.u16() * 16ull;
  }
}

struct Fuzzer {
  // The devices outlive the controller they are attached to.
  test::FakeUsbDevice full{usb::Speed::kFull};
  test::FakeUsbDevice super{usb::Speed::kSuper};
  std::unique_ptr<XhciCtlRig> rig;
  bool attached[2] = {false, false};

  test::FakeUsbDevice& device(unsigned i) { return i ? super : full; }
  unsigned port(unsigned i) { return i ? 1 : 5; }

  void toggle(unsigned i) {
    if (attached[i])
      rig->xhci().detach(port(i));
    else
      rig->xhci().attach(port(i), device(i));
    attached[i] = !attached[i];
  }

  void command(Input& in) {
    unsigned type = in.u8() % 40;
    unsigned slot = in.u8() % 10;
    unsigned dci = in.u8() % 32;
    uint32_t flags = in.u8();
    uint64_t p = parameter(in);
    rig->post_command({p, 0, slot << 24 | dci << 16 | type << 10 | (flags & 0x3FE)});
  }

  void transfer(Input& in) {
    unsigned slot = in.u8() % 4 + 1;
    unsigned dci = in.u8() % 8;
    unsigned type = in.u8() % 12;
    uint32_t flags = in.u8();
    uint32_t length = in.u16();
    uint64_t p = parameter(in);
    bool ring = in.u8() & 1;
    if (type == kTrbSetupStage && (flags & 1)) {
      p = XhciCtlRig::setup_trb(0x80, 6, 0x100, 0, length & 0x3FF, 3).parameter;
      length = 8;
      flags |= 1u << 6;
    }
    uint32_t intr_target = flags >> 5;
    rig->queue(slot, dci,
               {{p, intr_target << 22 | length, type << 10 | (flags & 0x7E) | (flags & 0x80) << 9}},
               ring);
  }

  // A well-formed chain of Normal and Event Data TRBs with fuzzed lengths
  // and ISP/IOC flags: the short packet and Event Data reporting paths.
  void chain(Input& in) {
    unsigned slot = in.u8() % 4 + 1;
    unsigned count = in.u8() % 6 + 1;
    std::vector<Trb> trbs;
    for (unsigned i = 0; i < count; ++i) {
      uint8_t kind = in.u8();
      uint32_t length = in.u8() % 24;
      uint8_t flags = in.u8();
      uint32_t control =
          (flags & 1 ? 1u << 2 : 0) | (flags & 2 ? 1u << 5 : 0) | (i + 1 < count ? 1u << 4 : 0);
      unsigned type = kind % 4 == 0 ? kTrbEventData : kTrbNormal;
      uint64_t buffer = XhciCtlRig::kBuffers + 0x100ull * i;
      trbs.push_back({type == kTrbEventData ? in.take(8) : buffer, (flags >> 6) << 22 | length,
                      type << 10 | control});
    }
    rig->queue(slot, 3, trbs);
  }

  void control(Input& in) {
    unsigned slot = in.u8() % 4 + 1;
    uint8_t type = in.u8();
    uint8_t request = in.u8();
    uint16_t length = in.u16() % 300;
    uint8_t flags = in.u8();
    bool in_dir = type & 0x80;
    std::vector<Trb> trbs = {
        XhciCtlRig::setup_trb(type, request, 0x100, 0, length, length ? (in_dir ? 3 : 2) : 0)};
    if (length || (flags & 1))
      trbs.push_back({XhciCtlRig::kBuffers, uint32_t{length} + (flags & 2 ? 16u : 0u),
                      kTrbDataStage << 10 | (in_dir ? 1u << 16 : 0) | (flags & 4 ? 1u << 2 : 0) |
                          (flags & 8 ? 1u << 4 : 0)});
    if (flags & 8) trbs.push_back({in.take(8), 0, kTrbEventData << 10 | 1u << 5});
    trbs.push_back({0, static_cast<uint32_t>(flags >> 5) << 22,
                    kTrbStatusStage << 10 | (in_dir ? 0 : 1u << 16) | 1u << 5});
    rig->queue(slot, 1, trbs);
  }

  void check_pin() {
    uint32_t iman = rig->reg(XhciCtlRig::intr(0, kIman));
    uint32_t cmd = rig->op(kUsbCmd);
    uint16_t command = static_cast<uint16_t>(rig->xhci().host_read_config(pci::kCommand, 2));
    bool msg = false;
    if (rig->xhci().options().msi)
      msg |= rig->xhci().host_read_config(usb::XhciPci::kMsiCapOffset + 2, 2) & 1;
    if (rig->xhci().options().msix)
      msg |= rig->xhci().host_read_config(usb::XhciPci::kMsixCapOffset + 2, 2) & 0x8000;
    bool want = (iman & kImanIp) && (iman & kImanIe) && (cmd & kCmdInte) && !msg &&
                !(command & pci::kCommandInterruptDisable);
    check(rig->link().intx == want, "INTx follows interrupter 0 in pin mode");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::silence_traces();
  Input in{data, size};
  uint8_t setup = in.u8();
  static const unsigned kIntrs[] = {1, 2, 4, 16};
  usb::XhciOptions options;
  options.interrupters = kIntrs[setup & 3];
  options.conditional_intr_mapping = setup & 4;
  options.msi = setup & 8;
  options.msix = setup & 16;
  Fuzzer f;
  f.rig = std::make_unique<XhciCtlRig>(options, setup & 32);
  f.toggle(0);
  if (!(setup & 64)) {
    f.rig->start();
    f.rig->set_reg(XhciCtlRig::portsc(5), kPortPr);
  }
  for (unsigned ops = 0; !in.empty() && ops < 2000; ++ops) {
    XhciCtlRig& rig = *f.rig;
    switch (in.u8() % 18) {
      case 0: {
        uint64_t offset = in.u16() % kBarSize & ~3ull;
        rig.set_reg(offset, in.u32());
        break;
      }
      case 1:
        rig.reg(in.u16() % kBarSize & ~3ull);
        break;
      case 2: {
        uint64_t at = area(in);
        unsigned len = in.u8() % 64;
        for (unsigned i = 0; i < len; ++i)
          rig.memory().write_le<uint8_t>(at + i, in.u8());
        break;
      }
      case 3:
        f.command(in);
        break;
      case 4:
        f.transfer(in);
        break;
      case 5: {
        unsigned index = in.u8() % 70;
        rig.set_reg(kDoorbellBase + 4 * index, in.u32());
        break;
      }
      case 6: {
        unsigned d = in.u8() & 1;
        f.device(d).push_report(std::vector<uint8_t>(in.u8() % 12, 0x5A));
        break;
      }
      case 7:
        rig.timers().advance(uint64_t{in.u16()} * 1000);
        break;
      case 8: {
        unsigned offset = in.u8();
        unsigned sz = 1u << (in.u8() % 3);
        rig.xhci().config_write(offset & ~(sz - 1), sz, in.u32());
        break;
      }
      case 9:
        f.toggle(in.u8() & 1);
        break;
      case 10: {
        unsigned d = in.u8() & 1;
        rig.enumerate(f.port(d), in.u8() & 1);
        break;
      }
      case 11:
        rig.configure_interrupt_in(in.u8() % 4 + 1);
        break;
      case 12:
        rig.drain_events(in.u8() % options.interrupters);
        break;
      case 13:
        rig.xhci().reset();
        rig.xhci().config_write(pci::kCommand, 2,
                                pci::kCommandMemorySpace | pci::kCommandBusMaster);
        rig.start();
        break;
      case 14:
        rig.setup_interrupter(in.u8() % options.interrupters);
        break;
      case 15: {
        uint64_t offset = in.u16();
        unsigned sz = in.u8();
        if (in.u8() & 1)
          rig.xhci().write(offset, sz, in.u32());
        else
          rig.xhci().read(offset, sz);
        break;
      }
      case 16:
        f.chain(in);
        break;
      case 17:
        f.control(in);
        break;
    }
    f.check_pin();
  }
  return 0;
}
