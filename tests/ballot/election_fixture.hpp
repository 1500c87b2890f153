// Test helpers for the election-domain tests: one small DKG ceremony (n = 2,
// k = 2) and one 2048-bit token key, each made once per test binary; valid
// Ed25519 keys; a complete, valid ManifestSpec; token issuance for a
// manifest.
#pragma once

#include <doctest/doctest.h>
#include <sodium.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ballot/manifest.hpp"
#include "ballot/roster.hpp"
#include "crypto/blind_rsa.hpp"
#include "crypto/dkg.hpp"
#include "crypto/hash.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"

namespace urne::test {

template <class T>
T must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().to_string());
  return std::move(r).value();
}

template <class T>
std::string reason_of(const Result<T>& r) {
  return r.ok() ? "ok" : r.status().reason();
}
inline std::string reason_of(const Status& s) { return s.is_ok() ? "ok" : s.reason(); }

inline CeremonyId fixture_ceremony_id() {
  CeremonyId id{};
  id.fill(0x5a);
  return id;
}

// The QUAL commitments of a 2-of-2 ceremony (both dealers qualified).
inline const std::vector<DealerCommitment>& fixture_commitments() {
  static const std::vector<DealerCommitment> commitments = [] {
    SeededRng rng(0xd6c);
    const DkgParams p = must(DkgParams::create(fixture_ceremony_id(), 2, 2));
    std::vector<DealerCommitment> out;
    for (TrusteeIndex i = 1; i <= 2; ++i) {
      Dealer d = must(Dealer::generate(p, i, rng));
      out.push_back(d.commitment());
    }
    return out;
  }();
  return commitments;
}

// One token issuer per test binary (RSA key generation takes a while).
inline const TokenIssuer& fixture_issuer() {
  static const TokenIssuer issuer = [] {
    BlindRsaSecretKey sk = must(BlindRsaSecretKey::generate(2048));
    return must(TokenIssuer::create(std::move(sk)));
  }();
  return issuer;
}

// A valid Ed25519 public key, different for every seed byte.
inline FixedBytes<32> ed25519_key(std::uint8_t seed_byte) {
  FixedBytes<32> seed{};
  seed.fill(seed_byte);
  FixedBytes<32> pk{};
  FixedBytes<64> sk{};
  if (crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data()) != 0) {
    throw std::runtime_error("crypto_sign_seed_keypair failed");
  }
  return pk;
}

inline FixedBytes<32> filled(std::uint8_t b) {
  FixedBytes<32> out{};
  out.fill(b);
  return out;
}

// A valid spec with `n` candidates.
inline ManifestSpec base_spec(std::size_t n = 9) {
  ManifestSpec s;
  s.title = "Wahl des Sprecherrats 2026";
  s.kind = "Sprecherratswahl";
  s.description = "Gewählt werden sieben Mitglieder\nund zwei Nachrücker.";
  s.roster_fingerprint = filled(0x11);
  for (std::size_t i = 0; i < n; ++i) {
    s.candidates.push_back(
        Candidate{"Kandidat*in Nr. " + std::to_string(i + 1), i % 2 ? "Verein Ümit e.V." : ""});
  }
  s.invalid_offered = true;
  s.lot_seed_commitment = filled(0x22);
  s.token_issuer_name = "urne.example";
  s.token_public_key = fixture_issuer().public_key().spki();
  s.ceremony_id = fixture_ceremony_id();
  s.trustees = 2;
  s.threshold = 2;
  s.qual_commitments = fixture_commitments();
  s.service_key = ed25519_key(1);
  s.officer_key = ed25519_key(2);
  s.page_hash = filled(0x33);
  return s;
}

// Issues one token for the manifest's election with the fixture key.
inline Token issue_token(const Manifest& m, Rng& rng) {
  const TokenIssuer& issuer = fixture_issuer();
  PendingTokenRequest pending =
      must(create_token_request(issuer.public_key(), m.token_challenge(), rng));
  TokenResponse response = must(issuer.evaluate(pending.request));
  return must(finalize_token(issuer.public_key(), pending.state, response));
}

}  // namespace urne::test
