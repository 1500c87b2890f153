// Voting-token benchmark: blind-sign/s and token-verify/s for RSA-2048, one
// thread, next to `openssl speed rsa2048` run in the same invocation.
//
// blind-sign: TokenIssuer::evaluate on distinct requests (key id check, CRT
//   private op via EVP_PKEY_decrypt/RSA_NO_PADDING, s^e == m self-check).
// token-verify: TokenVerifier::verify of a whole Token against its challenge
//   (type, challenge digest, key id, authenticator < n, RSASSA-PSS-VERIFY).
// Goals: blind-sign >= 90 % of OpenSSL's sign/s, verify >= 80 % of its
// verify/s. Prints figures only; never fails on speed.
//
// Rates are operations per second of this thread's CPU time, because that is
// what `openssl speed` reports by default (it divides by user CPU time, not
// wall time; see its -elapsed option). On a shared, loaded machine wall-clock
// rates of the two would not be comparable; both kinds are printed.
//
// Usage: urne_bench_token [seconds per measurement, default 3] [rounds, default 1]
// Each round measures urne and then runs openssl speed right after; the
// ratios are computed per round (adjacent measurements share the machine's
// load) and the median over the rounds is reported. On a shared machine use
// 3 or more rounds.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Rate {
  double per_cpu_second = 0;
  double per_wall_second = 0;
};

// Runs `op` for `seconds` of CPU time.
template <class Op>
Rate measure(double seconds, Op&& op) {
  const double cpu_start = thread_cpu_seconds();
  const auto wall_start = Clock::now();
  long count = 0;
  double cpu_now = cpu_start;
  do {
    for (int i = 0; i < 16; ++i) op(count++);
    cpu_now = thread_cpu_seconds();
  } while (cpu_now - cpu_start < seconds);
  const double wall = std::chrono::duration<double>(Clock::now() - wall_start).count();
  const auto n = static_cast<double>(count);
  return {n / (cpu_now - cpu_start), n / wall};
}

struct OpensslSpeed {
  double sign = 0;
  double verify = 0;
};

// Runs `openssl speed -seconds N rsa2048` and reads its summary line, e.g.
//   "rsa 2048 bits 0.000989s 0.000028s   1011.0  35880.0"
// (sign time, verify time, sign/s, verify/s; OpenSSL 3.0 format).
bool run_openssl_speed(int seconds, OpensslSpeed& out) {
  const std::string cmd =
      "openssl speed -seconds " + std::to_string(seconds) + " rsa2048 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return false;
  char line[512];
  bool found = false;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    constexpr std::string_view kPrefix = "rsa 2048 bits ";
    if (std::string_view(line).substr(0, kPrefix.size()) != kPrefix) continue;
    // Four numbers follow: sign time (e.g. "0.000989s"), verify time, sign/s,
    // verify/s.
    const char* p = line + kPrefix.size();
    double values[4] = {};
    bool ok = true;
    for (double& v : values) {
      char* end = nullptr;
      v = std::strtod(p, &end);
      if (end == p) {
        ok = false;
        break;
      }
      p = (*end == 's') ? end + 1 : end;
    }
    if (ok && values[2] > 0 && values[3] > 0) {
      out = {values[2], values[3]};
      found = true;
    }
  }
  pclose(pipe);
  return found;
}

[[noreturn]] void die(const urne::Status& s) {
  std::fprintf(stderr, "error: %s\n", s.to_string().c_str());
  std::exit(1);
}

}  // namespace

// A positive integer argument (at most 3600), or -1.
int positive_arg(const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  return (end != text && *end == '\0' && v > 0 && v <= 3600) ? static_cast<int>(v) : -1;
}

