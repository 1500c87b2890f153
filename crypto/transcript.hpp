// Transcript: the Fiat-Shamir hash of every non-interactive proof in urne.
//
// A transcript is SHA-512 over a sequence of named items, each encoded as
//   u16be(len(name)) || name || u32be(len(value)) || value
// beginning with the item ("proto", "urne/fs/v1") and ("label", <proof label
// and version, e.g. "urne/zero-one/v1">). Every input is thus domain-separated
// and length-prefixed, so no two different statements hash alike
// (crypto-notes.md, "Fiat-Shamir"). The challenge is the 64-byte digest
// reduced mod l, never a 32-byte one.
//
// Transcripts are copyable: a prover or verifier absorbs the shared statement
// once (election, token, key, all ciphertexts) and copies the state per slot.
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/bytes.hpp"
#include "crypto/group.hpp"
#include "crypto/hash.hpp"

namespace urne {

class Transcript {
 public:
  // `label` names the proof type and version. Contract: label and item names
  // are < 64 KiB, values < 4 GiB.
  explicit Transcript(std::string_view label);

  Transcript& append(std::string_view name, ByteView value);
  Transcript& append_point(std::string_view name, const Point& p);
  Transcript& append_scalar(std::string_view name, const Scalar& s);
  Transcript& append_u64(std::string_view name, std::uint64_t v);  // 8 bytes BE

  // The challenge scalar for everything absorbed so far (does not consume the
  // transcript; further appends continue from the same state).
  Scalar challenge() const;

 private:
  Sha512 h_;
};

}  // namespace urne
