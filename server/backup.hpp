// A consistent backup of a data directory while the service runs
// (urne-server --backup-to DIR): each SQLite store through SQLite's online
// backup (sqlite_util.hpp backup_database: a snapshot, quick_check, fsync,
// rename), and the small files (service.key, officer-keys, cert.pem,
// key.pem) copied with their modes. docs/operation.md says how to restore
// and when not to.
//
// Thread-safety: a one-shot function for its own process.
#pragma once

#include <filesystem>
#include <ostream>

#include "crypto/status.hpp"

namespace urne::server {

// `dest` must not exist yet (kAlreadyExists "backup_exists"); it is made
// with mode 0700, because the copy holds the token keys and the service
// key. Writes one line per file to `out`.
Status backup_data_dir(const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                       std::ostream& out);

}  // namespace urne::server
