#include "server/backup.hpp"

#include <sys/stat.h>

#include <array>
#include <string>

#include "server/files.hpp"
#include "server/sqlite_util.hpp"

namespace urne::server {

Status backup_data_dir(const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                       std::ostream& out) {
  std::error_code ec;
  if (std::filesystem::exists(dest, ec)) {
    return Status(Code::kAlreadyExists, "backup_exists",
                  dest.string() + " exists; a backup goes into a new directory");
  }
  if (!std::filesystem::create_directories(dest, ec) || ::chmod(dest.c_str(), 0700) != 0) {
    return failed_precondition("backup_unwritable", "cannot create " + dest.string());
  }
  std::size_t copied = 0;
  for (const char* db : {"register.db", "ballot-box.db"}) {
    const auto src = data_dir / db;
    if (!std::filesystem::exists(src, ec)) continue;
    URNE_RETURN_IF_ERROR(store::backup_database(src, dest / db));
    out << "backed up " << db << " (online backup, quick_check ok)\n";
    ++copied;
  }
  if (copied == 0) {
    return Status(Code::kNotFound, "no_stores", data_dir.string() + " holds no store");
  }
  for (const char* name : {"service.key", "officer-keys", "cert.pem", "key.pem"}) {
    const auto src = data_dir / name;
    if (!std::filesystem::exists(src, ec)) continue;
    struct stat st {};
    if (::stat(src.c_str(), &st) != 0)
      return internal_error("backup_failed", "cannot stat " + src.string());
    URNE_ASSIGN_OR_RETURN(const std::string data, read_small_file(src, std::size_t{1} << 20));
    URNE_RETURN_IF_ERROR(
        write_file_atomically(dest / name, data, st.st_mode & 0777, "backup_failed"));
    out << "copied " << name << "\n";
  }
  return Status::ok();
}

}  // namespace urne::server
