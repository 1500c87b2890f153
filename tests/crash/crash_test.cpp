// urne_crash_test: the crash test of the hardening issue. It runs a whole
// election against the real urne-server binary while many concurrent
// clients request tokens and cast ballots, kills the server with SIGKILL at
// random moments (restarting it on the same data directory each time), then
// closes, tallies and publishes, and proves from the published board that
// nothing the server acknowledged was lost: every receipt's ballot is on
// the board, every acknowledged issuance is in the issuance log (and is
// answered with the same response again), no token is spent twice, the
// totals equal the choices made, and `urne audit` passes on the board file.
//
// Why a program and not a doctest case: it is one long scenario with
// printed figures (kills, acknowledgements, board counts), run in a short
// form by ctest (label "crash") and in a long form by scripts/crash-test.sh.
// Figures are printed, never asserted against a clock.
//
// Retries follow the API's contract (docs/api.md): the POSTs are idempotent,
// so a client whose connection broke re-sends the SAME blinded token request
// (the blinding state stays here) and the SAME ballot bytes, and must get the
// same response and the same receipt.
//
// Usage: urne_crash_test [--institutions N] [--clients C] [--kills K]
//          [--min-ms A] [--max-ms B] [--seed S] [--server-binary PATH]
//          [--keep-data]
// Exit 0 only when every check holds; the last line is "crash test: PASSED"
// or "crash test: FAILED: <why>".
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ballot/audit.hpp"
#include "ballot/ballot.hpp"
#include "ballot/board.hpp"
#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "ballot/tally.hpp"
#include "cli/audit.hpp"
#include "cli/simulation.hpp"
#include "client/election_client.hpp"
#include "client/server_process.hpp"
#include "crypto/credential.hpp"
#include "crypto/hash.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"
#include "crypto/threshold.hpp"
#include "test_util.hpp"

namespace urne::crash {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A step (one request) that keeps failing for this long after the last
// kill gives up: far beyond any restart, so that only a server that does not
// serve any more trips it. While the kills go on, no single request is
// promised to get through (the long form showed ballots that were in the
// server's queue at kill after kill for minutes), so the clock starts only
// when they end: the election must then finish.
constexpr auto kGiveUpAfter = std::chrono::seconds(120);
// How long a client whose connection broke waits for the killer to announce
// a restarted server before it simply tries again (the server may also have
// been up all along: a lost connection for another reason).
constexpr milliseconds kWaitForRestart{200};
// The bounded poll of /health after a restart: 400 x 25 ms = 10 s.
constexpr int kHealthPolls = 400;
constexpr milliseconds kHealthPollInterval{25};
// Client timeouts: a killed server resets its sockets at once, so these only
// bound a server that hangs.
constexpr milliseconds kConnectTimeout{5'000};
constexpr milliseconds kRequestTimeout{30'000};
// The election of the brief: 12 candidates, 7 seats, 2 substitutes, up to 7
// marks, 2-of-3 trustees.
constexpr std::uint32_t kCandidates = 12;
constexpr unsigned kTrustees = 3;
constexpr unsigned kThreshold = 2;

struct Options {
  std::uint32_t institutions = 60;
  unsigned clients = 16;
  unsigned kills = 20;
  unsigned min_ms = 50;
  unsigned max_ms = 600;
  std::uint64_t seed = 1;
  fs::path server_binary = URNE_SERVER_BINARY;
  bool keep_data = false;
};

Result<Options> parse_options(int argc, char** argv) {
  Options o;
  const std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--keep-data") {
      o.keep_data = true;
      continue;
    }
    if (i + 1 >= args.size()) return invalid_argument("bad_option", a + " needs a value");
    const std::string& v = args[++i];
    try {
      if (a == "--institutions") {
        o.institutions = static_cast<std::uint32_t>(std::stoul(v));
      } else if (a == "--clients") {
        o.clients = static_cast<unsigned>(std::stoul(v));
      } else if (a == "--kills") {
        o.kills = static_cast<unsigned>(std::stoul(v));
      } else if (a == "--min-ms") {
        o.min_ms = static_cast<unsigned>(std::stoul(v));
      } else if (a == "--max-ms") {
        o.max_ms = static_cast<unsigned>(std::stoul(v));
      } else if (a == "--seed") {
        o.seed = std::stoull(v);
      } else if (a == "--server-binary") {
        o.server_binary = v;
      } else {
        return invalid_argument("bad_option", "unknown option " + a);
      }
    } catch (const std::exception&) {
      return invalid_argument("bad_option", "bad number for " + a + ": " + v);
    }
  }
  if (o.institutions < 1 || o.institutions > Roster::kMaxInstitutions || o.clients < 1 ||
      o.clients > 1024 || o.min_ms > o.max_ms) {
    return invalid_argument("bad_option",
                            "need 1 <= institutions <= 10000, 1 <= clients <= 1024, "
                            "min-ms <= max-ms");
  }
  return o;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// A failure that a client may retry: the connection broke or could not be
// made (the server is down or restarting), or the server said "try again".
// Anything else is an answer, and a wrong one fails the test.
bool retryable(const Status& s) {
  if (s.code() == Code::kUnavailable) return true;
  // A killed server's old port may be taken by another process: its
  // certificate is not ours. The client then reconnects to the current URL.
  return s.reason() == "certificate_mismatch";
}

// The urne-server child across kills: the current process, its URL and a
// generation number that grows with every (re)start. Clients read the URL
// from here (each restart listens on a new ephemeral port) and wait on
// `changed_` for the next generation after a broken connection.
class Supervisor {
 public:
  Supervisor(fs::path binary, fs::path data_dir, fs::path log_dir, std::string officer_hex)
      : binary_(std::move(binary)),
        data_dir_(std::move(data_dir)),
        log_dir_(std::move(log_dir)),
        officer_hex_(std::move(officer_hex)) {}

  // Starts the next generation and polls /health until it answers.
  Status start() {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return internal_error("interrupted", "the test was interrupted");
      ++starting_;
    }
    // Whatever happens below, shut_down() learns that this start is over;
    // a child started here and not handed over stops with `process`.
    struct Done {
      Supervisor& s;
      ~Done() {
        {
          const std::lock_guard lock(s.mutex_);
          --s.starting_;
        }
        s.changed_.notify_all();
      }
    } done{*this};
    const unsigned n = starts_++;
    char name[32];
    std::snprintf(name, sizeof name, "server-%04u.log", n);
    const fs::path log = log_dir_ / name;
    URNE_ASSIGN_OR_RETURN(
        auto process,
        client::ServerProcess::start(binary_, data_dir_, {"--officer-key", officer_hex_}, log));
    URNE_ASSIGN_OR_RETURN(const client::Url url, client::parse_url(process->url()));
    URNE_ASSIGN_OR_RETURN(const client::TrustConfig trust,
                          client::TrustConfig::pinned_sha256(process->fingerprint()));
    if (fingerprint_.empty()) fingerprint_ = process->fingerprint();
    if (process->fingerprint() != fingerprint_) {
      return internal_error("certificate_changed", "the restarted server has another certificate");
    }
    Status health = internal_error("health_never_answered", "GET /api/v1/health never answered");
    for (int i = 0; i < kHealthPolls && !stopping(); ++i) {
      auto c = client::ElectionClient::connect(url, trust);
      if (c.ok()) {
        auto h = c->get_json("/api/v1/health");
        if (h.ok() && h->value("status", "") == "ok") {
          health = Status::ok();
          break;
        }
      }
      std::this_thread::sleep_for(kHealthPollInterval);
    }
    URNE_RETURN_IF_ERROR(health);
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return internal_error("interrupted", "the test was interrupted");
      process_ = std::move(process);
      url_ = url;
      trust_ = trust;
      ++generation_;
      up_ = true;
    }
    changed_.notify_all();
    return Status::ok();
  }

