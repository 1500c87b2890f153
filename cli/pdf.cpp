#include "cli/pdf.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

extern char** environ;

namespace urne::cli {
namespace {

constexpr std::string_view kDefaultChromium = "/usr/bin/chromium";
// A letter run of a few hundred pages prints in seconds; a minute means the
// browser hangs (a dialog, a lock, a broken GPU path), not that it is busy.
constexpr std::chrono::seconds kPrintTimeLimit{60};
constexpr std::chrono::milliseconds kPollInterval{50};
// How much of Chromium's log goes into an error message.
constexpr std::size_t kLogTail = 400;

std::filesystem::path chromium_path() {
  const char* env = std::getenv("URNE_CHROMIUM");
  if (env != nullptr && *env != '\0') return std::filesystem::path(env);
  return std::filesystem::path(kDefaultChromium);
}

Status print_failed(const std::string& message) {
  return internal_error("pdf_print_failed", message);
}

// A directory made with mkdtemp (mode 0700: a new name nobody else holds),
// removed with everything in it when the object goes.
class TempDir {
 public:
  static Result<TempDir> make(const std::filesystem::path& parent, const std::string& prefix) {
    std::string tmpl = (parent / (prefix + "XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return print_failed("cannot create a temporary directory in " + parent.string() + ": " +
                          std::strerror(errno));
    }
    return TempDir(std::filesystem::path(tmpl));
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
};

// file:// URL of an absolute path: every byte but the unreserved ones and
// '/' percent-encoded, so that spaces, '#' or '?' in a directory name cannot
// change what Chromium opens.
std::string file_url(const std::filesystem::path& absolute) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string url = "file://";
  for (const char ch : absolute.string()) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      url += ch;
    } else {
      url += '%';
      url += kHex[c >> 4];
      url += kHex[c & 0x0f];
    }
  }
  return url;
}

// The last bytes of Chromium's log, printable ASCII only, for a message.
std::string log_tail(const std::filesystem::path& log) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(log, ec);
  if (ec || size == 0) return {};
  const int fd = ::open(log.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const std::size_t n = size > kLogTail ? kLogTail : static_cast<std::size_t>(size);
  std::string buf(n, '\0');
  const ssize_t got = ::pread(fd, buf.data(), n, static_cast<off_t>(size - n));
  ::close(fd);
  if (got <= 0) return {};
  buf.resize(static_cast<std::size_t>(got));
  for (char& ch : buf) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e) ch = ' ';
  }
  return "; Chromium's log ends: ..." + buf;
}

// posix_spawn's helper objects, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  bool actions_ok = false;
  bool attr_ok = false;
  SpawnSetup() {
    actions_ok = posix_spawn_file_actions_init(&actions) == 0;
    attr_ok = posix_spawnattr_init(&attr) == 0;
  }
  ~SpawnSetup() {
    if (actions_ok) posix_spawn_file_actions_destroy(&actions);
    if (attr_ok) posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// The environment for Chromium: ours, except that HOME and the XDG
// directories point into the throw-away directory, so that the browser
// writes no caches, key stores or crash reports into the user's home.
std::vector<std::string> child_environment(const std::filesystem::path& home) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view var(*e);
    if (var.starts_with("HOME=") || var.starts_with("XDG_CONFIG_HOME=") ||
        var.starts_with("XDG_CACHE_HOME=") || var.starts_with("XDG_DATA_HOME=")) {
      continue;
    }
    env.emplace_back(var);
  }
  env.push_back("HOME=" + home.string());
  env.push_back("XDG_CONFIG_HOME=" + (home / ".config").string());
  env.push_back("XDG_CACHE_HOME=" + (home / ".cache").string());
  env.push_back("XDG_DATA_HOME=" + (home / ".local/share").string());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs argv[0] with `env`, output to `log`, in a process group of its own;
