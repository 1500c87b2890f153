// Ballot benchmark: creation and verification of one ballot of the
// Sprecherrat election (12 candidates + Enthaltung + ungueltig, up to 7
// marks), on one core, against the sum of the group operations each needs.
//
// Prints figures; asserts nothing. The operation counts are analytic (they
// follow crypto/proofs.cpp and crypto/elgamal.cpp step by step); the ratio
// "measured / limit" shows how much the code costs beyond its group
// operations (hashing, scalar arithmetic, allocation).
//
// Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID). Each of several
// rounds measures the unit costs, creation and verification in turn, and
// every figure is the best over the rounds, so that other processes on the
// (shared, 2-core) machine disturb the comparison less; Belenios' figure is
// CPU time too.
//
// Usage: urne_bench_ballot [ballots]   (default 40 verifications per round)
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/elgamal.hpp"
#include "crypto/group.hpp"
#include "crypto/proofs.hpp"
#include "crypto/random.hpp"

namespace {

using urne::DecodedPoint;
using urne::Point;
using urne::Scalar;

constexpr int kRounds = 10;

// CPU time of this thread in microseconds.
double cpu_micros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Keeps results alive so that the compiler cannot drop the timed work.
unsigned g_sink = 0;
void consume(const Point& p) { g_sink += p.bytes()[0]; }

// CPU microseconds per call of f.
template <class F>
double micros_per_call(int n, F&& f) {
  f();  // warm-up
  const double start = cpu_micros();
  for (int i = 0; i < n; ++i) f();
  return (cpu_micros() - start) / n;
}

struct Units {
  double base_mul, mul, add;                              // libsodium, encoded points
  double decode, encode, dec_add, double_mul, table_mul;  // verify backend
};

Units measure_units(urne::Rng& rng) {  // one round
  std::vector<Scalar> s;
  std::vector<Point> p;
  for (int i = 0; i < 64; ++i) {
    s.push_back(Scalar::random(rng));
    p.push_back(Point::base_mul(Scalar::random(rng)));
  }
  std::vector<DecodedPoint> d(p.begin(), p.end());
  const urne::PointTable table(p[5]);
  int i = 0;
  auto next = [&] { return (i++) & 63; };
  Units u{};
  u.base_mul = micros_per_call(200, [&] { consume(Point::base_mul(s[next()])); });
  u.mul = micros_per_call(100, [&] { consume(p[next()].mul(s[next()])); });
  u.add = micros_per_call(200, [&] { consume(p[next()] + p[next()]); });
  u.decode = micros_per_call(200, [&] {
    DecodedPoint x(p[next()]);
    g_sink += (x == d[0]);
  });
  u.encode = micros_per_call(200, [&] { consume(d[next()].encode()); });
  u.dec_add = micros_per_call(4000, [&] { d[0] = d[1] + d[next()]; });
  u.double_mul = micros_per_call(
      100, [&] { d[1] = urne::double_mul_vartime(s[next()], s[next()], d[next()]); });
  u.table_mul = micros_per_call(200, [&] { d[2] = table.mul(s[next()]); });
  return u;
}

// Operation counts of verify_ballot for n slots and max marks (proofs.cpp):
// branches = 2n (0/1 proofs) + max (range proof); per branch 2 double
// multiplications, 1 table multiplication, 1 decoded addition, 2 encodings;
// 2n decodings; the combined ciphertext: 2n additions, 2 multiplications by
// max by double-and-add, 2 additions and 2 encodings.
struct VerifyCount {
  double decode, encode, dec_add, double_mul, table_mul;
};

int popcount_bits(std::uint64_t k, int* bits) {
  int ones = 0;
  *bits = 0;
  for (; k != 0; k >>= 1U) {
    ones += static_cast<int>(k & 1U);
    ++*bits;
  }
  return ones;
}

VerifyCount verify_count(int n, int max) {
  const int branches = 2 * n + max;
  int bits = 0;
  const int ones = popcount_bits(static_cast<std::uint64_t>(max), &bits);
  const int small_mul_adds = ones + bits;  // acc += base, base += base
  VerifyCount c{};
  c.decode = 2 * n;
  c.encode = 2 * branches + 2;
  c.dec_add = branches + 2 * n + 2 * small_mul_adds + 2;
  c.double_mul = 2 * branches;
  c.table_mul = branches;
  return c;
}

double verify_limit(const VerifyCount& c, const Units& u) {
  return c.decode * u.decode + c.encode * u.encode + c.dec_add * u.dec_add +
         c.double_mul * u.double_mul + c.table_mul * u.table_mul;
}

// Operation counts of encrypt_ballot before its self-check (libsodium,
// constant time): per slot, encryption 2 base_mul + 1 mul + 1 add; 0/1 proof
// 3 base_mul + 4 mul + 3 add (a real branch: 1 + 1; a simulated one:
// 2 base_mul + 3 mul + 3 add); the range proof 1 real + (max-1) simulated
// branches; the combined ciphertext: 2n decodings and decoded additions,
// 4 encodings, 2 mul and 2 add.
struct CreateCount {
  double base_mul, mul, add, decode, dec_add, encode;
};

CreateCount create_count(int n, int max) {
  CreateCount c{};
  c.base_mul = 2 * n + 3 * n + 1 + 2 * (max - 1);
  c.mul = n + 4 * n + 1 + 3 * (max - 1) + 2;
  c.add = n + 3 * n + 3 * (max - 1) + 2;
  c.decode = 2 * n;
  c.dec_add = 2 * n;
  c.encode = 4;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (urne::Status s = urne::init_crypto(); !s) {
    std::fprintf(stderr, "%s\n", s.to_string().c_str());
    return 1;
  }
  const int verifications = argc > 1 ? std::atoi(argv[1]) : 40;
  const int creations = verifications / 8 > 0 ? verifications / 8 : 1;  // per round

  urne::SeededRng rng(2026);
  const urne::BallotLayout layout{12, true, 7};
  const int n = static_cast<int>(layout.slot_count());
  const int max = static_cast<int>(layout.max_marks);
  urne::Result<urne::ElGamalPublicKey> pk =
      urne::ElGamalPublicKey::from_point(Point::base_mul(Scalar::random_nonzero(rng)));
  if (!pk.ok()) return 1;
  const urne::BallotContext ctx{{}, urne::Bytes(98, 0x42), *pk, layout};

  std::printf(
      "urne ballot benchmark: %d candidates + Enthaltung + ungueltig, max %d marks, "
      "%d slots; one core\n",
      layout.candidates, max, n);
  std::printf("verify backend: %s\n\n", std::string(urne::verify_backend_name()).c_str());

  // Ballots with 7 marks (the op count does not depend on the values).
  std::vector<std::uint8_t> values(layout.slot_count(), 0);
  for (int j = 0; j < max; ++j) values[static_cast<std::size_t>(j)] = 1;

  Units u{1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300, 1e300};
  auto keep_min = [](double& best, double x) { best = std::min(best, x); };
  std::vector<urne::ProvenBallot> ballots;
  double create_us = 1e300;
  double verify_us = 1e300;
  int ok = 0;
  for (int r = 0; r < kRounds; ++r) {
    const Units ur = measure_units(rng);
    keep_min(u.base_mul, ur.base_mul);
    keep_min(u.mul, ur.mul);
    keep_min(u.add, ur.add);
    keep_min(u.decode, ur.decode);
    keep_min(u.encode, ur.encode);
    keep_min(u.dec_add, ur.dec_add);
    keep_min(u.double_mul, ur.double_mul);
    keep_min(u.table_mul, ur.table_mul);

    ballots.clear();
    double start = cpu_micros();
    for (int i = 0; i < creations; ++i) {
      urne::Result<urne::BallotEncryption> e = urne::encrypt_ballot(ctx, values, rng);
      if (!e.ok()) {
        std::fprintf(stderr, "encrypt_ballot: %s\n", e.status().to_string().c_str());
        return 1;
      }
      ballots.push_back(std::move(e->ballot));
    }
    keep_min(create_us, (cpu_micros() - start) / creations);

    start = cpu_micros();
    for (int i = 0; i < verifications; ++i) {
      ok += urne::verify_ballot(ctx, ballots[static_cast<std::size_t>(i) % ballots.size()]).is_ok();
    }
    keep_min(verify_us, (cpu_micros() - start) / verifications);
  }

  std::printf("unit costs (us)   libsodium: base_mul %.1f  mul %.1f  add %.1f\n", u.base_mul, u.mul,
              u.add);
  std::printf(
      "                  verify backend: decode %.1f  encode %.1f  add %.2f  "
      "double_mul %.1f  table_mul %.1f\n\n",
      u.decode, u.encode, u.dec_add, u.double_mul, u.table_mul);

  const VerifyCount vc = verify_count(n, max);
  const double vlimit = verify_limit(vc, u);
  const CreateCount cc = create_count(n, max);
  const double climit = cc.base_mul * u.base_mul + cc.mul * u.mul + cc.add * u.add +
                        cc.decode * u.decode + cc.dec_add * u.dec_add + cc.encode * u.encode +
                        vlimit;

  std::printf("verify: %.0f decode + %.0f encode + %.0f add + %.0f double_mul + %.0f table_mul\n",
              vc.decode, vc.encode, vc.dec_add, vc.double_mul, vc.table_mul);
  std::printf(
      "create: %.0f base_mul + %.0f mul + %.0f add (libsodium) + %.0f decode + %.0f add "
      "+ %.0f encode (backend), then one verify (self-check)\n\n",
      cc.base_mul, cc.mul, cc.add, cc.decode, cc.dec_add, cc.encode);

  std::printf(
      "times: CPU time of one thread, best of %d rounds (%d creations, %d "
      "verifications each)\n",
      kRounds, creations, verifications);
  std::printf("create: %8.2f ms/ballot  %7.1f ballots/s  limit %.2f ms  ratio %.2f\n",
              create_us / 1000, 1e6 / create_us, climit / 1000, create_us / climit);
  std::printf("verify: %8.2f ms/ballot  %7.1f ballots/s  limit %.2f ms  ratio %.2f  (%d/%d ok)\n",
              verify_us / 1000, 1e6 / verify_us, vlimit / 1000, verify_us / vlimit, ok,
              kRounds * verifications);
  // The same verifier on libsodium alone (group.cpp's fallback): decoding
  // and encoding are free there, but every addition decodes and encodes and
  // a double multiplication is base_mul + mul + add.
  const double sodium_only =
      vc.double_mul * (u.base_mul + u.mul + u.add) + vc.table_mul * u.mul + vc.dec_add * u.add;
  std::printf(
      "verify limit with libsodium alone (same counts, libsodium units): %.2f ms, %.1fx "
      "Belenios\n",
      sodium_only / 1000, 83000.0 / sodium_only);
  std::printf("verify vs Belenios 2.0 (~83 ms CPU per ballot): %.1fx faster (goal >= 10x)\n",
              83000.0 / verify_us);
  std::printf("(sink %u)\n", g_sink & 1U);
  return 0;
}