int run(int argc, char** argv) {
  using namespace urne;
  const int seconds = argc > 1 ? positive_arg(argv[1]) : 3;
  const int rounds = argc > 2 ? positive_arg(argv[2]) : 1;
  if (seconds <= 0 || rounds <= 0) {
    std::fprintf(stderr, "usage: %s [seconds] [rounds]\n", argv[0]);
    return 2;
  }
  if (Status s = init_crypto(); !s) die(s);

  auto sk = BlindRsaSecretKey::generate(2048);
  if (!sk.ok()) die(sk.status());
  auto issuer_r = TokenIssuer::create(std::move(sk).value());
  if (!issuer_r.ok()) die(issuer_r.status());
  const TokenIssuer& issuer = *issuer_r;

  FixedBytes<32> election_id{};
  election_id.fill(0x42);
  auto challenge =
      TokenChallenge::for_election(as_bytes("urne.example"), election_id, as_bytes("urne.example"));
  if (!challenge.ok()) die(challenge.status());

  // Distinct requests and tokens, made before timing.
  constexpr std::size_t kSamples = 64;
  SystemRng rng;
  std::vector<PendingTokenRequest> pending;
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < kSamples; ++i) {
    auto p = create_token_request(issuer.public_key(), *challenge, rng);
    if (!p.ok()) die(p.status());
    auto resp = issuer.evaluate(p->request);
    if (!resp.ok()) die(resp.status());
    auto t = finalize_token(issuer.public_key(), p->state, *resp);
    if (!t.ok()) die(t.status());
    tokens.push_back(std::move(t).value());
    pending.push_back(std::move(p).value());
  }
  const TokenVerifier verifier(issuer.public_key(), *challenge);

  std::printf(
      "urne token bench: RSA-2048, RSABSSA-SHA384-PSS-Deterministic, 1 thread, %d s each, "
      "%d round(s)\n",
      seconds, rounds);
  std::vector<double> sign_ratios, verify_ratios;
  for (int round = 1; round <= rounds; ++round) {
    const Rate sign = measure(seconds, [&](long i) {
      auto r = issuer.evaluate(pending[static_cast<std::size_t>(i) % kSamples].request);
      if (!r.ok()) die(r.status());
    });
    const Rate verify = measure(seconds, [&](long i) {
      if (Status s = verifier.verify(tokens[static_cast<std::size_t>(i) % kSamples]); !s) {
        die(s);
      }
    });
    std::printf("round %d:\n", round);
    std::printf("  blind-sign   (TokenIssuer::evaluate) : %9.1f /s CPU  (%9.1f /s wall)\n",
                sign.per_cpu_second, sign.per_wall_second);
    std::printf("  token-verify (TokenVerifier::verify) : %9.1f /s CPU  (%9.1f /s wall)\n",
                verify.per_cpu_second, verify.per_wall_second);
    OpensslSpeed ref;
    if (!run_openssl_speed(seconds, ref)) {
      std::printf("  openssl speed: not available or output not understood\n");
      continue;
    }
    sign_ratios.push_back(100.0 * sign.per_cpu_second / ref.sign);
    verify_ratios.push_back(100.0 * verify.per_cpu_second / ref.verify);
    std::printf(
        "  openssl speed -seconds %d rsa2048    : sign %9.1f /s, verify %9.1f /s (user CPU)\n",
        seconds, ref.sign, ref.verify);
    std::printf("  ratios: blind-sign %.1f %%, token-verify %.1f %%\n", sign_ratios.back(),
                verify_ratios.back());
  }
  if (sign_ratios.empty()) return 0;
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  };
  const double sign_ratio = median(sign_ratios);
  const double verify_ratio = median(verify_ratios);
  std::printf("median over %zu round(s):\n", sign_ratios.size());
  std::printf("  blind-sign / openssl sign     : %5.1f %%  (goal >= 90 %%: %s)\n", sign_ratio,
              sign_ratio >= 90.0 ? "met" : "NOT met");
  std::printf("  token-verify / openssl verify : %5.1f %%  (goal >= 80 %%: %s)\n", verify_ratio,
              verify_ratio >= 80.0 ? "met" : "NOT met");
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
