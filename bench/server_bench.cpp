// Server benchmark: token issuances/s and ballots accepted/s of the real
// urne-server binary over HTTPS keep-alive, next to the machine's limits
// measured in the same run (one RSA-2048 private operation; one ballot
// verification, verify_cast_ballot), and the server's own CPU time per
// request against those limits.
//
// How it measures (the load generator shares the 2-core machine):
//   - urne-server runs as a child process (fresh data directory, --threads
//     2 by default). Its CPU time is utime + stime of /proc/PID/stat (all its
//     threads, clock ticks of 10 ms: the getrusage figures of that process),
//     read before and after each timed phase; its memory is VmRSS / VmHWM of
//     /proc/PID/status.
//   - Every request (token requests with the institutions' signatures,
//     ballots) is built before the timed phases; the timed loops only send
//     prepared bytes and keep the answers, which are checked afterwards
//     (every token must finalize and verify, every ballot must get a 201
//     with a receipt that verifies), else the run fails with exit status 1.
//   - Capacity: closed loop, C keep-alive connections (one thread each),
//     on the first share of the requests (--capacity-share, half by
//     default). The load: the rest, open loop at a fraction of that capacity
//     (--load-fraction, half by default) over K connections (--open-
//     connections; scripts/bench.sh uses 200), arrivals Poisson (fixed seed)
//     or at a fixed rate (--arrivals fixed); each request's latency runs from
//     its *scheduled* send time to its response, so a server (or a client
//     thread) that falls behind shows in the latency instead of being hidden
//     (coordinated omission). Whether the load generator kept up shows in
//     its own CPU (cores used during the phase) and the send lag (actual
//     send time minus scheduled time) printed with the phase.
//   - Limits: one thread of this process, CPU time per operation
//     (CLOCK_THREAD_CPUTIME_ID), ~2 s each, while the server is idle.
//
// A benchmark prints figures: a missed goal is printed as MISS and never
// changes the exit status; only a failure (a request refused, a token or
// receipt that does not verify, the server not starting) exits with 1.
// --results FILE also writes every figure as a `key=value` line (appended
// as it is measured, so a failed run still leaves what it measured):
// scripts/bench.sh builds its table from them.
//
// Usage: urne_bench_server [--quick] [--institutions N] [--ballots N]
//          [--connections C] [--open-connections K] [--server-threads T]
//          [--arrivals poisson|fixed] [--capacity-share F] [--load-fraction F]
//          [--limit-seconds S] [--data-parent DIR] [--keep-data]
//          [--results FILE]
#include <signal.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "cli/simulation.hpp"
#include "client/election_client.hpp"
#include "client/https_client.hpp"
#include "client/server_process.hpp"
#include "crypto/bytes.hpp"
#include "crypto/credential.hpp"
#include "crypto/hash.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"
#include "crypto/signing.hpp"

#ifndef URNE_SERVER_BINARY
#error "URNE_SERVER_BINARY must name the urne-server executable"
#endif

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using urne::client::HttpResponse;
using urne::client::HttpsClient;

// Goals of the issue (docs/performance.md).
constexpr double kIssuanceCpuGoal = 1.4;  // x one RSA-2048 private op
constexpr double kBallotCpuGoal = 1.6;    // x one ballot verification
constexpr double kP99GoalMs = 100.0;      // under the open-loop load
constexpr double kRssGoalMb = 64.0;       // after 10,000 ballots
constexpr std::size_t kRssGoalBallots = 10'000;
constexpr std::uint32_t kCandidates = 12;  // as the demo election and bench.sh's boards
constexpr std::uint32_t kMaxMarks = 7;
constexpr unsigned kTrustees = 3;
constexpr unsigned kThreshold = 2;
constexpr std::uint64_t kArrivalSeed = 2026;