  // For an interrupted test (SIGINT/SIGTERM): stops the server for good; a
  // start() racing with this stops its own child (its destructor).
  void shut_down() {
    {
      std::unique_lock lock(mutex_);
      stopping_ = true;
      // A start under way ends quickly now (its health poll checks
      // stopping_) and stops its own child.
      changed_.wait(lock, [&] { return starting_ == 0; });
    }
    stop();
  }
  bool stopping() const {
    const std::lock_guard lock(mutex_);
    return stopping_;
  }

  // SIGKILL and wait for the child; returns its wait status.
  int kill_now() {
    std::unique_ptr<client::ServerProcess> p;
    {
      const std::lock_guard lock(mutex_);
      p = std::move(process_);
      up_ = false;
    }
    return p ? p->stop(SIGKILL) : 0;
  }

  // A polite stop at the end (SIGTERM).
  void stop() {
    std::unique_ptr<client::ServerProcess> p;
    {
      const std::lock_guard lock(mutex_);
      p = std::move(process_);
      up_ = false;
    }
    if (p) p->stop(SIGTERM);
  }

  struct Endpoint {
    client::Url url;
    client::TrustConfig trust;
    std::uint64_t generation;
  };
  // The current server, or nullopt while it is down.
  std::optional<Endpoint> current() const {
    const std::lock_guard lock(mutex_);
    if (!up_ || !trust_) return std::nullopt;
    return Endpoint{url_, *trust_, generation_};
  }
  // Waits until a generation after `seen` is up, at most `limit`.
  void wait_for_change(std::uint64_t seen, milliseconds limit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [&] { return up_ && generation_ != seen; });
  }

  // The killer says when it is done; clients then stop forgiving failures.
  void end_kills() { kills_over_.store(true); }
  bool kills_over() const { return kills_over_.load(); }

 private:
  fs::path binary_, data_dir_, log_dir_;
  std::string officer_hex_;
  std::string fingerprint_;  // of the first start; the killer thread (and main) only
  unsigned starts_ = 0;
  std::atomic<bool> kills_over_{false};
  // Guards process_, url_, trust_, generation_, up_, stopping_, starting_;
  // never held across I/O.
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::unique_ptr<client::ServerProcess> process_;
  client::Url url_;
  std::optional<client::TrustConfig> trust_;
  std::uint64_t generation_ = 0;
  bool up_ = false;
  bool stopping_ = false;
  int starting_ = 0;  // start() calls under way
};

