#include "crypto/passphrase_box.hpp"

#include <sodium.h>

#include <string>
#include <string_view>

namespace urne {
namespace {

static_assert(kPassphraseBoxLabel.size() == 22);
static_assert(kPassphraseBoxHeaderSize ==
              22 + 1 + 4 + 8 + crypto_pwhash_argon2id_SALTBYTES + crypto_secretbox_NONCEBYTES);
static_assert(crypto_secretbox_MACBYTES == 16);
static_assert(crypto_secretbox_KEYBYTES == 32);
static_assert(crypto_pwhash_argon2id_SALTBYTES == 16);
static_assert(crypto_pwhash_ALG_ARGON2ID13 == 2);

constexpr std::size_t kLabelSize = 22;
constexpr std::size_t kAlgOffset = kLabelSize;
constexpr std::size_t kOpsOffset = kAlgOffset + 1;
constexpr std::size_t kMemOffset = kOpsOffset + 4;
constexpr std::size_t kSaltOffset = kMemOffset + 8;
constexpr std::size_t kNonceOffset = kSaltOffset + crypto_pwhash_argon2id_SALTBYTES;
constexpr std::uint8_t kAlgArgon2id13 = crypto_pwhash_ALG_ARGON2ID13;

Status malformed(std::string message) {
  return invalid_argument("passphrase_box_malformed", std::move(message));
}

std::uint64_t read_be(ByteView b) {
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

// The header fields of a box, checked against the bounds before anything
// expensive runs.
struct Header {
  KdfLimits limits;
  ByteView salt;
  ByteView nonce;
  ByteView bytes;  // the 75 header bytes, as hashed into the key
};

Result<Header> parse_header(ByteView box) {
  if (box.size() <= kPassphraseBoxOverhead) {
    return malformed("a passphrase box is more than " + std::to_string(kPassphraseBoxOverhead) +
                     " bytes, this one " + std::to_string(box.size()));
  }
  if (box.size() > kPassphraseBoxOverhead + kMaxPassphraseBoxSecret) {
    return malformed("the passphrase box is larger than any urne writes");
  }
  if (to_string(box.first(kLabelSize)) != kPassphraseBoxLabel) {
    return malformed("not an urne passphrase box (label)");
  }
  if (box[kAlgOffset] != kAlgArgon2id13) {
    return malformed("unknown key derivation algorithm " + std::to_string(box[kAlgOffset]));
  }
  Header h;
  const std::uint64_t ops = read_be(box.subspan(kOpsOffset, 4));
  const std::uint64_t mem = read_be(box.subspan(kMemOffset, 8));
  // Why bounds before Argon2: the limits come from the file, and Argon2
  // allocates memlimit bytes and runs opslimit passes over them. A hostile
  // or corrupted file asking for 2^60 bytes must be refused, not attempted.
  if (ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || ops > kMaxOpslimit) {
    return malformed("Argon2 opslimit " + std::to_string(ops) + " is outside 1.." +
                     std::to_string(kMaxOpslimit));
  }
  if (mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || mem > kMaxMemlimit) {
    return malformed("Argon2 memlimit " + std::to_string(mem) + " bytes is outside " +
                     std::to_string(crypto_pwhash_argon2id_MEMLIMIT_MIN) + ".." +
                     std::to_string(kMaxMemlimit));
  }
  h.limits = KdfLimits{static_cast<std::uint32_t>(ops), mem};
  h.salt = box.subspan(kSaltOffset, crypto_pwhash_argon2id_SALTBYTES);
  h.nonce = box.subspan(kNonceOffset, crypto_secretbox_NONCEBYTES);
  h.bytes = box.first(kPassphraseBoxHeaderSize);
  return h;
}

// key = BLAKE2b-256(key = Argon2id(passphrase, salt), header || u32(len ctx) || ctx).
Result<SecretBytes> derive_key(ByteView passphrase, const Header& h, ByteView context) {
  int argon_rc = 0;
  SecretBytes k0 = SecretBytes::build(32, [&](std::span<std::uint8_t> out) {
    argon_rc =
        crypto_pwhash(out.data(), out.size(),
                      reinterpret_cast<const char*>(passphrase.data()),  // NOLINT
                      passphrase.size(), h.salt.data(), h.limits.opslimit,
                      static_cast<std::size_t>(h.limits.memlimit), crypto_pwhash_ALG_ARGON2ID13);
  });
  if (argon_rc != 0) {
    return Status(Code::kResourceExhausted, "kdf_failed",
                  "Argon2id could not run (out of memory for " +
                      std::to_string(h.limits.memlimit >> 20) + " MiB?)");
  }
  Bytes ctx_len;
  append_u32(ctx_len, static_cast<std::uint32_t>(context.size()));
  return SecretBytes::build(crypto_secretbox_KEYBYTES, [&](std::span<std::uint8_t> out) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, k0.view().data(), k0.size(), out.size());
    crypto_generichash_update(&st, h.bytes.data(), h.bytes.size());
    crypto_generichash_update(&st, ctx_len.data(), ctx_len.size());
    crypto_generichash_update(&st, context.data(), context.size());
    crypto_generichash_final(&st, out.data(), out.size());
    sodium_memzero(&st, sizeof st);
  });
}

}  // namespace