// Anything that breaks the run: caught in main, which returns 1 after the
// destructors have stopped the server and removed its data.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class T>
T must(urne::Result<T> r, std::string_view what) {
  if (!r.ok()) throw Failure(std::string(what) + ": " + r.status().to_string());
  return std::move(r).value();
}
void must(const urne::Status& s, std::string_view what) {
  if (!s.is_ok()) throw Failure(std::string(what) + ": " + s.to_string());
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// This process's CPU time (all threads: the load generator).
double self_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return tv(ru.ru_utime) + tv(ru.ru_stime);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- the machine -------------------------------------------------------------------------

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string fs_type(const fs::path& p) {
  struct statfs s {};
  if (statfs(p.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53UL:
      return "ext4";
    case 0x01021994UL:
      return "tmpfs (fsync is free: commits are not durable)";
    case 0x58465342UL:
      return "xfs";
    case 0x9123683EUL:
      return "btrfs";
    case 0x794C7630UL:
      return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

double load_average() {
  double avg[1] = {0};
  return getloadavg(avg, 1) == 1 ? avg[0] : -1;
}

// ---- the server as a child process ---------------------------------------------------------

struct TempDir {
  fs::path path;
  bool keep = false;
  explicit TempDir(const fs::path& parent) {
    urne::SystemRng rng;
    std::array<std::uint8_t, 8> r{};
    rng.fill(r);
    path = parent / ("urne-bench-server-" + urne::hex_encode(r));
    fs::create_directories(path);
  }
  ~TempDir() {
    if (keep) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

struct Memory {
  double rss_mb = 0;
  double hwm_mb = 0;
};

// The server child (client/server_process.hpp) and what /proc says about it.
class ServerChild {
 public:
  ServerChild(const fs::path& data_dir, const fs::path& log_file,
              const std::vector<std::string>& args)
      : process_(
            must(urne::client::ServerProcess::start(URNE_SERVER_BINARY, data_dir, args, log_file),
                 "start urne-server")) {}

  std::uint16_t port() const { return process_->port(); }
  const std::string& fingerprint() const { return process_->fingerprint(); }

  // utime + stime of the server (all threads), in seconds; what getrusage
  // reports for that process, read from outside: {utime, stime}.
  std::pair<double, double> cpu_split() const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The command name (field 2) is in parentheses and may hold spaces:
    // count the fields after the last ')'. utime and stime are fields 14, 15.
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) throw Failure("cannot read /proc/PID/stat of the server");
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && (fields >> field); ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    const auto tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {static_cast<double>(utime) / tick, static_cast<double>(stime) / tick};
  }

  Memory memory() const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/status");
    std::string line;
    Memory m;
    auto mb = [](const std::string& l) {
      return std::stod(l.substr(l.find(':') + 1)) / 1024.0;  // "VmRSS:   12345 kB"
    };
    while (std::getline(in, line)) {
      if (line.rfind("VmRSS:", 0) == 0) m.rss_mb = mb(line);
      if (line.rfind("VmHWM:", 0) == 0) m.hwm_mb = mb(line);
    }
    return m;
  }

 private:
  std::unique_ptr<urne::client::ServerProcess> process_;
};

// ---- load generation ---------------------------------------------------------------------

// One prepared request: only bytes, sent as they are.
struct Prepared {
  std::string body;
  HttpsClient::Headers headers;
};

struct Answer {
  int status = 0;  // 0: transport error (`error` says which)
  std::string content_type;
  std::string body;
  std::string error;
  double latency_s = 0;   // response time - scheduled (open loop) or send time
  double send_lag_s = 0;  // actual send time - scheduled time (open loop)
  bool resent = false;    // sent again after the server closed the connection
};

struct PhaseResult {
  std::size_t requests = 0;
  double wall_s = 0;
  double server_cpu_s = 0;
  double server_sys_s = 0;  // the kernel's part of server_cpu_s
  double client_cpu_s = 0;  // this process, all threads
  std::uint64_t connections = 0;
  std::vector<double> latencies;  // seconds, sorted
  double max_send_lag_s = 0;
  double rate = 0;         // offered arrival rate (open loop), requests/s
  std::size_t resent = 0;  // answers that needed a second send (Answer::resent)

  double throughput() const { return static_cast<double>(requests) / wall_s; }
  double server_cpu_per_request() const { return server_cpu_s / static_cast<double>(requests); }
  double client_cpu_per_request() const { return client_cpu_s / static_cast<double>(requests); }
  // Nearest-rank percentile, in milliseconds.
  double percentile_ms(double p) const {
    if (latencies.empty()) return 0;
    auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(latencies.size())));
    rank = std::clamp<std::size_t>(rank, 1, latencies.size());
    return latencies[rank - 1] * 1000.0;
  }
};

struct Target {
  urne::client::Url url;
  urne::client::TrustConfig trust;
  std::string path;
  std::string content_type;
  std::string method = "POST";
};

std::vector<std::unique_ptr<HttpsClient>> connect_all(const Target& t, std::size_t n) {
  std::vector<std::unique_ptr<HttpsClient>> clients;
  for (std::size_t i = 0; i < n; ++i) {
    clients.push_back(must(HttpsClient::connect(t.url, t.trust), "connect"));
  }
  return clients;
}

Answer send_one(HttpsClient& c, const Target& t, const Prepared& p) {
  Answer a;
  auto r = c.request(t.method, t.path, p.body, t.content_type, p.headers);
  // A keep-alive connection idle for longer than the server's header
  // timeout is closed by the server; a POST whose send raced with that close
  // fails with connection_lost (client/https_client.hpp). The API's POSTs
  // are idempotent, so the client resends once, as a browser does; counted.
  if (!r.ok() && r.status().reason() == "connection_lost") {
    a.resent = true;
    r = c.request(t.method, t.path, p.body, t.content_type, p.headers);
  }
  if (!r.ok()) {
    a.error = r.status().to_string();
    return a;
  }
  a.status = r->status;
  a.content_type = std::move(r->content_type);
  a.body = std::move(r->body);
  return a;
}

// Runs `work(thread index, client)` on one thread per client, between two
// readings of the server's and this process's CPU time.
template <class Work>
PhaseResult timed_phase(const ServerChild& server,
                        std::vector<std::unique_ptr<HttpsClient>>& clients, Work&& work) {
  PhaseResult r;
  std::vector<std::uint64_t> connections_before;
  for (auto& c : clients) connections_before.push_back(c->stats().connections);
  const auto server_cpu0 = server.cpu_split();
  const double client_cpu0 = self_cpu_seconds();
  const auto t0 = Clock::now();
  {
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      threads.emplace_back([&work, &clients, i] { work(i, *clients[i]); });
    }
    for (auto& th : threads) th.join();
  }
  r.wall_s = seconds_since(t0);
  r.client_cpu_s = self_cpu_seconds() - client_cpu0;
  const auto server_cpu1 = server.cpu_split();
  r.server_sys_s = server_cpu1.second - server_cpu0.second;
  r.server_cpu_s = std::max(
      0.0, (server_cpu1.first + server_cpu1.second) - (server_cpu0.first + server_cpu0.second));
  // Connections opened during the phase (keep-alive: none is expected).
  for (std::size_t i = 0; i < clients.size(); ++i) {
    r.connections += clients[i]->stats().connections - connections_before[i];
  }
  return r;
}

