// Byte containers and encodings (hex, base64url) used across urne.
//
// Bytes are std::uint8_t (= unsigned char) rather than std::byte so they pass
// to OpenSSL and libsodium without casts; fixed-size values use FixedBytes<N>
// and std::span<const std::uint8_t, N> so that sizes are checked by the type.
//
// Decoders are strict: they reject what another decoder would read
// differently (padding, whitespace, non-canonical trailing bits, odd hex
// length), so that a value has exactly one text form.
//
// Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.hpp"

namespace urne {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
template <std::size_t N>
using FixedBytes = std::array<std::uint8_t, N>;

// Views the characters of a string as bytes (no copy).
ByteView as_bytes(std::string_view s) noexcept;
// Copies bytes into a std::string (for text that is bytes, e.g. a label).
std::string to_string(ByteView b);

// Lower-case hex.
std::string hex_encode(ByteView b);
// Accepts upper or lower case; rejects odd length and non-hex characters.
Result<Bytes> hex_decode(std::string_view text);

// RFC 4648 section 5 base64url without padding.
std::string base64url_encode(ByteView b);
// Rejects '=', whitespace, characters outside the alphabet and non-zero
// unused trailing bits.
Result<Bytes> base64url_decode(std::string_view text);

// Decodes exactly N bytes (hex or base64url) or fails with `reason`.
template <std::size_t N>
Result<FixedBytes<N>> to_fixed(const Bytes& b, std::string_view what) {
  if (b.size() != N) {
    return invalid_argument("bad_length",
                            std::string(what) + " must be " + std::to_string(N) + " bytes");
  }
  FixedBytes<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = b[i];
  return out;
}

// Concatenation helpers for building wire formats.
void append(Bytes& out, ByteView b);
void append_u8(Bytes& out, std::uint8_t v);
void append_u16(Bytes& out, std::uint16_t v);  // big-endian
void append_u32(Bytes& out, std::uint32_t v);  // big-endian
void append_u64(Bytes& out, std::uint64_t v);  // big-endian

// Constant-time equality of two byte strings (lengths are not secret).
[[nodiscard]] bool ct_equal(ByteView a, ByteView b) noexcept;

}  // namespace urne
