#include "crypto/dlog.hpp"

#include <cstring>
#include <unordered_map>

namespace urne {

namespace {

// Point encodings are uniformly distributed for our purposes (they are
// public, and a collision only costs a comparison), so their first 8 bytes
// are a good hash.
struct EncodingHash {
  std::size_t operator()(const FixedBytes<Point::kSize>& b) const noexcept {
    std::uint64_t h = 0;
    std::memcpy(&h, b.data(), sizeof h);
    return static_cast<std::size_t>(h);
  }
};

// ceil(sqrt(x)) for x >= 1, exactly, in integers.
std::uint64_t ceil_sqrt(std::uint64_t x) {
  std::uint64_t r = 1;
  while (r * r < x) ++r;  // x <= 10^8 + 1: at most 10^4 iterations
  return r;
}

}  // namespace

// libsodium has no discrete-log routine (nor does OpenSSL for this group),
// so this is hand-written; it touches public values only.
Result<std::uint64_t> small_dlog(const Point& point, std::uint64_t bound) {
  if (bound > kMaxDlogBound) {
    return invalid_argument("dlog_bound_too_large", "bound exceeds the largest supported total");
  }
  const std::uint64_t s = ceil_sqrt(bound + 1);  // s*s >= bound + 1 values 0..bound

  // Baby steps j*G for 0 <= j < s; each is also compared with the target, so
  // m < s is found without giant steps.
  std::unordered_map<FixedBytes<Point::kSize>, std::uint64_t, EncodingHash> table;
  table.reserve(static_cast<std::size_t>(s));
  const Point g = Point::generator();
  Point p = Point::identity();
  for (std::uint64_t j = 0; j < s; ++j) {
    if (p == point) {
      if (j <= bound) return j;
      break;
    }
    table.emplace(p.bytes(), j);
    p += g;
  }
  // p = s*G. Giant steps: point - i*s*G for i >= 1 while i*s <= bound.
  Point q = point;
  for (std::uint64_t i = 1; i * s <= bound; ++i) {
    q -= p;
    if (auto it = table.find(q.bytes()); it != table.end()) {
      const std::uint64_t m = i * s + it->second;
      if (m <= bound) return m;
      break;  // the logarithm is unique: it is out of range
    }
  }
  return Status(Code::kNotFound, "dlog_not_found", "no total in 0..bound gives this point");
}

}  // namespace urne
