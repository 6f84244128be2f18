#include "cli/cli.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/error.h"
#include "base/log.h"
#include "cli/bundle.h"
#include "cli/ctl.h"
#include "cli/run_flags.h"
#include "machine/linux_boot.h"
#include "vmm/vm.h"

namespace vmapple {
namespace {

constexpr const char* kRunExamples = R"(
Examples:
  vmapple run --firmware fw.bin --memory 512M
      boot a flat binary at 0x00100000 on CPU 0 with 512 MiB of RAM
  vmapple run --kernel Image --initrd initrd.gz --append "console=ttyAMA0" --disk data.img
      boot Linux directly with one writable disk
  vmapple run ~/VM.bundle
      run a macOS VM made with Virtualization.framework (Apple's sample bundle, a tart VM
      directory or a macosvm JSON file): ECID, aux storage and root disk come from it
  vmapple run --firmware AVPBooter.vmapple2.bin --ecid 0x1234 --aux-disk aux.img \
      --root-disk root.img
  vmapple run --firmware fw.bin --serial unix:/tmp/vm.sock --trace 'pl0*,guest-error'

Exit status: 0 guest powered off, 1 VMM failure, 2 bad flag or file (nothing started),
3 guest panic (pvpanic, with --on-panic exit), 4 no accelerator available,
128+N stopped by signal N (SIGINT 130, SIGTERM 143).
Serial console on stdio: Ctrl-A X quits, Ctrl-A Ctrl-A sends Ctrl-A.)";

void add_run_flags(CLI::App& run, RunFlags& f, bool with_bundle = true) {
  if (with_bundle)
    run.add_option("bundle", f.bundle,
                   "VM bundle: a Virtualization.framework bundle directory, a tart VM directory "
                   "or a macosvm JSON file; flags override what it says");
  run.add_option("--memory,-m", f.memory, "RAM size, e.g. 4G or 512M (default 4G)");
  run.add_option("--cpus", f.cpus, "number of vCPUs, 1 to 32 (default 1)");
  run.add_option("--firmware", f.firmware, "flat boot ROM loaded at 0x00100000, at most 1 MiB");
  run.add_option("--kernel", f.kernel, "arm64 Linux Image (plain or gzip) to boot directly");
  run.add_option("--initrd", f.initrd, "initial ramdisk for --kernel");
  run.add_option("--append", f.append, "kernel command line for --kernel");
  run.add_option(
         "--disk", f.disks,
         "virtio-blk disk PATH[,ro][,engine=auto|io_uring|threads][,apple=root|aux] (repeatable)")
      ->take_all();
  run.add_option("--aux-disk", f.aux_disk,
                 "aux storage for the backdoor PATH[,ro][,engine=E][,header=SIZE] (header: "
                 "bytes to skip, 16K for an untrimmed Virtualization.framework file)");
  run.add_option("--root-disk", f.root_disk,
                 "root disk for the backdoor PATH[,ro][,engine=E][,header=SIZE]");
  run.add_option("--serial", f.serial, "serial console: stdio, file:PATH, unix:PATH or none");
  run.add_option("--trace", f.trace,
                 "trace categories by glob, e.g. 'pl011,guest-error'; 'help' lists them");
  run.add_option("--ecid", f.ecid, "machine ECID for the cfg region (decimal or 0x hex)");
  run.add_option("--on-panic", f.on_panic,
                 "on a guest panic: exit (status 3, default) or continue");
  run.add_option("--accel", f.accel,
                 "vCPU engine: interp (the built-in AArch64 CPU, default), kvm or hvf");
  run.add_flag("--stats", f.stats, "print instructions retired and MIPS when the VM ends");
  run.add_flag("--no-defaults", f.no_defaults,
               "leave out the default devices (the USB controller, keyboard and tablet)");
  if (with_bundle) run.footer(kRunExamples);
}

void print_trace_categories(std::ostream& out) {
  out << "trace categories (use globs, '-' to disable; guest-error is on by default):\n";
  for (auto name : trace::category_names())
    out << "  " << name << "\n";
}

// `vmapple ecid`: the decimal ECID, as QEMU's contrib/vmapple/uuid.sh prints
// it, so that `--ecid $(vmapple ecid VM.bundle)` works.
CommandLine print_ecid(const std::string& path, std::ostream& out, std::ostream& err) {
  CommandLine result;
  try {
    out << read_ecid(path) << "\n";
  } catch (const ConfigError& e) {
    err << "vmapple: " << e.what() << "\n";
    result.exit_status = kExitUsage;
  }
  return result;
}

// `vmapple dump-dtb FILE [run flags]`: the device tree a --kernel boot gets.
CommandLine dump_dtb(RunFlags flags, const std::string& path, std::ostream& err) {
  CommandLine result;
  flags.describe_only = true;
  try {
    std::vector<uint8_t> dtb = vmapple_device_tree(validate_run_flags(flags).machine);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(dtb.data()), static_cast<std::streamsize>(dtb.size()));
    if (!out.flush()) throw ConfigError(fmt::format("dump-dtb: '{}' cannot be written", path));
  } catch (const ConfigError& e) {
    err << "vmapple: " << e.what() << "\n";
    result.exit_status = kExitUsage;
  }
  return result;
}

}  // namespace

