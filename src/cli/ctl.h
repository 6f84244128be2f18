#pragma once
// `vmapple ctl PATH COMMAND [ARGS]`: a one-shot client of a running VM's
// control socket (docs/control.md). Sends one request, prints the reply line.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmapple {

// The request for `COMMAND [ARGS]`, or nullopt with the usage error in `error`.
std::optional<nlohmann::json> ctl_request(const std::vector<std::string>& words,
                                          std::string* error);

// `args` = PATH COMMAND [ARGS]. Exit status: 0 the VM said ok, 1 it refused
// (the reply's error on `err`), 2 usage error or no answer from the socket.
int ctl_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// What `vmapple ctl --help` prints below the usage line.
extern const char* const kCtlHelp;

}  // namespace vmapple
