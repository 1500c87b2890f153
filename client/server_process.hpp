// ServerProcess: a urne-server binary started as a child process on
// 127.0.0.1 with an ephemeral port, for the integration tests, the
// benchmark and local demonstrations. It reads the server's start line
// ("urne-server (<role>) listening on https://127.0.0.1:<port> (certificate
// SHA-256 <fingerprint>...") to learn the port and the certificate to pin.
//
// Thread-safety: one owner; stop() waits for the child.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/status.hpp"

namespace urne::client {

class ServerProcess {
 public:
  // Runs `binary --data-dir data_dir --listen 127.0.0.1:0 args...`; the
  // child's stderr goes to `log_file` when given (a full pipe must never
  // stall a server), else it is inherited. Errors: kInternal
  // "spawn_failed"; kUnavailable "server_did_not_start" when the child ends
  // or prints no start line.
  static Result<std::unique_ptr<ServerProcess>> start(
      const std::filesystem::path& binary, const std::filesystem::path& data_dir,
      const std::vector<std::string>& args,
      const std::optional<std::filesystem::path>& log_file = std::nullopt);

  ~ServerProcess();  // stop(SIGTERM)
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Sends `signal` and waits for the child; returns its wait status (0 when
  // already stopped).
  int stop(int signal);

  pid_t pid() const noexcept { return pid_; }
  std::uint16_t port() const noexcept { return port_; }
  // "https://127.0.0.1:<port>".
  std::string url() const;
  // The certificate's SHA-256 as the server printed it (AA:BB:...).
  const std::string& fingerprint() const noexcept { return fingerprint_; }

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::uint16_t port_ = 0;
  std::string fingerprint_;
};

}  // namespace urne::client