CommandLine parse_command_line(const std::vector<std::string>& args, std::ostream& out,
                               std::ostream& err) {
  CLI::App app("vmapple: a virtual machine monitor for the Apple vmapple arm64 platform",
               "vmapple");
  app.set_version_flag("--version", std::string("vmapple ") + VMAPPLE_VERSION);
  app.require_subcommand(1);
  app.footer("\nRun 'vmapple run --help' for the flags of a command.");
  RunFlags flags;
  CLI::App* run = app.add_subcommand("run", "build the vmapple machine and run a guest");
  add_run_flags(*run, flags);
  run->add_option("--control", flags.control,
                  "control socket PATH for power button, keys, pointer, status and quit "
                  "(docs/control.md; talk to it with 'vmapple ctl PATH ...')");
  CLI::App* ctl = app.add_subcommand("ctl", "send one command to a running VM's control socket");
  ctl->prefix_command();
  ctl->set_help_flag();  // ctl_main() answers --help itself (the footer lists the commands)
  std::string ecid_path;
  CLI::App* ecid = app.add_subcommand(
      "ecid", "print the ECID of a VM bundle, macosvm/tart JSON or machine identifier file");
  ecid->add_option("path", ecid_path, "bundle directory or file")->required();
  RunFlags dump_flags;
  std::string dtb_path;
  CLI::App* dump = app.add_subcommand(
      "dump-dtb", "write the device tree a --kernel boot gets to FILE (takes the flags of run)");
  dump->add_option("file", dtb_path, "output file (decompile with: dtc -I dtb -O dts FILE)")
      ->required();
  add_run_flags(*dump, dump_flags, false);

  CommandLine result;
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << (run->parsed()    ? run->help()
            : ecid->parsed() ? ecid->help()
            : dump->parsed() ? dump->help()
                             : app.help());
    return result;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return result;
  } catch (const CLI::CallForVersion& e) {
    out << e.what() << "\n";
    return result;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    for (char& c : what)
      if (c == '\n') c = ' ';
    err << "vmapple: " << what << " (see 'vmapple --help')\n";
    result.exit_status = kExitUsage;
    return result;
  }
  if (ctl->parsed()) {
    result.exit_status = ctl_main(ctl->remaining(), out, err);
    return result;
  }
  if (ecid->parsed()) return print_ecid(ecid_path, out, err);
  if (dump->parsed()) return dump_dtb(dump_flags, dtb_path, err);
  if (flags.trace == "help") {
    print_trace_categories(out);
    return result;
  }
  try {
    result.config = validate_run_flags(flags);
  } catch (const ConfigError& e) {
    err << "vmapple: " << e.what() << "\n";
    result.exit_status = kExitUsage;
    return result;
  }
  result.action = CommandLine::Action::kRun;
  return result;
}

int vmapple_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  CommandLine cl = parse_command_line(args, std::cout, std::cerr);
  if (cl.action == CommandLine::Action::kExit) return cl.exit_status;
  std::unique_ptr<Vm> vm;
  try {
    vm = std::make_unique<Vm>(cl.config);
  } catch (const ConfigError& e) {
    std::cerr << "vmapple: " << e.what() << "\n";
    return kExitUsage;
  }
  return vm->run();
}

}  // namespace vmapple
