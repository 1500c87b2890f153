// The server's own keys in its data directory.
//
//   service.key   the ballot box's Ed25519 key (receipts, board, result):
//                 its 32-byte seed as 64 hex digits, mode 0600; made at the
//                 first start of a ballot box and kept.
//   officer-keys  the election officers' Ed25519 public keys, one per line
//                 as 64 hex digits: who may set up elections here. Keys given
//                 on the command line are added; none is ever made here
//                 (no default credential).
//
// Thread-safety: plain functions, called at start-up.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "crypto/status.hpp"

namespace urne::server {

// An Ed25519 key file: the 32-byte seed as 64 hex digits and a newline,
// mode 0600 (the officer's key file of `urne officer keygen` has the same
// form). Reading refuses a file that others may read ("file_permissions")
// or that is not in this form ("bad_key_file").
Status write_signing_key_file(const std::filesystem::path& file, const Ed25519SigningKey& key);
Result<Ed25519SigningKey> read_signing_key_file(const std::filesystem::path& file);

struct ServiceKey {
  Ed25519SigningKey key;
  bool generated = false;
};

// Loads data_dir/service.key or makes it. Reasons: "file_permissions" (not
// 0600), "bad_key_file" (not 64 hex digits + optional newline).
Result<ServiceKey> load_or_create_service_key(const std::filesystem::path& data_dir, Rng& rng);

// Adds `add` to data_dir/officer-keys (kept sorted, without duplicates) and
// returns all of them; an absent file is an empty list. "bad_key_file" for a
// line that is not 64 lower-case hex digits.
Result<std::vector<Ed25519PublicKey>> update_officer_keys(const std::filesystem::path& data_dir,
                                                          std::span<const Ed25519PublicKey> add);

}  // namespace urne::server
