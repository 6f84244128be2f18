// Exception generation (Arm ARM C4.1.66: SVC, HVC, SMC, BRK, HLT, DCPS) and
// the exception return ERET/DRPS. There is no EL2/EL3: HVC at EL1 is only
// intercepted as the PSCI/SMCCC conduit (scope §1.5).
#include "cpu/arm64/decode/op.h"
#include "cpu/arm64/handlers.h"
#include "cpu/arm64/vcpu_services.h"

namespace vmapple::arm64 {

namespace {

uint16_t imm16(uint32_t insn) {
  return static_cast<uint16_t>(bits(insn, 20, 5));
}

void exec_svc(Core& c, uint32_t insn) {
  c.take_sync(ec::kSvc, imm16(insn), c.next_pc);  // ELR = the next instruction
}

// `hvc #0` at EL1 leaves run() with an HvcExit and retires; any other HVC is
// UNDEFINED, as it architecturally is without EL2.
void exec_hvc(Core& c, uint32_t insn) {
  if (c.el != 1 || imm16(insn) != 0) c.undefined();
  request_hvc_exit(c, 0, false);
}

void exec_brk(Core& c, uint32_t insn) {
  c.take_sync(ec::kBrk, imm16(insn), c.pc);
}

void exec_eret(Core& c, uint32_t) {
  if (c.el == 0) c.undefined();
  c.exception_return();
}

}  // namespace

void register_exception_generating(HandlerTable& t) {
  t[Op::SVC] = &exec_svc;
  t[Op::HVC] = &exec_hvc;
  t[Op::BRK] = &exec_brk;
  t[Op::ERET] = &exec_eret;
  // SMC (no EL3), HLT (no halting debug), DCPS1-3 and DRPS (not in Debug
  // state), TCANCEL and ERETAA/ERETAB (hidden features) stay UNDEFINED.
}

}  // namespace vmapple::arm64
