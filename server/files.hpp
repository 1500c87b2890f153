// Small files of the data directory (keys, certificates, officer keys):
// written atomically and durably, read with a size bound, checked to be
// private.
//
// Thread-safety: plain functions; callers serialize writes to one path.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "crypto/status.hpp"

namespace urne::server {

// Writes `data` to `path` with `mode` via a temporary file, fsync and rename
// (and an fsync of the directory), so a crash never leaves a half-written
// key that the next start would reuse. kInternal `reason` on failure.
Status write_file_atomically(const std::filesystem::path& path, std::string_view data, mode_t mode,
                             std::string_view reason);

// The whole file if it is at most max_size bytes: kNotFound "file_missing",
// kInvalidArgument "file_too_large", kInternal "file_unreadable".
Result<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_size);

// kFailedPrecondition "file_permissions" unless only the owner may read and
// write `path` (no group or other bits).
Status check_owner_only(const std::filesystem::path& path);

}  // namespace urne::server
