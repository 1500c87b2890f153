#include "crypto/bytes.hpp"

#include <sodium.h>

namespace urne {

ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string to_string(ByteView b) { return {b.begin(), b.end()}; }

std::string hex_encode(ByteView b) {
  if (b.empty()) return {};
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
  out.pop_back();
  return out;
}

Result<Bytes> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return invalid_argument("bad_hex", "hex text has an odd number of digits");
  }
  if (text.empty()) return Bytes{};  // libsodium's buffers must not be null
  Bytes out(text.size() / 2);
  std::size_t len = 0;
  const char* end = nullptr;
  // ignore = nullptr: no separators accepted; hex_end tells where parsing
  // stopped, so trailing garbage is caught.
  if (sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end) != 0 ||
      end != text.data() + text.size() || len != out.size()) {
    return invalid_argument("bad_hex", "text is not hex");
  }
  return out;
}

std::string base64url_encode(ByteView b) {
  if (b.empty()) return {};
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(b.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), b.data(), b.size(), kVariant);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

Result<Bytes> base64url_decode(std::string_view text) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  // A length of 1 mod 4 can never be valid base64.
  if (text.size() % 4 == 1) {
    return invalid_argument("bad_base64url", "text is not base64url");
  }
  if (text.empty()) return Bytes{};
  Bytes out(text.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  // libsodium rejects non-zero unused bits, so every value has one encoding.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        kVariant) != 0 ||
      end != text.data() + text.size()) {
    return invalid_argument("bad_base64url", "text is not base64url");
  }
  out.resize(len);
  return out;
}

void append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }
void append_u8(Bytes& out, std::uint8_t v) { out.push_back(v); }
void append_u16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}
void append_u32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
}
void append_u64(Bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::uint8_t>(v >> shift));
  }
}

bool ct_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace urne