KdfLimits kdf_limits(KdfStrength strength) noexcept {
  switch (strength) {
    case KdfStrength::kModerate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case KdfStrength::kInteractive:
      return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
              crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
  }
  std::abort();  // contract: a named strength
}

Result<Bytes> passphrase_seal(ByteView secret, ByteView passphrase, ByteView context,
                              KdfStrength strength, Rng& rng) {
  if (passphrase.size() < kMinPassphraseSize) {
    return invalid_argument(
        "passphrase_too_short",
        "a passphrase has at least " + std::to_string(kMinPassphraseSize) + " characters");
  }
  if (passphrase.size() > kMaxPassphraseSize) {
    return invalid_argument(
        "passphrase_too_long",
        "a passphrase has at most " + std::to_string(kMaxPassphraseSize) + " bytes");
  }
  if (secret.empty()) return invalid_argument("secret_empty", "nothing to seal");
  if (secret.size() > kMaxPassphraseBoxSecret) {
    return invalid_argument(
        "secret_too_large",
        "a passphrase box holds at most " + std::to_string(kMaxPassphraseBoxSecret) + " bytes");
  }
  const KdfLimits limits = kdf_limits(strength);
  Bytes box;
  box.reserve(kPassphraseBoxOverhead + secret.size());
  append(box, as_bytes(kPassphraseBoxLabel));
  append_u8(box, kAlgArgon2id13);
  append_u32(box, limits.opslimit);
  append_u64(box, limits.memlimit);
  FixedBytes<crypto_pwhash_argon2id_SALTBYTES> salt{};
  FixedBytes<crypto_secretbox_NONCEBYTES> nonce{};
  rng.fill(salt);
  rng.fill(nonce);
  append(box, salt);
  append(box, nonce);

  // The limits are libsodium's named constants, inside open()'s bounds.
  Header hb;
  hb.limits = limits;
  hb.salt = salt;
  hb.nonce = nonce;
  hb.bytes = box;
  URNE_ASSIGN_OR_RETURN(const SecretBytes key, derive_key(passphrase, hb, context));
  static_assert(crypto_pwhash_argon2id_OPSLIMIT_MODERATE <= kMaxOpslimit &&
                crypto_pwhash_argon2id_MEMLIMIT_MODERATE <= kMaxMemlimit);

  box.resize(kPassphraseBoxOverhead + secret.size());
  // `hb` viewed `box`, which may move now: from here only `nonce` and
  // `key` are used.
  crypto_secretbox_easy(box.data() + kPassphraseBoxHeaderSize, secret.data(), secret.size(),
                        nonce.data(), key.view().data());

  // Self-check with the derived key (not a second Argon2 run): the box
  // opens and gives back the secret.
  const ByteView sealed = ByteView(box).subspan(kPassphraseBoxHeaderSize);
  int open_rc = 0;
  const SecretBytes back = SecretBytes::build(secret.size(), [&](std::span<std::uint8_t> out) {
    open_rc = crypto_secretbox_open_easy(out.data(), sealed.data(), sealed.size(), nonce.data(),
                                         key.view().data());
  });
  if (open_rc != 0 || !ct_equal(back.view(), secret)) {
    return internal_error("self_check_failed", "a fresh passphrase box did not open");
  }
  return box;
}

Result<SecretBytes> passphrase_open(ByteView box, ByteView passphrase, ByteView context) {
  if (passphrase.empty()) return invalid_argument("passphrase_empty", "the passphrase is empty");
  if (passphrase.size() > kMaxPassphraseSize) {
    return invalid_argument(
        "passphrase_too_long",
        "a passphrase has at most " + std::to_string(kMaxPassphraseSize) + " bytes");
  }
  URNE_ASSIGN_OR_RETURN(const Header h, parse_header(box));
  URNE_ASSIGN_OR_RETURN(const SecretBytes key, derive_key(passphrase, h, context));
  const ByteView sealed = box.subspan(kPassphraseBoxHeaderSize);
  int rc = 0;
  SecretBytes secret = SecretBytes::build(
      sealed.size() - crypto_secretbox_MACBYTES, [&](std::span<std::uint8_t> out) {
        rc = crypto_secretbox_open_easy(out.data(), sealed.data(), sealed.size(), h.nonce.data(),
                                        key.view().data());
      });
  // The MAC cannot tell a wrong passphrase from a changed byte or a box
  // presented under another context: one answer for all three.
  if (rc != 0) {
    return unauthenticated("wrong_passphrase", "wrong passphrase or damaged file");
  }
  return secret;
}

}  // namespace urne