// Closed loop: each connection sends its next request as soon as the
// previous answer is in; throughput = requests / wall time.
PhaseResult closed_loop(const ServerChild& server, const Target& t,
                        const std::vector<Prepared>& requests, std::size_t first, std::size_t count,
                        std::size_t connections, std::vector<Answer>& answers) {
  auto clients = connect_all(t, connections);
  std::atomic<std::size_t> next{0};
  PhaseResult r = timed_phase(server, clients, [&](std::size_t, HttpsClient& c) {
    for (std::size_t i = next++; i < count; i = next++) {
      const auto sent = Clock::now();
      Answer a = send_one(c, t, requests[first + i]);
      a.latency_s = seconds_since(sent);
      answers[first + i] = std::move(a);
    }
  });
  r.requests = count;
  for (std::size_t i = 0; i < count; ++i) {
    r.latencies.push_back(answers[first + i].latency_s);
    r.resent += answers[first + i].resent ? 1 : 0;
  }
  std::sort(r.latencies.begin(), r.latencies.end());
  return r;
}

enum class Arrivals { kPoisson, kFixed };

// Open loop: request i is due at t0 + a_i, with Poisson arrivals at `rate`
// (exponential gaps, fixed seed) or one every 1/rate seconds. A free
// connection takes the next request, waits for its due time and sends it;
// latency = answer - due time, so time spent waiting for a free connection
// counts.
PhaseResult open_loop(const ServerChild& server, const Target& t,
                      const std::vector<Prepared>& requests, std::size_t first, std::size_t count,
                      std::size_t connections, double rate, Arrivals arrivals,
                      std::vector<Answer>& answers) {
  std::mt19937_64 gen(kArrivalSeed);
  std::exponential_distribution<double> gap(rate);
  std::vector<double> due(count);
  double at = 0;
  for (double& d : due) {
    d = at;
    at += arrivals == Arrivals::kFixed ? 1.0 / rate : gap(gen);
  }
  auto clients = connect_all(t, connections);
  std::atomic<std::size_t> next{0};
  Clock::time_point start;
  std::atomic<bool> started{false};
  PhaseResult r = timed_phase(server, clients, [&](std::size_t index, HttpsClient& c) {
    if (index == 0) {
      start = Clock::now() + std::chrono::milliseconds(20);
      started.store(true, std::memory_order_release);
    }
    while (!started.load(std::memory_order_acquire)) std::this_thread::yield();
    for (std::size_t i = next++; i < count; i = next++) {
      const auto when = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(due[i]));
      std::this_thread::sleep_until(when);
      const double lag = std::chrono::duration<double>(Clock::now() - when).count();
      Answer a = send_one(c, t, requests[first + i]);
      a.latency_s = std::chrono::duration<double>(Clock::now() - when).count();
      a.send_lag_s = lag;
      answers[first + i] = std::move(a);
    }
  });
  r.requests = count;
  r.rate = rate;
  for (std::size_t i = 0; i < count; ++i) {
    r.latencies.push_back(answers[first + i].latency_s);
    r.resent += answers[first + i].resent ? 1 : 0;
    r.max_send_lag_s = std::max(r.max_send_lag_s, answers[first + i].send_lag_s);
  }
  std::sort(r.latencies.begin(), r.latencies.end());
  return r;
}

void print_phase(const char* name, const PhaseResult& r, double limit_s) {
  std::printf(
      "  %-27s %6zu req in %6.2f s = %8.1f /s;  server CPU %7.3f ms/req (%.2fx limit);"
      "  bench CPU %.3f ms/req\n",
      name, r.requests, r.wall_s, r.throughput(), r.server_cpu_per_request() * 1000,
      r.server_cpu_per_request() / limit_s, r.client_cpu_per_request() * 1000);
  std::printf(
      "  %-27s (kernel %.3f ms/req; 1 tick = %.3f ms/req) latency ms p50 %.2f  p90 %.2f  p99 %.2f  "
      "max %.2f;"
      "  new connections %llu",
      "", r.server_sys_s * 1000 / static_cast<double>(r.requests),
      1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK)) / static_cast<double>(r.requests),
      r.percentile_ms(50), r.percentile_ms(90), r.percentile_ms(99), r.percentile_ms(100),
      static_cast<unsigned long long>(r.connections));
  if (r.rate > 0) {
    std::printf(";  offered %.1f /s, max send lag %.2f ms", r.rate, r.max_send_lag_s * 1000);
  }
  if (r.resent > 0) std::printf(";  resent after an idle close %zu", r.resent);
  std::printf("\n");
}

// Answers in [first, first + count) that are a transport error or not
// `status`: the load test's error count (goal: none).
std::size_t count_errors(const std::vector<Answer>& answers, std::size_t first, std::size_t count,
                         int status) {
  return static_cast<std::size_t>(
      std::count_if(answers.begin() + static_cast<std::ptrdiff_t>(first),
                    answers.begin() + static_cast<std::ptrdiff_t>(first + count),
                    [status](const Answer& a) { return a.status != status; }));
}

// `key=value` lines for scripts/bench.sh, appended and flushed one by one
// so that a run that fails later still leaves what it measured. Without a
// file name it writes nothing.
class ResultsFile {
 public:
  explicit ResultsFile(const std::optional<fs::path>& path) {
    if (!path) return;
    out_.open(*path, std::ios::trunc);
    if (!out_) throw Failure("cannot write " + path->string());
  }
  void put(const std::string& key, double value) {
    if (!out_.is_open()) return;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    out_ << key << '=' << buf << '\n' << std::flush;
  }
  // One phase's figures under `prefix`: rates /s, times ms, memory MB.
  void put_phase(const std::string& prefix, const PhaseResult& r, std::size_t errors) {
    put(prefix + "_requests", static_cast<double>(r.requests));
    put(prefix + "_rate", r.throughput());
    put(prefix + "_offered", r.rate);
    put(prefix + "_cpu_ms", r.server_cpu_per_request() * 1000);
    put(prefix + "_p50_ms", r.percentile_ms(50));
    put(prefix + "_p99_ms", r.percentile_ms(99));
    put(prefix + "_max_ms", r.percentile_ms(100));
    put(prefix + "_errors", static_cast<double>(errors));
    put(prefix + "_bench_cores", r.client_cpu_s / r.wall_s);
    put(prefix + "_max_lag_ms", r.max_send_lag_s * 1000);
    put(prefix + "_new_connections", static_cast<double>(r.connections));
    put(prefix + "_resent", static_cast<double>(r.resent));
  }

