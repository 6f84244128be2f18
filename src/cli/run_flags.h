#pragma once
// The flags of `vmapple run` as typed, and their validation into a VmConfig.
#include <string>
#include <vector>

#include "vmm/vm_config.h"

namespace vmapple {

struct RunFlags {
  // Empty memory, cpus and ecid: not given (a bundle's value, else the default).
  std::string memory;  // default 4G
  std::string cpus;    // default 1
  std::string firmware, kernel, initrd, append;
  std::vector<std::string> disks;
  std::string aux_disk, root_disk;  // the backdoor's disks, overriding a bundle's
  std::string serial = "stdio";
  std::string trace;
  std::string ecid;  // default 0
  std::string on_panic = "exit";
  std::string accel = "interp";
  bool stats = false;
  bool no_defaults = false;
  std::string bundle;   // `vmapple run BUNDLE`
  std::string control;  // --control PATH (checked when the socket is made)
  // `vmapple dump-dtb`: describing the machine needs nothing to boot.
  bool describe_only = false;
};

// Throws ConfigError whose message starts with the flag ("--memory: ...").
VmConfig validate_run_flags(const RunFlags& flags);

// "PATH[,ro][,engine=auto|io_uring|threads][,apple=root|aux]"; throws
// ConfigError (no flag prefix).
DiskConfig parse_disk_spec(const std::string& spec);

// --aux-disk / --root-disk: a disk spec plus ",header=SIZE" (bytes hidden at
// the start of the file; 0 by default, 16K for an untrimmed aux storage).
DiskConfig parse_backdoor_disk_spec(const std::string& spec, DiskConfig::Role role);

}  // namespace vmapple
