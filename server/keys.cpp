#include "server/keys.hpp"

#include <algorithm>
#include <sstream>
#include <string>

#include "crypto/bytes.hpp"
#include "crypto/secret.hpp"
#include "server/files.hpp"

namespace urne::server {
namespace {

constexpr std::size_t kMaxKeyFileSize = 1 << 20;

Status bad_key_file(const std::filesystem::path& p, std::string_view why) {
  return invalid_argument("bad_key_file", p.string() + ": " + std::string(why));
}

}  // namespace

Status write_signing_key_file(const std::filesystem::path& file, const Ed25519SigningKey& key) {
  const SecretBytes seed = key.export_seed();
  std::string text = hex_encode(seed.view()) + "\n";
  Status s = write_file_atomically(file, text, 0600, "key_write_failed");
  std::fill(text.begin(), text.end(), '\0');
  return s;
}

Result<Ed25519SigningKey> read_signing_key_file(const std::filesystem::path& file) {
  URNE_RETURN_IF_ERROR(check_owner_only(file));
  URNE_ASSIGN_OR_RETURN(std::string text, read_small_file(file, 128));
  if (!text.empty() && text.back() == '\n') text.pop_back();
  auto seed = hex_decode(text);
  std::fill(text.begin(), text.end(), '\0');
  if (!seed.ok() || seed->size() != Ed25519SigningKey::kSeedSize) {
    return bad_key_file(file, "expected 64 hex digits");
  }
  const SecretBytes secret = SecretBytes::copy_of(*seed);
  std::fill(seed->begin(), seed->end(), std::uint8_t{0});
  return Ed25519SigningKey::from_seed(secret.view());
}

Result<ServiceKey> load_or_create_service_key(const std::filesystem::path& data_dir, Rng& rng) {
  const auto file = data_dir / "service.key";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    Ed25519SigningKey key = Ed25519SigningKey::generate(rng);
    URNE_RETURN_IF_ERROR(write_signing_key_file(file, key));
    return ServiceKey{std::move(key), true};
  }
  URNE_ASSIGN_OR_RETURN(Ed25519SigningKey key, read_signing_key_file(file));
  return ServiceKey{std::move(key), false};
}

Result<std::vector<Ed25519PublicKey>> update_officer_keys(const std::filesystem::path& data_dir,
                                                          std::span<const Ed25519PublicKey> add) {
  const auto file = data_dir / "officer-keys";
  std::vector<Ed25519PublicKey> keys;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    URNE_ASSIGN_OR_RETURN(const std::string text, read_small_file(file, kMaxKeyFileSize));
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto b = hex_decode(line);
      if (!b.ok() || b->size() != 32 || hex_encode(*b) != line) {
        return bad_key_file(file, "each line must be 64 lower-case hex digits");
      }
      URNE_ASSIGN_OR_RETURN(const auto k, to_fixed<32>(*b, "officer key"));
      keys.push_back(k);
    }
  }
  const std::size_t before = keys.size();
  keys.insert(keys.end(), add.begin(), add.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() != before || !add.empty()) {
    std::string text;
    for (const auto& k : keys) text += hex_encode(k) + "\n";
    URNE_RETURN_IF_ERROR(write_file_atomically(file, text, 0644, "key_write_failed"));
  }
  return keys;
}

}  // namespace urne::server
