#include "client/server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string_view>

namespace urne::client {

Result<std::unique_ptr<ServerProcess>> ServerProcess::start(
    const std::filesystem::path& binary, const std::filesystem::path& data_dir,
    const std::vector<std::string>& args, const std::optional<std::filesystem::path>& log_file) {
  std::vector<std::string> argv_s = {binary.string(), "--data-dir", data_dir.string(), "--listen",
                                     "127.0.0.1:0"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return internal_error("spawn_failed", "pipe failed");
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->pid_ = ::fork();
  if (p->pid_ < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return internal_error("spawn_failed", "fork failed");
  }
  if (p->pid_ == 0) {
    // The child: only async-signal-safe calls until exec.
    ::dup2(out[1], STDOUT_FILENO);
    if (log_file) {
      const int fd = ::open(log_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  p->out_ = ::fdopen(out[0], "r");
  constexpr std::string_view kListening = "listening on https://127.0.0.1:";
  char line[1024];
  while (p->out_ != nullptr && std::fgets(line, sizeof line, p->out_) != nullptr) {
    const std::string l(line);
    const auto at = l.find(kListening);
    if (at == std::string::npos) continue;
    const std::string rest = l.substr(at + kListening.size());
    const auto f = l.find("SHA-256 ");
    if (f == std::string::npos || rest.empty() || rest[0] < '1' || rest[0] > '9') break;
    p->port_ = static_cast<std::uint16_t>(std::stoul(rest));
    p->fingerprint_ = l.substr(f + 8, 95);
    break;
  }
  if (p->port_ == 0 || p->fingerprint_.size() != 95) {
    p->stop(SIGTERM);
    return Status(Code::kUnavailable, "server_did_not_start",
                  binary.string() + " printed no start line");
  }
  return p;
}

ServerProcess::~ServerProcess() { stop(SIGTERM); }

int ServerProcess::stop(int signal) {
  int status = 0;
  if (pid_ > 0) {
    ::kill(pid_, signal);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (out_ != nullptr) std::fclose(out_);
  out_ = nullptr;
  return status;
}

std::string ServerProcess::url() const { return "https://127.0.0.1:" + std::to_string(port_); }

}  // namespace urne::client
