#include "cli/page_hash.hpp"

#include <memory>
#include <string>

#include "crypto/bytes.hpp"
#include "server/web_assets.hpp"

namespace urne::cli {

Status print_page_hash(const std::filesystem::path& web_dir, bool verbose, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const server::WebAssets assets, server::WebAssets::load(web_dir));
  if (verbose) {
    for (const PageFile& f : assets.page_files()) {
      out << hex_encode(f.content_sha256) << "  " << f.path << "\n";
    }
    out << assets.file_count() << " files, " << assets.total_size() << " bytes\n";
  }
  out << hex_encode(assets.page_hash()) << "\n";
  return Status::ok();
}

void add_page_hash_command(CLI::App& app, Commands& commands) {
  struct Options {
    std::string web_dir;
    bool verbose = false;
  };
  auto opt = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "page-hash",
      "Print the voting page's SHA-256 of a built web client (as urne-server reports it and "
      "the manifest holds)");
  cmd->add_option("--web-dir", opt->web_dir, "The built web client (web/dist)")->required();
  cmd->add_flag("--verbose", opt->verbose, "Also list each file's SHA-256 and path");
  cmd->callback([opt, &commands] {
    commands.action = [opt](std::ostream& out) {
      return print_page_hash(opt->web_dir, opt->verbose, out);
    };
  });
}

}  // namespace urne::cli
