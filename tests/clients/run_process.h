// Runs a helper program (node with a client script) to completion for the client tests:
// stdout and stderr captured together, killed at a deadline so that a hung client fails the
// test instead of hanging it. Thread-safety: each call owns its pipe and child, so calls may
// run concurrently.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace vigil::testing {

struct ProcessResult {
  int exit_code = -1;  // -1: did not exit by itself (killed at the deadline) or did not start
  std::string output;  // stdout and stderr, interleaved
};

// Runs `args` (args[0] is the program's path) with stdout and stderr captured, killing it
// after `timeout`.
ProcessResult RunProcess(std::vector<std::string> args, std::chrono::seconds timeout);

// The value of the first line `<key>=<value>` in `output`, or "" when there is none.
std::string OutputValue(const std::string& output, const std::string& key);

}  // namespace vigil::testing