 private:
  std::ofstream out_;
};

// Fails the run if any answer is a transport error or not `status`.
void require_status(const std::vector<Answer>& answers, int status, const char* what) {
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const Answer& a = answers[i];
    if (a.status == status) continue;
    throw Failure(std::string(what) + " #" + std::to_string(i) + ": " +
                  (a.status == 0
                       ? a.error
                       : "HTTP " + std::to_string(a.status) + " " + a.body.substr(0, 300)));
  }
}

// ---- the machine's limits ----------------------------------------------------------------

// CPU seconds of one call of `op`, on this thread, over ~`seconds` of CPU.
template <class Op>
double cpu_per_op(double seconds, Op&& op) {
  op(0);  // warm-up
  const double start = thread_cpu_seconds();
  long count = 0;
  double now = start;
  do {
    for (int i = 0; i < 8; ++i) op(count++);
    now = thread_cpu_seconds();
  } while (now - start < seconds);
  return (now - start) / static_cast<double>(count);
}

// {one thread alone, each of `threads` threads running at once}: the second
// figure shows what sharing the cores (SMT siblings, caches) does to the CPU
// time of one operation; diagnostic only, the limit is the first.
std::pair<double, double> rsa_private_op_limit(double seconds, unsigned threads) {
  using namespace urne;
  auto issuer =
      must(TokenIssuer::create(must(BlindRsaSecretKey::generate(2048), "rsa key")), "issuer");
  FixedBytes<32> election_id{};
  election_id.fill(0x42);
  const auto challenge = must(
      TokenChallenge::for_election(as_bytes("urne.bench"), election_id, as_bytes("")), "challenge");
  SystemRng rng;
  std::vector<TokenRequest> requests;
  for (int i = 0; i < 64; ++i) {
    requests.push_back(
        must(create_token_request(issuer.public_key(), challenge, rng), "token request").request);
  }
  auto op = [&](long i) {
    must(issuer.evaluate(requests[static_cast<std::size_t>(i) % requests.size()]), "evaluate");
  };
  const double alone = cpu_per_op(seconds, op);
  std::vector<double> each(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] { each[t] = cpu_per_op(seconds, op); });
  }
  for (auto& th : pool) th.join();
  double sum = 0;
  for (double e : each) sum += e;
  return {alone, sum / threads};
}

double ballot_verification_limit(double seconds, const urne::Manifest& m,
                                 const std::vector<urne::CastBallot>& ballots) {
  const std::size_t sample = std::min<std::size_t>(64, ballots.size());
  return cpu_per_op(seconds, [&](long i) {
    must(urne::verify_cast_ballot(m, ballots[static_cast<std::size_t>(i) % sample]),
         "verify_cast_ballot");
  });
}

// ---- options -----------------------------------------------------------------------------

struct Options {
  std::size_t institutions = urne::Roster::kMaxInstitutions;
  std::optional<std::size_t> ballots;
  std::size_t connections = 4;
  std::size_t open_connections = 16;
  unsigned server_threads = 4;  // urne-server's default (server/listener.hpp)
  Arrivals arrivals = Arrivals::kPoisson;
  double capacity_share = 0.5;  // of the requests, for the closed-loop phase
  double load_fraction = 0.5;   // of the measured capacity, the open loop's rate
  std::optional<fs::path> results;
  double limit_seconds = 2.0;
  fs::path data_parent = fs::temp_directory_path();
  bool keep_data = false;
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--quick] [--institutions N (2..10000)] [--ballots N (<= institutions)]\n"
               "          [--connections C] [--open-connections K (1..240)] [--server-threads T]\n"
               "          [--arrivals poisson|fixed] [--capacity-share F (0.05..0.95)]\n"
               "          [--load-fraction F (0.05..2)] [--limit-seconds S] [--data-parent DIR]\n"
               "          [--keep-data] [--results FILE]\n",
               argv0);
  std::exit(2);
}

std::size_t count_arg(const char* text, std::size_t lo, std::size_t hi, const char* argv0) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v < lo || v > hi) usage(argv0);
  return static_cast<std::size_t>(v);
}

double fraction_arg(const char* text, double lo, double hi, const char* argv0) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= lo && v <= hi)) usage(argv0);
  return v;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (a == "--quick") {
      o.institutions = 200;
      o.ballots = 200;
      o.limit_seconds = 1.0;
    } else if (a == "--institutions") {
      o.institutions = count_arg(value(), 2, urne::Roster::kMaxInstitutions, argv[0]);
    } else if (a == "--ballots") {
      o.ballots = count_arg(value(), 2, urne::Roster::kMaxInstitutions, argv[0]);
    } else if (a == "--connections") {
      o.connections = count_arg(value(), 1, 64, argv[0]);
    } else if (a == "--open-connections") {
      // The server accepts 256 connections (server/listener.hpp); keep
      // room for the API client and the closed-loop ones.
      o.open_connections = count_arg(value(), 1, 240, argv[0]);
    } else if (a == "--arrivals") {
      const std::string_view v = value();
      if (v != "poisson" && v != "fixed") usage(argv[0]);
      o.arrivals = v == "fixed" ? Arrivals::kFixed : Arrivals::kPoisson;
    } else if (a == "--capacity-share") {
      o.capacity_share = fraction_arg(value(), 0.05, 0.95, argv[0]);
    } else if (a == "--load-fraction") {
      o.load_fraction = fraction_arg(value(), 0.05, 2.0, argv[0]);
    } else if (a == "--results") {
      o.results = value();
    } else if (a == "--server-threads") {
      o.server_threads = static_cast<unsigned>(count_arg(value(), 1, 64, argv[0]));
    } else if (a == "--limit-seconds") {
      o.limit_seconds = static_cast<double>(count_arg(value(), 1, 60, argv[0]));
    } else if (a == "--data-parent") {
      o.data_parent = value();
    } else if (a == "--keep-data") {
      o.keep_data = true;
    } else {
      usage(argv[0]);
    }
  }
  if (!o.ballots || *o.ballots > o.institutions) o.ballots = o.institutions;
  return o;
}

