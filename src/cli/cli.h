#pragma once
// The `vmapple` command line: parsing and validation of every flag happens
// here, before anything is started.
#include <iosfwd>
#include <string>
#include <vector>

#include "vmm/vm_config.h"

namespace vmapple {

struct CommandLine {
  enum class Action { kExit, kRun };
  Action action = Action::kExit;
  int exit_status = 0;  // for kExit: 0 after --help/--version, 2 after an error
  VmConfig config;      // for kRun: fully validated
};

// `args` excludes the program name. Help and version text go to `out`,
// the one-line error to `err`.
CommandLine parse_command_line(const std::vector<std::string>& args, std::ostream& out,
                               std::ostream& err);

// The whole command: parse, build the VM, run it. Returns the exit status.
int vmapple_main(int argc, char** argv);

}  // namespace vmapple