// The signal that interrupted the test, set by on_interrupt(). A signal
// handler can reach only static storage: this is the program's one global.
// (Blocking the signals instead would pass the mask on to urne-server
// through fork and exec, and the server could no longer be stopped.)
std::atomic<int> interrupted_by{0};
static_assert(std::atomic<int>::is_always_lock_free);

void on_interrupt(int sig) { interrupted_by.store(sig); }

// SIGINT and SIGTERM (ctest's or the script's interrupt) stop the server
// child and remove the temporary directory before the program ends, so that
// an interrupted run leaves no urne-server behind.
class InterruptGuard {
 public:
  InterruptGuard(Supervisor& sup, fs::path temp_dir)
      : sup_(sup), temp_dir_(std::move(temp_dir)), thread_([this] { watch(); }) {}
  ~InterruptGuard() {
    done_.store(true);
    thread_.join();
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void watch() {
    // A poll of the handler's flag: no call in a handler may take a lock.
    constexpr milliseconds kTick{100};
    while (!done_.load()) {
      const int sig = interrupted_by.load();
      if (sig == 0) {
        std::this_thread::sleep_for(kTick);
        continue;
      }
      sup_.shut_down();
      std::error_code ec;
      fs::remove_all(temp_dir_, ec);
      std::cout << "crash test: FAILED: interrupted by signal " << sig << std::endl;
      std::_Exit(1);
    }
  }

  Supervisor& sup_;
  fs::path temp_dir_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// One client thread's connection, rebuilt for the current server whenever
// the old one broke.
class Connection {
 public:
  explicit Connection(Supervisor& sup) : sup_(sup) {}

  // Runs `step` on a connection to the current server until it succeeds,
  // fails with an answer that is not retryable, or keeps failing for
  // kGiveUpAfter. `retries` counts the re-sends after a failure.
  template <class Step>
  auto run(Step step, std::atomic<std::uint64_t>& retries)
      -> decltype(step(std::declval<client::ElectionClient&>())) {
    auto deadline = Clock::now() + kGiveUpAfter;
    Status last = Status(Code::kUnavailable, "never_tried", "");
    for (bool first = true;; first = false) {
      if (!sup_.kills_over()) deadline = Clock::now() + kGiveUpAfter;
      if (Clock::now() > deadline) {
        return Status(Code::kInternal, "gave_up",
                      "still failing 120 s after the last kill: " + last.to_string());
      }
      if (!first) retries.fetch_add(1);
      if (!client_) {
        const auto ep = sup_.current();
        if (!ep) {
          sup_.wait_for_change(generation_, kWaitForRestart);
          continue;
        }
        client::ClientOptions co;
        co.connect_timeout = kConnectTimeout;
        co.request_timeout = kRequestTimeout;
        auto c = client::ElectionClient::connect(ep->url, ep->trust, co);
        if (!c.ok()) {
          last = c.status();
          if (!retryable(last)) return last;
          sup_.wait_for_change(ep->generation, kWaitForRestart);
          continue;
        }
        client_.emplace(std::move(c).value());
        generation_ = ep->generation;
      }
      auto r = step(*client_);
      if (r.ok() || !retryable(r.status())) return r;
      last = r.status();
      client_.reset();
      sup_.wait_for_change(generation_, kWaitForRestart);
    }
  }

  // One attempt only (the repeat traffic does not retry). While the server
  // is down it waits for the restart instead and answers kUnavailable
  // "not_sent", so that the repeat loop never spins.
  template <class Step>
  auto once(Step step) -> decltype(step(std::declval<client::ElectionClient&>())) {
    const Status not_sent(Code::kUnavailable, "not_sent", "the server is down");
    if (!client_) {
      const auto ep = sup_.current();
      if (!ep) {
        sup_.wait_for_change(generation_, kWaitForRestart);
        return not_sent;
      }
      auto c = client::ElectionClient::connect(ep->url, ep->trust);
      if (!c.ok()) {
        sup_.wait_for_change(ep->generation, kWaitForRestart);
        return not_sent;
      }
      client_.emplace(std::move(c).value());
      generation_ = ep->generation;
    }
    auto r = step(*client_);
    if (!r.ok() && retryable(r.status())) {
      client_.reset();
      sup_.wait_for_change(generation_, kWaitForRestart);
    }
    return r;
  }

 private:
  Supervisor& sup_;
  std::optional<client::ElectionClient> client_;
  std::uint64_t generation_ = 0;
};

// What the clients were told by the server, and what they sent.
struct Issued {
  std::uint32_t institution = 0;
  Bytes request;
  std::string signature_b64;
  Bytes response;
};
struct Cast {
  std::uint32_t institution = 0;
  CastBallot ballot;
  Receipt receipt;
};

// Shared between the client threads; `mutex` guards every container.
struct Ledger {
  std::mutex mutex;
  std::vector<Issued> issued;
  std::vector<Cast> cast;
  std::map<FixedBytes<32>, Choice> built;  // every ballot sent, by hash
  std::vector<std::string> failures;       // institutions that gave up, wrong answers

  void fail(std::string what) {
    const std::lock_guard lock(mutex);
    failures.push_back(std::move(what));
  }
};

// Counters (relaxed atomics: figures, not synchronization).
struct Counters {
  std::atomic<std::uint64_t> token_retries{0}, cast_retries{0};
  std::atomic<std::uint64_t> stored_before_answer{0};  // a retried cast found its ballot stored
  std::atomic<std::uint64_t> repeats_same{0}, repeats_interrupted{0};
  std::atomic<int> in_flight_token{0}, in_flight_cast{0}, in_flight_repeat{0};
};

// Counts a request in flight for the kill report.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& n) : n_(n) { n_.fetch_add(1); }
  ~InFlight() { n_.fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& n_;
};

struct Election {
  const Manifest* manifest = nullptr;
  const std::vector<std::string>* ids = nullptr;
  const std::vector<InstitutionSecretKey>* keys = nullptr;
  std::uint64_t seed = 0;
};

// One institution's delegate: token (blinded once, re-sent as is), ballot
// (built once, re-sent as is), receipt.
void vote(std::uint32_t i, const Election& e, Connection& conn, Ledger& ledger, Counters& n) {
  const Manifest& m = *e.manifest;
  const std::string& id = (*e.ids)[i];
  SystemRng rng;
  auto fail = [&](std::string_view step, const Status& s) {
    ledger.fail(id + ": " + std::string(step) + ": " + s.to_string());
  };
  const TokenPublicKey& pk = m.token_public_key();
  auto pending = create_token_request(pk, m.token_challenge(), rng);
  if (!pending.ok()) return fail("token request", pending.status());
  auto sig =
      sign_token_request((*e.keys)[i], m.election_id(), id, pk.key_id(), pending->request.bytes());
  if (!sig.ok()) return fail("token signature", sig.status());
  const std::string sig_b64 = base64url_encode(*sig);
  const Bytes request(pending->request.bytes().begin(), pending->request.bytes().end());
  auto response = conn.run(
      [&](client::ElectionClient& c) {
        const InFlight f(n.in_flight_token);
        return c.send_token_request(m.election_id(), id, sig_b64, request);
      },
      n.token_retries);
  if (!response.ok()) return fail("token", response.status());
  {
    const std::lock_guard lock(ledger.mutex);
    ledger.issued.push_back(
        Issued{i, request, sig_b64, Bytes(response->bytes().begin(), response->bytes().end())});
  }
  auto token = finalize_token(pk, pending->state, *response);
  if (!token.ok()) return fail("finalize", token.status());

  // The choice is reproducible from --seed; the ballot's randomness is not.
  SeededRng choice_rng(e.seed * 1'000'003 + i);
  const Choice choice = cli::sim::random_choice(m, i, choice_rng);
  auto built = build_ballot(m, *token, choice, rng);
  if (!built.ok()) return fail("build ballot", built.status());
  const CastBallot& ballot = built->ballot;
  {
    const std::lock_guard lock(ledger.mutex);
    ledger.built.emplace(ballot.ballot_hash(), choice);
  }
  bool resent = false;
  std::atomic<std::uint64_t> my_retries{0};
  auto answer = conn.run(
      [&](client::ElectionClient& c) {
        const InFlight f(n.in_flight_cast);
        return c.cast(m, ballot);
      },
      my_retries);
  resent = my_retries.load() > 0;
  n.cast_retries.fetch_add(my_retries.load());
  if (!answer.ok()) return fail("cast", answer.status());
  if (answer->receipt.ballot_hash != ballot.ballot_hash()) {
    return fail("cast",
                internal_error("receipt_for_other_ballot", "the receipt names another ballot"));
  }
  if (!answer->newly_accepted) {
    // Only a re-sent ballot may already be stored: its first try was
    // committed and the answer lost in a kill.
    if (!resent) {
      return fail("cast",
                  internal_error("first_cast_not_new", "a first cast was 'already accepted'"));
    }
    n.stored_before_answer.fetch_add(1);
  }
  const std::lock_guard lock(ledger.mutex);
  ledger.cast.push_back(Cast{i, ballot, answer->receipt});
}

// One repeat of something already acknowledged: the answer must be the same.
void repeat_one(const Election& e, Connection& conn, Ledger& ledger, Counters& n,
                std::mt19937_64& pick) {
  std::optional<Issued> issued;
  std::optional<Cast> cast;
  {
    const std::lock_guard lock(ledger.mutex);
    const bool want_cast = (pick() & 1) != 0 && !ledger.cast.empty();
    if (want_cast) {
      cast = ledger.cast[pick() % ledger.cast.size()];
    } else if (!ledger.issued.empty()) {
      issued = ledger.issued[pick() % ledger.issued.size()];
    }
  }
  const Manifest& m = *e.manifest;
  if (issued) {
    auto r = conn.once([&](client::ElectionClient& c) {
      const InFlight f(n.in_flight_repeat);
      return c.send_token_request(m.election_id(), (*e.ids)[issued->institution],
                                  issued->signature_b64, issued->request);
    });
    if (!r.ok() && retryable(r.status())) {
      if (r.status().reason() != "not_sent") n.repeats_interrupted.fetch_add(1);
    } else if (!r.ok() || Bytes(r->bytes().begin(), r->bytes().end()) != issued->response) {
      ledger.fail((*e.ids)[issued->institution] +
                  ": repeated token request answered differently: " +
                  (r.ok() ? std::string("another response") : r.status().to_string()));
    } else {
      n.repeats_same.fetch_add(1);
    }
  } else if (cast) {
    auto r = conn.once([&](client::ElectionClient& c) {
      const InFlight f(n.in_flight_repeat);
      return c.cast(m, cast->ballot);
    });
    if (!r.ok() && retryable(r.status())) {
      if (r.status().reason() != "not_sent") n.repeats_interrupted.fetch_add(1);
    } else if (!r.ok() || r->newly_accepted ||
               r->receipt.ballot_hash != cast->receipt.ballot_hash) {
      ledger.fail(
          (*e.ids)[cast->institution] + ": repeated ballot answered differently: " +
          (r.ok() ? std::string("another receipt or 'newly accepted'") : r.status().to_string()));
    } else {
      n.repeats_same.fetch_add(1);
    }
  } else {
    std::this_thread::sleep_for(milliseconds(5));  // nothing acknowledged yet
  }
}

struct KillRecord {
  int token = 0, cast = 0, repeat = 0;
  double restart_ms = 0;
};

std::string tail_of(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += "  | " + all[i] + "\n";
  }
  return out;
}

// The whole scenario; returns the reason of the first failed check.
Status run(const Options& opt, const test::TempDir& tmp) {
  const auto t_all = Clock::now();
  SystemRng rng;
  const fs::path data_dir = tmp.path() / "data";
  const fs::path log_dir = tmp.path() / "logs";
  fs::create_directories(data_dir);
  fs::create_directories(log_dir);
  const Ed25519SigningKey officer = Ed25519SigningKey::generate(rng);
  Supervisor sup(opt.server_binary, data_dir, log_dir, hex_encode(officer.public_key()));
  const InterruptGuard guard(sup, tmp.path());
  URNE_RETURN_IF_ERROR(sup.start());
  std::cout << "server: " << opt.server_binary.string() << ", data in " << data_dir.string()
            << "\n";

  // ---- set-up: roster, ceremony, manifest, published and open ----
  URNE_ASSIGN_OR_RETURN(
      cli::sim::SimulatedRoster sim_roster,
      cli::sim::make_roster(opt.institutions, "Herbsttagung 2026 (Crashtest)", rng));
  const Roster& roster = sim_roster.roster;
  const std::vector<std::string>& ids = sim_roster.ids;
  const std::vector<InstitutionSecretKey>& keys = sim_roster.keys;
  std::ostringstream ceremony_text;  // the ceremony's protocol text is not shown here
  URNE_ASSIGN_OR_RETURN(const cli::sim::CeremonyResult ceremony,
                        cli::sim::run_key_ceremony(kTrustees, kThreshold, rng, ceremony_text, 0));
  Connection officer_conn(sup);
  std::atomic<std::uint64_t> setup_retries{0};
  auto officer_step = [&](auto step) { return officer_conn.run(step, setup_retries); };
  // A Status-returning call as a Result<bool>, so that Connection::run can
  // retry it like every other step.
  auto as_result = [](const Status& s) -> Result<bool> {
    if (!s) return s;
    return true;
  };
  URNE_RETURN_IF_ERROR(officer_step([&](client::ElectionClient& c) {
                         return as_result(c.upload_roster(officer, roster, unix_now()));
                       }).status());
  URNE_ASSIGN_OR_RETURN(const TokenPublicKey token_key,
                        officer_step([&](client::ElectionClient& c) {
                          return c.create_token_key(officer, unix_now());
                        }));
  URNE_ASSIGN_OR_RETURN(const Ed25519PublicKey service_key,
                        officer_step([&](client::ElectionClient& c) { return c.service_key(); }));
  FixedBytes<32> lot_seed{};
  rng.fill(lot_seed);
  ManifestSpec spec;
  spec.title = "Wahl des Sprecherrats 2026 (Crashtest)";
  spec.kind = "Probewahl";
  spec.roster_fingerprint = roster.fingerprint();
  for (std::uint32_t i = 0; i < kCandidates; ++i) spec.candidates.push_back(cli::sim::candidate(i));
  spec.seats = 7;
  spec.substitutes = 2;
  spec.max_marks = 7;
  spec.invalid_offered = true;
  spec.lot_seed_commitment = lot_seed_commitment(lot_seed);
  spec.token_issuer_name = "urne.localhost";
  spec.token_public_key = Bytes(token_key.spki().begin(), token_key.spki().end());
  spec.ceremony_id = ceremony.params.ceremony_id();
  spec.trustees = kTrustees;
  spec.threshold = kThreshold;
  spec.qual_commitments = ceremony.commitments;
  spec.service_key = service_key;
  spec.officer_key = officer.public_key();
  spec.page_hash = sha256(as_bytes("urne crash test: no voting page"));
  URNE_ASSIGN_OR_RETURN(const Manifest manifest, Manifest::create(std::move(spec)));
  const ElectionId& id = manifest.election_id();
  URNE_RETURN_IF_ERROR(officer_step([&](client::ElectionClient& c) {
                         return as_result(
                             c.create_election(officer, manifest, nullptr, unix_now()));
                       }).status());
  std::uint32_t sequence = 0;
  auto move_to = [&](ElectionState s, std::optional<FixedBytes<32>> seed = {}) -> Status {
    ++sequence;
    return officer_step([&](client::ElectionClient& c) {
             return c.transition(officer, id, s, sequence, seed);
           })
        .status();
  };
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kPublished));
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kOpen));
  std::cout << "election " << cli::sim::short_hex(id) << ": " << opt.institutions
            << " institutions, " << kCandidates << " candidates, 7 seats + 2 substitutes, "
            << kThreshold << "-of-" << kTrustees << " trustees; set up in "
            << cli::sim::fixed1(ms_between(t_all, Clock::now()) / 1000.0) << " s\n";

  // ---- load and kills ----
  Ledger ledger;
  Counters n;
  const Election e{&manifest, &ids, &keys, opt.seed};
  std::atomic<std::uint32_t> next{0};
  std::atomic<bool> killer_done{false};
  // The institutions enter the queue in shares, one share after each kill
  // (institution i once i*K/N kills are done), so that first token requests
  // and first ballots, not only repeats, are in flight when the kills land
  // however long the restarts take; between shares the clients repeat what
  // was acknowledged, which must be answered the same.
  std::atomic<unsigned> kills_done{0};
  auto released = [&](std::uint32_t i) {
    return kills_done.load() >= static_cast<std::uint64_t>(i) * opt.kills / opt.institutions;
  };
  const auto t_load = Clock::now();
  std::vector<std::thread> clients;
  for (unsigned t = 0; t < opt.clients; ++t) {
    clients.emplace_back([&, t] {
      Connection conn(sup);
      std::mt19937_64 pick(opt.seed * 7919 + t);
      for (std::uint32_t i = next.fetch_add(1); i < opt.institutions; i = next.fetch_add(1)) {
        while (!released(i) && !killer_done.load()) {
          repeat_one(e, conn, ledger, n, pick);
        }
        vote(i, e, conn, ledger, n);
      }
      while (!killer_done.load()) repeat_one(e, conn, ledger, n, pick);
    });
  }
  std::vector<KillRecord> kill_log;
  Status killer_status = Status::ok();
  std::thread killer([&] {
    std::mt19937_64 when(opt.seed);
    std::uniform_int_distribution<unsigned> delay(opt.min_ms, opt.max_ms);
    for (unsigned k = 0; k < opt.kills; ++k) {
      // The random moment: a pause, not a synchronization.
      std::this_thread::sleep_for(milliseconds(delay(when)));
      KillRecord r{n.in_flight_token.load(), n.in_flight_cast.load(), n.in_flight_repeat.load(), 0};
      const int status = sup.kill_now();
      if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        killer_status =
            internal_error("server_not_killed", "the server ended before the kill (wait status " +
                                                    std::to_string(status) + ")");
        break;
      }
      const auto t0 = Clock::now();
      killer_status = sup.start();
      r.restart_ms = ms_between(t0, Clock::now());
      kill_log.push_back(r);
      kills_done.fetch_add(1);
      if (!killer_status) break;
    }
    sup.end_kills();
    killer_done.store(true);
  });
  killer.join();
  for (auto& c : clients) c.join();
  URNE_RETURN_IF_ERROR(killer_status);
  const double load_s = ms_between(t_load, Clock::now()) / 1000.0;

  std::size_t kills_new_token = 0, kills_new_cast = 0, kills_any = 0;
  double restart_total = 0, restart_max = 0;
  std::string kill_line;
  for (std::size_t k = 0; k < kill_log.size(); ++k) {
    const KillRecord& r = kill_log[k];
    kills_new_token += r.token > 0 ? 1 : 0;
    kills_new_cast += r.cast > 0 ? 1 : 0;
    kills_any += r.token + r.cast + r.repeat > 0 ? 1 : 0;
    restart_total += r.restart_ms;
    restart_max = std::max(restart_max, r.restart_ms);
    kill_line += " " + std::to_string(r.token) + "/" + std::to_string(r.cast) + "/" +
                 std::to_string(r.repeat);
  }

  // ---- close, tally, publish ----
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kClosed, lot_seed));
  URNE_ASSIGN_OR_RETURN(const Board closed,
                        officer_step([&](client::ElectionClient& c) { return c.board(id); }));
  URNE_ASSIGN_OR_RETURN(const std::vector<CiphertextSum> sums,
                        officer_step([&](client::ElectionClient& c) { return c.sums(id); }));
  // Each trustee's tool audits the closed board and decrypts only the sums
  // it recomputed, after checking that the server's agree (as demo does).
  const AuditReport pre = audit_board(closed, std::nullopt, AuditScope::kClosed);
  if (!pre.ok() || !pre.recomputed_sums()) {
    return internal_error("closed_board_audit_failed", "the closed board does not audit");
  }
  const auto& own = *pre.recomputed_sums();
  if (!same_sums(own, sums)) {
    return internal_error("sums_mismatch", "the server's sums differ from the board's");
  }
  for (TrusteeIndex j = 1; j <= kThreshold; ++j) {
    URNE_ASSIGN_OR_RETURN(
        std::vector<PartialDecryption> p,
        partial_decrypt_all(manifest.election_key(), ceremony.shares[j - 1], id, own, rng));
    const TrusteePartials tp{j, std::move(p)};
    URNE_RETURN_IF_ERROR(officer_step([&](client::ElectionClient& c) {
                           return c.upload_partials(id, tp);
                         }).status());
  }
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kTallied));
  URNE_RETURN_IF_ERROR(move_to(ElectionState::kResultPublished));
  URNE_ASSIGN_OR_RETURN(const Board board,
                        officer_step([&](client::ElectionClient& c) { return c.board(id); }));
  const fs::path board_file = tmp.path() / "board.urne";
  {
    const Bytes bytes = board.canonical_bytes();
    std::ofstream out(board_file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: byte I/O
              static_cast<std::streamsize>(bytes.size()));
    if (!out) return internal_error("board_write_failed", board_file.string());
  }

  // ---- the checks ----
  const BoardContents& bc = board.contents();
  std::vector<std::string> why;
  // Issuances: each acknowledged one is in the log with the same request,
  // and the register still answers it with the same response (it looks an
  // institution's issuance up before it checks the state, so a repeat after
  // the close is answered from the store).
  std::map<std::string, Bytes> log_requests;
  for (const IssuanceEntry& en : bc.issuance) {
    log_requests[en.institution_id] = Bytes(en.request.bytes().begin(), en.request.bytes().end());
  }
  std::size_t issued_missing = 0, issued_changed = 0;
  std::atomic<std::uint64_t> check_retries{0};
  for (const Issued& is : ledger.issued) {
    const auto it = log_requests.find(ids[is.institution]);
    if (it == log_requests.end() || it->second != is.request) {
      ++issued_missing;
      continue;
    }
    auto r = officer_conn.run(
        [&](client::ElectionClient& c) {
          return c.send_token_request(id, ids[is.institution], is.signature_b64, is.request);
        },
        check_retries);
    if (!r.ok() || Bytes(r->bytes().begin(), r->bytes().end()) != is.response) ++issued_changed;
  }
  // Ballots.
  std::set<FixedBytes<32>> on_board;
  std::map<TokenInput, int> spent;
  for (const CastBallot& b : bc.ballots) {
    on_board.insert(b.ballot_hash());
    ++spent[b.token().token_input()];
  }
  std::size_t twice = 0;
  for (const auto& [input, count] : spent) twice += count > 1 ? 1 : 0;
  std::set<FixedBytes<32>> receipted;
  std::size_t lost = 0, receipt_rejected = 0;
  for (const Cast& c : ledger.cast) {
    receipted.insert(c.receipt.ballot_hash);
    if (on_board.count(c.receipt.ballot_hash) == 0) ++lost;
    if (!receipt_on_board(board, c.receipt)) ++receipt_rejected;
  }
  std::size_t without_receipt = 0, unknown = 0;
  Totals expected;
  expected.marks.assign(kCandidates, 0);
  for (const CastBallot& b : bc.ballots) {
    if (receipted.count(b.ballot_hash()) == 0) ++without_receipt;
    const auto it = ledger.built.find(b.ballot_hash());
    if (it == ledger.built.end()) {
      ++unknown;
      continue;
    }
    for (std::uint32_t x : it->second.marks) ++expected.marks[x];
    expected.abstentions += it->second.abstain ? 1 : 0;
    expected.invalid += it->second.invalid ? 1 : 0;
  }
  expected.ballots_cast = bc.ballots.size();
  const bool totals_equal = bc.result && bc.result->result.totals() == expected;
  // `urne audit` on the board file, with one receipt: the very code the CLI
  // command runs.
  std::ostringstream audit_text;
  cli::AuditOptions ao;
  ao.board = board_file;
  if (!ledger.cast.empty()) {
    const fs::path receipt_file = tmp.path() / "receipt.bin";
    const Bytes rb = ledger.cast.front().receipt.canonical_bytes();
    std::ofstream(receipt_file, std::ios::binary)
        .write(reinterpret_cast<const char*>(rb.data()),  // NOLINT: byte I/O
               static_cast<std::streamsize>(rb.size()));
    ao.receipt = receipt_file;
  }
  const Status audit = cli::audit_board_file(ao, audit_text);

  std::cout << "kills: " << kill_log.size() << " (SIGKILL; restart to healthy: mean "
            << cli::sim::fixed1(
                   kill_log.empty() ? 0.0 : restart_total / static_cast<double>(kill_log.size()))
            << " ms, max " << cli::sim::fixed1(restart_max) << " ms)\n";
  std::cout << "kills with first token requests in flight: " << kills_new_token
            << "; with first ballots in flight: " << kills_new_cast
            << "; with any request in flight: " << kills_any << "\n";
  std::cout << "in flight at each kill (token/ballot/repeat):" << kill_line << "\n";
  std::cout << "load phase: " << cli::sim::fixed1(load_s) << " s, " << opt.clients << " clients\n";
  std::cout << "requests re-sent after a broken connection: tokens " << n.token_retries.load()
            << ", ballots " << n.cast_retries.load() << "\n";
  std::cout << "repeats of acknowledged requests answered the same: " << n.repeats_same.load()
            << " (cut by a kill: " << n.repeats_interrupted.load() << ")\n";
  std::cout << "institutions that gave up or got a wrong answer: " << ledger.failures.size()
            << "\n";
  std::cout << "token requests acknowledged: " << ledger.issued.size() << "\n";
  std::cout << "issuances in the board's issuance log: " << bc.issuance.size() << "\n";
  std::cout << "acknowledged issuances missing from the log: " << issued_missing << "\n";
  std::cout << "acknowledged issuances answered differently after the close: " << issued_changed
            << "\n";
  std::cout << "ballots acknowledged (receipts): " << ledger.cast.size() << "\n";
  std::cout << "ballots on the board: " << bc.ballots.size() << "\n";
  std::cout << "acknowledged ballots missing from the board (lost): " << lost << "\n";
  std::cout << "receipts the board rejects: " << receipt_rejected << "\n";
  std::cout << "tokens spent twice: " << twice << "\n";
  std::cout << "ballots on the board without a receipt: " << without_receipt << " (a retry found "
            << n.stored_before_answer.load()
            << " ballots already stored: committed, answer lost in a kill)\n";
  std::cout << "ballots on the board that no client sent: " << unknown << "\n";
  std::cout << "published totals equal the choices of the board's ballots: "
            << (totals_equal ? "yes" : "no") << "\n";
  std::cout << "urne audit of " << board.short_fingerprint() << ": "
            << (audit ? "passed" : "FAILED " + audit.to_string()) << "\n";
  std::cout << "elapsed: " << cli::sim::fixed1(ms_between(t_all, Clock::now()) / 1000.0) << " s\n";

  for (const std::string& f : ledger.failures) std::cout << "  failure: " << f << "\n";
  if (kill_log.size() < opt.kills) why.push_back("fewer kills than asked");
  if (!ledger.failures.empty()) why.push_back("clients gave up or got wrong answers");
  if (ledger.issued.size() != opt.institutions) why.push_back("not every institution got a token");
  if (ledger.cast.size() != opt.institutions) why.push_back("not every institution voted");
  if (issued_missing != 0) why.push_back("acknowledged issuances missing from the log");
  if (issued_changed != 0) why.push_back("acknowledged issuances answered differently");
  if (lost != 0) why.push_back("acknowledged ballots lost");
  if (receipt_rejected != 0) why.push_back("receipts rejected by the board");
  if (twice != 0) why.push_back("tokens spent twice");
  if (unknown != 0) why.push_back("ballots on the board that no client sent");
  if (bc.ballots.size() > bc.issuance.size()) why.push_back("more ballots than issuances");
  if (!totals_equal) why.push_back("totals differ from the choices");
  if (!audit) {
    std::cout << audit_text.str();
    why.push_back("urne audit failed");
  }
  if (why.empty()) return Status::ok();
  std::string text = why.front();
  for (std::size_t k = 1; k < why.size(); ++k) text += "; " + why[k];
  return internal_error("crash_test_failed", text);
}

}  // namespace