// ---- the run -----------------------------------------------------------------------------

struct Row {
  std::string what;
  std::string measured;
  std::string limit;
  std::string ratio;
  std::string goal;
  std::string verdict;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

int run(const Options& opt) {
  using namespace urne;
  if (Status s = init_crypto(); !s) throw Failure(s.to_string());
  const std::size_t n_inst = opt.institutions;
  const std::size_t n_ballots = *opt.ballots;
  // First slice: capacity (closed loop); second: open loop at a fraction
  // of it. Each slice keeps at least one request.
  auto capacity_slice = [&opt](std::size_t n) {
    const auto k = static_cast<std::size_t>(opt.capacity_share * static_cast<double>(n));
    return std::clamp<std::size_t>(k, 2, n - 1);
  };
  const std::size_t issue_cap = capacity_slice(n_inst);
  const std::size_t ballot_cap = capacity_slice(n_ballots);
  ResultsFile results(opt.results);
  const char* arrivals_name = opt.arrivals == Arrivals::kFixed ? "fixed-rate" : "Poisson";

  TempDir dir(opt.data_parent);
  dir.keep = opt.keep_data;
  const fs::path data_dir = dir.path / "data";
  const fs::path log_file = dir.path / "server.log";

  std::printf(
      "urne server benchmark: urne-server over HTTPS keep-alive, %zu institutions, "
      "%zu ballots, %u candidates (max %u marks), %u-of-%u trustees\n",
      n_inst, n_ballots, kCandidates, kMaxMarks, kThreshold, kTrustees);
  std::printf("machine: %u CPUs (nproc), %s; load average %.2f at start\n",
              static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)), cpu_model().c_str(),
              load_average());
  std::printf("server: %s --threads %u; data dir %s on %s (SQLite WAL, synchronous=FULL)\n",
              URNE_SERVER_BINARY, opt.server_threads, data_dir.c_str(), fs_type(dir.path).c_str());
  std::printf(
      "load generator: this process on the same machine; %zu closed-loop connections "
      "(capacity, %zu issuances / %zu ballots), %zu open-loop connections (%s arrivals at "
      "%.2f x capacity, the rest), one thread each\n",
      opt.connections, issue_cap, ballot_cap, opt.open_connections, arrivals_name,
      opt.load_fraction);
  std::printf(
      "server CPU = utime+stime of the server process from /proc/PID/stat (its own "
      "getrusage figures, all threads, %ld ticks/s), read before and after each phase\n\n",
      sysconf(_SC_CLK_TCK));
  std::fflush(stdout);

  // ---- 1. limits, RSA part (the server is not started yet) ----
  std::printf("[limit] RSA-2048 private op (TokenIssuer::evaluate, 1 thread, %.0f s CPU) ...\n",
              opt.limit_seconds);
  std::fflush(stdout);
  const unsigned cpus = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
  const auto [rsa_before_s, rsa_shared_s] = rsa_private_op_limit(opt.limit_seconds, cpus);
  double rsa_s = rsa_before_s;
  std::printf(
      "[limit] RSA-2048 private op: %.3f ms CPU = %.1f /s per core (diagnostic: %.3f ms "
      "CPU per op with %u threads at once)\n",
      rsa_before_s * 1000, 1 / rsa_before_s, rsa_shared_s * 1000, cpus);
  results.put("server_threads", opt.server_threads);
  results.put("load_connections", static_cast<double>(opt.open_connections));
  results.put("load_fraction", opt.load_fraction);

  // ---- 2. the server and the election ----
  SystemRng rng;
  const Ed25519SigningKey officer = Ed25519SigningKey::generate(rng);
  ServerChild server(data_dir, log_file,
                     {"--officer-key", hex_encode(officer.public_key()), "--threads",
                      std::to_string(opt.server_threads)});
  const Memory mem_start = server.memory();
  results.put("rss_start_mb", mem_start.rss_mb);
  const auto url =
      must(client::parse_url("https://127.0.0.1:" + std::to_string(server.port())), "url");
  const auto trust = must(client::TrustConfig::pinned_sha256(server.fingerprint()), "trust");
  auto api = must(client::ElectionClient::connect(url, trust), "connect");

  auto t0 = Clock::now();
  const CredentialContext context = CredentialContext::generate(rng);
  std::vector<std::string> ids;
  std::vector<InstitutionSecretKey> keys;
  std::vector<Institution> institutions;
  for (std::size_t i = 0; i < n_inst; ++i) {
    const auto i32 = static_cast<std::uint32_t>(i);
    ids.push_back(cli::sim::institution_id(i32, static_cast<std::uint32_t>(n_inst)));
    keys.push_back(must(InstitutionSecretKey::derive(VotingCode::generate(rng), context), "key"));
    institutions.push_back(
        Institution{ids.back(), "Einrichtung " + std::to_string(i + 1), keys.back().public_key()});
  }
  const Roster roster =
      must(Roster::create("Benchmark " + std::to_string(n_inst), context, institutions), "roster");
  std::ostringstream ceremony_text;
  const auto ceremony =
      must(cli::sim::run_key_ceremony(kTrustees, kThreshold, rng, ceremony_text, 2), "ceremony");
  must(api.upload_roster(officer, roster, unix_now()), "upload roster");
  const TokenPublicKey token_key = must(api.create_token_key(officer, unix_now()), "token key");
  const Ed25519PublicKey service_key = must(api.service_key(), "service key");
  FixedBytes<32> lot_seed{};
  rng.fill(lot_seed);
  ManifestSpec spec;
  spec.title = "Benchmark election";
  spec.kind = "Benchmark";
  spec.roster_fingerprint = roster.fingerprint();
  for (std::uint32_t i = 0; i < kCandidates; ++i) spec.candidates.push_back(cli::sim::candidate(i));
  spec.max_marks = kMaxMarks;
  spec.invalid_offered = true;
  spec.lot_seed_commitment = lot_seed_commitment(lot_seed);
  spec.token_issuer_name = "urne.bench";
  spec.token_public_key = Bytes(token_key.spki().begin(), token_key.spki().end());
  spec.ceremony_id = ceremony.params.ceremony_id();
  spec.trustees = kTrustees;
  spec.threshold = kThreshold;
  spec.qual_commitments = ceremony.commitments;
  spec.service_key = service_key;
  spec.officer_key = officer.public_key();
  spec.page_hash = sha256(as_bytes("urne server benchmark"));
  const Manifest manifest = must(Manifest::create(std::move(spec)), "manifest");
  const ElectionId& id = manifest.election_id();
  must(api.create_election(officer, manifest, nullptr, unix_now()), "create election");
  std::uint32_t sequence = 0;
  must(api.transition(officer, id, ElectionState::kPublished, ++sequence), "publish");
  std::printf(
      "[setup] server on port %u; roster of %zu, key ceremony, election %s published "
      "(%.1f s)\n",
      server.port(), n_inst, hex_encode(id).substr(0, 16).c_str(), seconds_since(t0));

  // ---- 3. issuance ----
  t0 = Clock::now();
  const TokenPublicKey& pk = manifest.token_public_key();
  std::vector<PendingTokenRequest> pending;
  std::vector<Prepared> token_requests;
  for (std::size_t i = 0; i < n_inst; ++i) {
    PendingTokenRequest p =
        must(create_token_request(pk, manifest.token_challenge(), rng), "create_token_request");
    const InstitutionSignature sig = must(
        sign_token_request(keys[i], id, ids[i], pk.key_id(), p.request.bytes()), "sign request");
    const auto b = p.request.bytes();
    token_requests.push_back(Prepared{
        std::string(b.begin(), b.end()),
        {{"Urne-Institution", ids[i]}, {"Urne-Institution-Signature", base64url_encode(sig)}}});
    pending.push_back(std::move(p));
  }
  std::printf("[issuance] %zu token requests blinded and signed beforehand (%.1f s)\n", n_inst,
              seconds_since(t0));
  std::fflush(stdout);
  const Target issue_target{url, trust, "/api/v1/elections/" + hex_encode(id) + "/token-request",
                            "application/private-token-request"};
  std::vector<Answer> token_answers(n_inst);
  // The first request loads the election's caches (manifest, roster,
  // issuing key): shown apart, then the steady state is measured.
  const PhaseResult issue_first =
      closed_loop(server, issue_target, token_requests, 0, 1, 1, token_answers);
  const PhaseResult issue_closed = closed_loop(server, issue_target, token_requests, 1,
                                               issue_cap - 1, opt.connections, token_answers);
  const double issue_rate = issue_closed.throughput() * opt.load_fraction;
  const PhaseResult issue_open =
      open_loop(server, issue_target, token_requests, issue_cap, n_inst - issue_cap,
                opt.open_connections, issue_rate, opt.arrivals, token_answers);
  // Measured again right after the phase; the smaller figure is the limit
  // (a shared VM's neighbours and steal time only ever make it larger).
  const double rsa_after_s = rsa_private_op_limit(opt.limit_seconds, 1).first;
  rsa_s = std::min(rsa_before_s, rsa_after_s);
  std::printf(
      "[limit] RSA-2048 private op again after the phase: %.3f ms CPU; limit = the "
      "smaller, %.3f ms\n",
      rsa_after_s * 1000, rsa_s * 1000);
  std::printf("[issuance] POST /token-request (limit: one RSA-2048 private op, %.3f ms CPU)\n",
              rsa_s * 1000);
  std::printf("  first request (cold caches): %.1f ms, server CPU %.0f ms\n",
              issue_first.percentile_ms(100), issue_first.server_cpu_s * 1000);
  print_phase("capacity (closed loop)", issue_closed, rsa_s);
  print_phase("load (open loop)", issue_open, rsa_s);
  const Memory mem_issued = server.memory();
  results.put("rsa_op_ms", rsa_s * 1000);
  results.put("issue_first_ms", issue_first.percentile_ms(100));
  results.put_phase("issue_cap", issue_closed, count_errors(token_answers, 1, issue_cap - 1, 200));
  results.put_phase("issue_load", issue_open,
                    count_errors(token_answers, issue_cap, n_inst - issue_cap, 200));
  results.put("rss_issued_mb", mem_issued.rss_mb);
  require_status(token_answers, 200, "token request");

  // Diagnostics (no goal): what a request costs the server without the RSA
  // operation. A GET of the service key is HTTPS keep-alive, parsing,
  // routing and logging; a repeated token request (already issued: the
  // stored response comes back) adds the institution's signature check and
  // the store lookup, but no RSA operation and no write transaction.
  const std::size_t n_diag = std::min<std::size_t>(2000, n_inst);
  std::vector<Answer> diag_answers(n_diag);
  const Target get_target{url, trust, "/api/v1/service", "", "GET"};
  const std::vector<Prepared> gets(n_diag);
  const PhaseResult diag_get =
      closed_loop(server, get_target, gets, 0, n_diag, opt.connections, diag_answers);
  require_status(diag_answers, 200, "GET /api/v1/service");
  const PhaseResult diag_repeat =
      closed_loop(server, issue_target, token_requests, 0, n_diag, opt.connections, diag_answers);
  require_status(diag_answers, 200, "repeated token request");
  for (std::size_t i = 0; i < n_diag; ++i) {
    if (diag_answers[i].body != token_answers[i].body) {
      throw Failure("repeated token request #" + std::to_string(i) + ": another response");
    }
  }
  std::printf("[diagnostics] server CPU per request without an RSA operation (closed loop):\n");
  print_phase("GET /api/v1/service", diag_get, rsa_s);
  print_phase("repeated token request", diag_repeat, rsa_s);
  diag_answers.clear();

  // Every answer must finalize into a token that verifies (not timed).
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < n_inst; ++i) {
    if (token_answers[i].content_type != "application/private-token-response") {
      throw Failure("token request #" + std::to_string(i) + ": content type " +
                    token_answers[i].content_type);
    }
    const std::string& body = token_answers[i].body;
    const auto resp = must(TokenResponse::parse(ByteView(
                               reinterpret_cast<const std::uint8_t*>(body.data()), body.size())),
                           "token response");
    tokens.push_back(must(finalize_token(pk, pending[i].state, resp), "finalize_token"));
  }
  token_answers.clear();
  token_answers.shrink_to_fit();
  std::printf("[issuance] all %zu responses finalized into tokens that verify\n", tokens.size());

  // ---- 4. ballots ----
  must(api.transition(officer, id, ElectionState::kOpen, ++sequence), "open");
  t0 = Clock::now();
  std::vector<std::optional<CastBallot>> built(n_ballots);
  {
    std::atomic<bool> failed{false};
    std::string failure;
    std::vector<std::thread> threads;
    constexpr std::size_t kPrepThreads = 2;
    for (std::size_t w = 0; w < kPrepThreads; ++w) {
      threads.emplace_back([&, w] {
        SystemRng thread_rng;
        for (std::size_t i = w; i < n_ballots && !failed; i += kPrepThreads) {
          const Choice choice = cli::sim::random_choice(manifest, i, thread_rng);
          auto b = build_ballot(manifest, tokens[i], choice, thread_rng);
          if (!b.ok()) {
            if (!failed.exchange(true)) failure = b.status().to_string();
            return;
          }
          built[i] = std::move(b->ballot);
        }
      });
    }
    for (auto& th : threads) th.join();
    if (failed) throw Failure("build_ballot: " + failure);
  }
  std::vector<CastBallot> ballots;
  std::vector<Prepared> ballot_requests;
  for (auto& b : built) {
    ballots.push_back(std::move(*b));
    const std::string body =
        client::json{{"ballot", base64url_encode(ballots.back().canonical_bytes())}}.dump();
    ballot_requests.push_back(Prepared{body, {}});
  }
  built.clear();
  std::printf("[ballots] %zu ballots built beforehand on 2 threads (build_ballot; %.1f s)\n",
              n_ballots, seconds_since(t0));
  std::printf("[limit] ballot verification (verify_cast_ballot, 1 thread, %.0f s CPU) ...\n",
              opt.limit_seconds);
  std::fflush(stdout);
  const double verify_before_s = ballot_verification_limit(opt.limit_seconds, manifest, ballots);
  std::printf("[limit] ballot verification: %.3f ms CPU = %.1f /s per core\n",
              verify_before_s * 1000, 1 / verify_before_s);
  std::fflush(stdout);

  const Target ballot_target{url, trust, "/api/v1/elections/" + hex_encode(id) + "/ballots",
                             "application/json"};
  std::vector<Answer> ballot_answers(n_ballots);
  const PhaseResult ballot_first =
      closed_loop(server, ballot_target, ballot_requests, 0, 1, 1, ballot_answers);
  const PhaseResult ballot_closed = closed_loop(server, ballot_target, ballot_requests, 1,
                                                ballot_cap - 1, opt.connections, ballot_answers);
  const double ballot_rate = ballot_closed.throughput() * opt.load_fraction;
  const PhaseResult ballot_open =
      open_loop(server, ballot_target, ballot_requests, ballot_cap, n_ballots - ballot_cap,
                opt.open_connections, ballot_rate, opt.arrivals, ballot_answers);
  const Memory mem_end = server.memory();
  const double verify_after_s = ballot_verification_limit(opt.limit_seconds, manifest, ballots);
  const double verify_s = std::min(verify_before_s, verify_after_s);
  std::printf(
      "[limit] ballot verification again after the phase: %.3f ms CPU; limit = the "
      "smaller, %.3f ms\n",
      verify_after_s * 1000, verify_s * 1000);
  std::printf("[ballots] POST /ballots (limit: one ballot verification, %.3f ms CPU)\n",
              verify_s * 1000);
  std::printf("  first request (cold caches): %.1f ms, server CPU %.0f ms\n",
              ballot_first.percentile_ms(100), ballot_first.server_cpu_s * 1000);
  print_phase("capacity (closed loop)", ballot_closed, verify_s);
  print_phase("load (open loop)", ballot_open, verify_s);
  results.put("verify_ms", verify_s * 1000);
  results.put("ballot_first_ms", ballot_first.percentile_ms(100));
  results.put_phase("ballot_cap", ballot_closed,
                    count_errors(ballot_answers, 1, ballot_cap - 1, 201));
  results.put_phase("ballot_load", ballot_open,
                    count_errors(ballot_answers, ballot_cap, n_ballots - ballot_cap, 201));
  results.put("rss_end_mb", mem_end.rss_mb);
  results.put("hwm_end_mb", mem_end.hwm_mb);

  // Every answer must be 201 with a receipt for that ballot (not timed).
  require_status(ballot_answers, 201, "ballot");
  for (std::size_t i = 0; i < n_ballots; ++i) {
    const client::json j =
        client::json::parse(ballot_answers[i].body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.value("status", std::string()) != "accepted" ||
        !j.contains("receipt") || !j["receipt"].is_object() ||
        !j["receipt"].contains("canonical") || !j["receipt"]["canonical"].is_string()) {
      throw Failure("ballot #" + std::to_string(i) + ": no receipt in " +
                    ballot_answers[i].body.substr(0, 300));
    }
    const Bytes bytes =
        must(base64url_decode(j["receipt"]["canonical"].get<std::string>()), "receipt base64");
    const Receipt receipt = must(Receipt::parse_canonical(bytes), "receipt");
    must(verify_receipt(service_key, receipt), "receipt signature");
    if (receipt.election_id != id || receipt.ballot_hash != ballots[i].ballot_hash()) {
      throw Failure("ballot #" + std::to_string(i) + ": the receipt is for another ballot");
    }
  }
  std::printf("[ballots] all %zu answers 201 with a receipt that verifies for its ballot\n",
              n_ballots);
  std::printf(
      "[memory] server VmRSS: %.1f MB at start, %.1f MB after issuance, %.1f MB after "
      "%zu ballots (peak VmHWM %.1f MB)\n\n",
      mem_start.rss_mb, mem_issued.rss_mb, mem_end.rss_mb, n_ballots, mem_end.hwm_mb);

  // ---- 5. the table ----
  const auto cores = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
  auto pass = [](bool ok) { return std::string(ok ? "PASS" : "MISS"); };
  std::vector<Row> rows;
  rows.push_back({"issuances/s (capacity, closed loop)", fmt("%.1f /s", issue_closed.throughput()),
                  fmt("%.1f /s", cores / rsa_s),
                  fmt("%.2f", issue_closed.throughput() * rsa_s / cores), "-", "(all cores RSA)"});
  for (const auto* p : {&issue_closed, &issue_open}) {
    const double ratio = p->server_cpu_per_request() / rsa_s;
    rows.push_back(
        {std::string("server CPU/issuance, ") + (p == &issue_closed ? "capacity" : "load"),
         fmt("%.3f ms", p->server_cpu_per_request() * 1000), fmt("%.3f ms", rsa_s * 1000),
         fmt("%.2fx", ratio), fmt("<= %.1fx", kIssuanceCpuGoal), pass(ratio <= kIssuanceCpuGoal)});
  }
  rows.push_back({"issuance p99 under load", fmt("%.1f ms", issue_open.percentile_ms(99)), "-", "-",
                  fmt("< %.0f ms", kP99GoalMs), pass(issue_open.percentile_ms(99) < kP99GoalMs)});
  rows.push_back({"ballots/s (capacity, closed loop)", fmt("%.1f /s", ballot_closed.throughput()),
                  fmt("%.1f /s", cores / verify_s),
                  fmt("%.2f", ballot_closed.throughput() * verify_s / cores), "-",
                  "(all cores verify)"});
  for (const auto* p : {&ballot_closed, &ballot_open}) {
    const double ratio = p->server_cpu_per_request() / verify_s;
    rows.push_back(
        {std::string("server CPU/ballot, ") + (p == &ballot_closed ? "capacity" : "load"),
         fmt("%.3f ms", p->server_cpu_per_request() * 1000), fmt("%.3f ms", verify_s * 1000),
         fmt("%.2fx", ratio), fmt("<= %.1fx", kBallotCpuGoal), pass(ratio <= kBallotCpuGoal)});
  }
  rows.push_back({"ballot p99 under load", fmt("%.1f ms", ballot_open.percentile_ms(99)), "-", "-",
                  fmt("< %.0f ms", kP99GoalMs), pass(ballot_open.percentile_ms(99) < kP99GoalMs)});
  rows.push_back({"server RSS after " + std::to_string(n_ballots) + " ballots",
                  fmt("%.1f MB", mem_end.rss_mb), "-", "-", fmt("< %.0f MB", kRssGoalMb),
                  pass(mem_end.rss_mb < kRssGoalMb) +
                      (n_ballots < kRssGoalBallots ? " (goal is for 10,000)" : "")});
  rows.push_back({"server peak RSS (VmHWM)", fmt("%.1f MB", mem_end.hwm_mb), "-", "-",
                  fmt("< %.0f MB", kRssGoalMb), pass(mem_end.hwm_mb < kRssGoalMb)});
  std::printf("%-40s %12s %12s %7s %9s  %s\n", "figure", "measured", "limit", "ratio", "goal",
              "verdict");
  for (const Row& r : rows) {
    std::printf("%-40s %12s %12s %7s %9s  %s\n", r.what.c_str(), r.measured.c_str(),
                r.limit.c_str(), r.ratio.c_str(), r.goal.c_str(), r.verdict.c_str());
  }
  std::printf(
      "(limits: CPU time of one thread of this process; commits: synchronous=FULL "
      "before each answer; load average %.2f at the end)\n",
      load_average());
  if (opt.keep_data) std::printf("data kept in %s\n", dir.path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  try {
    return run(opt);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "urne_bench_server: FAILED: %s\n", e.what());
    return 1;
  }
}