// waits up to kPrintTimeLimit. Returns a description of the failure, or "".
std::string run_with_time_limit(std::vector<std::string> argv, std::vector<std::string> env,
                                const std::filesystem::path& log) {
  SpawnSetup setup;
  if (!setup.actions_ok || !setup.attr_ok) return "posix_spawn setup failed";
  if (posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0) != 0 ||
      posix_spawn_file_actions_addopen(&setup.actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                       0600) != 0 ||
      posix_spawn_file_actions_adddup2(&setup.actions, 1, 2) != 0) {
    return "posix_spawn file actions failed";
  }
  // Its own process group, so that a hung browser is killed with every
  // renderer and helper it started; a clean signal mask and default SIGPIPE
  // whatever the caller had.
  sigset_t empty;
  sigset_t defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  if (posix_spawnattr_setpgroup(&setup.attr, 0) != 0 ||
      posix_spawnattr_setsigmask(&setup.attr, &empty) != 0 ||
      posix_spawnattr_setsigdefault(&setup.attr, &defaults) != 0 ||
      posix_spawnattr_setflags(&setup.attr,
                               static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                  POSIX_SPAWN_SETSIGDEF)) != 0) {
    return "posix_spawn attributes failed";
  }
  std::vector<char*> args = c_strings(argv);
  std::vector<char*> envp = c_strings(env);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &setup.actions, &setup.attr, args.data(), envp.data());
  if (rc != 0) return std::string("cannot start ") + args[0] + ": " + std::strerror(rc);

  // Wait without reaping (WNOWAIT): while the exited leader is a zombie its
  // pid, which is the group id, cannot be reused, so killing the group
  // afterwards can only hit Chromium's own leftovers.
  const auto deadline = std::chrono::steady_clock::now() + kPrintTimeLimit;
  bool timed_out = false;
  for (;;) {
    siginfo_t info;
    std::memset(&info, 0, sizeof info);
    const int w = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (w == 0 && info.si_pid == pid) break;
    if (w != 0 && errno != EINTR) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return "Chromium did not finish within " + std::to_string(kPrintTimeLimit.count()) +
           " s and was stopped";
  }
  if (WIFSIGNALED(status)) return "Chromium died of signal " + std::to_string(WTERMSIG(status));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "Chromium exited with status " + std::to_string(WEXITSTATUS(status));
  }
  return {};
}

// Makes the printed file owner-only, checks it starts like a PDF and
// flushes it to disk before it is renamed into place.
std::string check_and_sync_pdf(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "Chromium wrote no PDF";
  std::array<char, 5> head{};
  const ssize_t got = ::pread(fd, head.data(), head.size(), 0);
  std::string error;
  if (got != static_cast<ssize_t>(head.size()) ||
      std::string_view(head.data(), head.size()) != "%PDF-") {
    error = "Chromium's output is not a PDF";
  } else if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    error = std::string("cannot finish the PDF: ") + std::strerror(errno);
  }
  ::close(fd);
  return error;
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

bool pdf_printer_available() {
  const std::filesystem::path exe = chromium_path();
  std::error_code ec;
  return std::filesystem::is_regular_file(exe, ec) && ::access(exe.c_str(), X_OK) == 0;
}

Status print_html_to_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf) {
  if (!pdf_printer_available()) {
    return Status(Code::kUnavailable, "chromium_missing",
                  "no Chromium at " + chromium_path().string() +
                      " to print PDFs with: install the Debian package chromium (or set "
                      "URNE_CHROMIUM to its path)");
  }
  std::error_code ec;
  const std::filesystem::path page = std::filesystem::absolute(html, ec).lexically_normal();
  if (ec || !std::filesystem::is_regular_file(page, ec)) {
    return Status(Code::kNotFound, "file_missing", html.string() + " does not exist");
  }
  const std::filesystem::path target = std::filesystem::absolute(pdf, ec).lexically_normal();
  if (ec) return print_failed("cannot resolve " + pdf.string());

  // The profile goes to the system's temporary directory (Chromium wants
  // a file system with symlinks and locks for it; a USB stick may not have
  // them); the PDF is printed into a private directory next to its target,
  // so that the final rename stays on one file system and is atomic, and
  // nobody else can read a half-written printout of the letters.
  URNE_ASSIGN_OR_RETURN(TempDir profile,
                        TempDir::make(std::filesystem::temp_directory_path(), "urne-chromium-"));
  URNE_ASSIGN_OR_RETURN(
      TempDir staging, TempDir::make(target.parent_path(), "." + target.filename().string() + "."));
  const std::filesystem::path printed = staging.path() / "print.pdf";
  const std::filesystem::path log = profile.path() / "chromium.log";

  std::vector<std::string> argv = {
      chromium_path().string(),
      "--headless",
      "--disable-gpu",
      "--user-data-dir=" + (profile.path() / "profile").string(),
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-extensions",
      "--disable-sync",
      // The page is self-contained; nothing it might name resolves.
      "--host-resolver-rules=MAP * ~NOTFOUND",
      "--no-pdf-header-footer",
      "--print-to-pdf=" + printed.string(),
  };
  // Chromium's sandbox refuses to run as root; as any other user it stays on.
  if (::geteuid() == 0) argv.emplace_back("--no-sandbox");
  argv.push_back(file_url(page));

  std::string failure =
      run_with_time_limit(std::move(argv), child_environment(profile.path()), log);
  if (failure.empty()) failure = check_and_sync_pdf(printed);
  if (!failure.empty()) return print_failed(failure + log_tail(log));

  std::filesystem::rename(printed, target, ec);
  if (ec) return print_failed("cannot move the PDF to " + target.string() + ": " + ec.message());
  sync_directory(target.parent_path());
  return Status::ok();
}

}  // namespace urne::cli
