#include "cli/officer.hpp"

#include <memory>
#include <system_error>

#include "crypto/random.hpp"
#include "crypto/signing.hpp"
#include "server/keys.hpp"

namespace urne::cli {

Result<std::string> officer_keygen(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    return Status(Code::kAlreadyExists, "file_exists",
                  file.string() + " exists; an officer key is never overwritten");
  }
  SystemRng rng;
  const Ed25519SigningKey key = Ed25519SigningKey::generate(rng);
  URNE_RETURN_IF_ERROR(server::write_signing_key_file(file, key));
  return hex_encode(key.public_key());
}
void add_officer_commands(CLI::App& app, Commands& commands) {
  CLI::App* officer = app.add_subcommand("officer", "The election officer's commands");
  officer->require_subcommand(1);
  auto keygen_out = std::make_shared<std::string>();
  CLI::App* keygen = officer->add_subcommand(
      "keygen", "Make the officer's Ed25519 key file (mode 0600) and print its public key");
  keygen->add_option("--out", *keygen_out, "Key file to create")->required();
  keygen->callback([keygen_out, &commands] {
    commands.action = [keygen_out](std::ostream& out) -> Status {
      URNE_ASSIGN_OR_RETURN(const std::string pk, officer_keygen(*keygen_out));
      out << pk << "\n";
      return Status::ok();
    };
  });
}

}  // namespace urne::cli
