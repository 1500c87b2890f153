#include "crypto/transcript.hpp"

#include <cstdlib>

namespace urne {

Transcript::Transcript(std::string_view label) {
  append("proto", as_bytes("urne/fs/v1"));
  append("label", as_bytes(label));
}

Transcript& Transcript::append(std::string_view name, ByteView value) {
  if (name.size() > 0xffff || value.size() > 0xffffffffULL) std::abort();  // contract
  Bytes header;
  header.reserve(6 + name.size());
  append_u16(header, static_cast<std::uint16_t>(name.size()));
  urne::append(header, as_bytes(name));
  append_u32(header, static_cast<std::uint32_t>(value.size()));
  h_.update(header);
  h_.update(value);
  return *this;
}

Transcript& Transcript::append_point(std::string_view name, const Point& p) {
  return append(name, p.bytes());
}

Transcript& Transcript::append_scalar(std::string_view name, const Scalar& s) {
  return append(name, s.bytes());
}

Transcript& Transcript::append_u64(std::string_view name, std::uint64_t v) {
  Bytes b;
  urne::append_u64(b, v);
  return append(name, b);
}

Scalar Transcript::challenge() const {
  Sha512 copy = h_;  // the state is plain data; finishing a copy keeps ours
  const FixedBytes<64> digest = copy.finish();
  return Scalar::from_wide(digest);
}

}  // namespace urne
