#pragma once
// The flags of `vmapple run` as typed, and their validation into a VmConfig.
#include <string>
#include <vector>

#include "vmm/vm_config.h"

namespace vmapple {

struct RunFlags {
  std::string memory = "4G";
  std::string cpus = "1";
  std::string firmware, kernel, initrd, append;
  std::vector<std::string> disks;
  std::string serial = "stdio";
  std::string trace;
  std::string ecid = "0";
  std::string on_panic = "exit";
};

// Throws ConfigError whose message starts with the flag ("--memory: ...").
VmConfig validate_run_flags(const RunFlags& flags);

// "PATH[,ro][,engine=auto|io_uring|threads][,apple=root|aux]"; throws
// ConfigError (no flag prefix).
DiskConfig parse_disk_spec(const std::string& spec);

}  // namespace vmapple