// The program; main() only turns an escaped exception into a verdict line.
int main_body(int argc, char** argv) {
  if (Status s = init_crypto(); !s) {
    std::cout << "crash test: FAILED: " << s.to_string() << "\n";
    return 1;
  }
  auto opt = parse_options(argc, argv);
  if (!opt.ok()) {
    std::cerr << "urne_crash_test: " << opt.status().message()
              << "\nusage: urne_crash_test [--institutions N] [--clients C] [--kills K] "
                 "[--min-ms A] [--max-ms B] [--seed S] [--server-binary PATH] [--keep-data]\n";
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  const test::TempDir tmp("urne-crash");
  std::cout << "crash test: " << opt->institutions << " institutions, " << opt->clients
            << " clients, " << opt->kills << " kills every " << opt->min_ms << ".." << opt->max_ms
            << " ms, seed " << opt->seed << "\n";
  const Status s = run(*opt, tmp);
  if (opt->keep_data) {
    // The servers are stopped now (run() ended): a plain copy is consistent.
    const fs::path kept =
        fs::temp_directory_path() / ("urne-crash-kept-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::copy(tmp.path(), kept, fs::copy_options::recursive, ec);
    std::cout << "data kept in " << kept.string()
              << (ec ? " (copy failed: " + ec.message() + ")" : "") << "\n";
  }
  if (!s) {
    const std::filesystem::path logs = tmp.path() / "logs";
    std::error_code ec;
    std::filesystem::path last;
    for (const auto& f : std::filesystem::directory_iterator(logs, ec)) {
      if (last.empty() || f.path() > last) last = f.path();
    }
    if (!last.empty()) std::cout << "tail of " << last.string() << ":\n" << tail_of(last, 30);
    std::cout << "crash test: FAILED: " << s.message() << " (" << s.reason() << ")\n";
    return 1;
  }

  std::cout << "crash test: PASSED\n";
  return 0;
}

}  // namespace urne::crash

int main(int argc, char** argv) {
  try {
    return urne::crash::main_body(argc, argv);
  } catch (const std::exception& ex) {
    std::cout << "crash test: FAILED: exception: " << ex.what() << std::endl;
  }
  return 1;
}
