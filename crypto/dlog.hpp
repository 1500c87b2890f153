// Small discrete logarithms in ristretto255: recover m from M = m*G when
// 0 <= m <= bound. This is the last step of a tally: a decrypted total is
// m*G, and m is at most the number of ballots (design.md, "Trustees").
//
// Baby-step giant-step with a table of about sqrt(bound + 1) points that is
// built per call and freed on return (nothing resident): for bound = 10^6 that
// is ~1000 entries and ~2000 group additions. The baby steps double as a
// linear search, so a small m (the common case: a few dozen ballots) is found
// after m + 1 additions.
//
// Runs in time depending on m: only for public values (decrypted totals).
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>

#include "crypto/group.hpp"
#include "crypto/status.hpp"

namespace urne {

// The largest bound accepted (a table of 10^4 points, ~20k additions).
inline constexpr std::uint64_t kMaxDlogBound = 100'000'000;

// m with m*G == point and 0 <= m <= bound. Reasons: "dlog_bound_too_large"
// (kInvalidArgument) when bound > kMaxDlogBound; "dlog_not_found"
// (kNotFound) when no such m exists, which for a tally means a wrong
// decryption. Never aborts on any point.
Result<std::uint64_t> small_dlog(const Point& point, std::uint64_t bound);

}  // namespace urne
