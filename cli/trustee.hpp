// urne trustee: the distributed key ceremony among the trustees over an
// exchange directory, and a trustee's decryption of the sums after the
// close (cli-spec.md, "Trustees"; crypto/dkg.hpp for the protocol).
//
// The exchange directory D (a shared folder, a USB stick passed around)
// holds public messages only, each in its own file, named by round and
// trustee index (I = dealer, J = recipient or complainer):
//   ceremony.json         {"ceremony_id": hex, "trustees": n, "threshold": k}
//                         (ceremony new)
//   box-J.pub             ceremony_id[32] || J u8 || X25519 public key[32]
//                         (begin)
//   commitment-J.bin      DealerCommitment (begin)
//   share-I-to-J.bin      EncryptedShare from I to J (deal)
//   complaint-I-by-J.bin  Complaint of J against I (check)
//   checked-J.bin         ceremony_id[32] || J u8 || count u8 || dealers
//                         complained against (u8 each, ascending): J has
//                         checked every share it received (check)
//   answer-I-to-J.bin     RevealedShare: I's answer to J's complaint (answer)
//   outcome.json          {"ceremony_id", "trustees", "threshold",
//                         "commitments": [base64url, QUAL ascending]}
//                         (finish; every trustee writes the same bytes, or
//                         compares with what is there)
// Who wrote a file is not authenticated by the directory: the trustees
// trust the exchange medium for authorship (the design's "the
// board/transport authenticates who posted it"). What a forger could do:
// replace box-J.pub (the shares for J would be boxed to the forger) or
// forge a complaint (the dealer then reveals that share publicly). So deal
// and finish print a fingerprint of all box keys that the trustees compare
// aloud (differing fingerprints: discard the ceremony, start a new one),
// and check/answer print every complaint. Every file is
// checked to belong to this ceremony and to the index in its name.
//
// Rounds, each of which waits for what the previous round of every trustee
// produced and names what is missing (kFailedPrecondition
// "ceremony_waiting", e.g. "waiting for trustee 3's commitment"):
//   new     the officer or one trustee fixes n, k and a random ceremony id
//   begin   trustee J: box key pair and polynomial, sealed into the state
//           file; publishes box-J.pub and commitment-J.bin
//   deal    all box keys present: writes share-J-to-I.bin for every I != J
//   check   all commitments and shares to J present: opens and checks each,
//           publishes a complaint for each bad one, then checked-J.bin
//   answer  all checked-*.bin present: answers every complaint against J
//   finish  all answers present: resolve_ceremony(), assembles J's share,
//           writes the sealed share file and outcome.json, then removes
//           the state file (its dealer secret is needed by no later step;
//           removing it keeps the polynomial from outliving the ceremony).
// Every round may be run again: it redoes nothing it finds done (a file it
// would write that exists is kept; one that disagrees is an error).
//
// Files a trustee keeps (JSON wrappers, mode 0600, never overwritten):
//   state  {"kind": "urne-trustee-state", "ceremony_id": hex, "index": J,
//           "box": base64url PassphraseBox}; context
//           "urne/trustee-state/v1" || ceremony_id || u8 J; secret:
//           u8 version 1 || u8 KdfStrength || u16 len || Dealer export
//           || box secret key[32]
//   share  {"kind": "urne-trustee-share", "ceremony_id": hex, "index": J,
//           "box": base64url PassphraseBox}; context
//           "urne/trustee-share/v1" || ceremony_id || u8 J; secret:
//           SecretShare export (66 bytes). Sealed with the state's passphrase
//           and KDF strength. Ceremony id and index are in the clear so that
//           a share of another ceremony is named as such
//           ("share_of_another_ceremony") before a passphrase is asked for.
//   <share>.decrypted  {"<election id hex>": {"sums": "<sums hash hex>",
//           "partials": [base64url PartialDecryption, one per sum]}}: what
//           this share decrypted (see trustee_decrypt), written before the
//           upload; a retry uploads the recorded partials again.
//
// Passphrases: --passphrase-file (its first line), else URNE_PASSPHRASE,
// else a prompt on /dev/tty without echo (asked twice when a file is being
// created). Never on the command line.
//
// Thread-safety: single-threaded command functions.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "crypto/dkg.hpp"
#include "crypto/passphrase_box.hpp"
#include "crypto/random.hpp"
#include "crypto/secret.hpp"

namespace urne::cli {

namespace fs = std::filesystem;

void add_trustee_commands(CLI::App& app, Commands& commands);

// Reads a passphrase: the first line of `file` (without its line end), else
// the environment variable URNE_PASSPHRASE, else from /dev/tty without echo
// (twice, compared, when `confirm`). Errors: invalid_argument
// "passphrase_empty"; failed_precondition "passphrase_unavailable" (no file,
// no variable, no terminal), "passphrase_mismatch" (the two entries
// differ); the file's errors.
Result<SecretBytes> read_passphrase(const std::optional<fs::path>& file, bool confirm);

struct CeremonyNewOptions {
  fs::path dir;
  unsigned trustees = 0;
  unsigned threshold = 0;
};
// Writes dir/ceremony.json with a fresh ceremony id (creates dir). Errors:
// "bad_dkg_params", "file_exists".
Status ceremony_new(const CeremonyNewOptions& opt, Rng& rng, std::ostream& out);

// The options of begin, deal, check, answer and finish.
struct CeremonyOptions {
  fs::path dir;
  fs::path state;
  std::optional<fs::path> passphrase_file;
  unsigned index = 0;                        // begin
  KdfStrength kdf = KdfStrength::kModerate;  // begin (finish uses the state's)
  fs::path share;                            // finish
};
// Creates the state file (refused if it exists: "file_exists"; if another
// trustee took the index: "index_taken") and publishes box-J.pub and
// commitment-J.bin.
Status ceremony_begin(const CeremonyOptions& opt, Rng& rng, std::ostream& out);
Status ceremony_deal(const CeremonyOptions& opt, Rng& rng, std::ostream& out);
Status ceremony_check(const CeremonyOptions& opt, std::ostream& out);
Status ceremony_answer(const CeremonyOptions& opt, std::ostream& out);
// Errors besides waiting: "outcome_mismatch" (outcome.json says something
// else than this trustee derived), "share_changed_after_check" (a share
// that passed check no longer does), resolve_ceremony()'s and
// SecretShare::assemble()'s reasons, "file_exists" for the share file.
Status ceremony_finish(const CeremonyOptions& opt, Rng& rng, std::ostream& out);

// What outcome.json says, checked: the parameters, and the QUAL commitments
// (each parsed, and ElectionKey::derive succeeds on them). Errors:
// "file_missing", "bad_json" and the field reasons, DealerCommitment's and
// ElectionKey::derive's reasons.
struct CeremonyOutcomeFile {
  DkgParams params;
  std::vector<DealerCommitment> commitments;
};
Result<CeremonyOutcomeFile> read_ceremony_outcome(const fs::path& dir);

// Opens a share file for `key`'s ceremony: "share_of_another_ceremony"
// (failed_precondition) if its clear ceremony id is not key's, then the
// passphrase ("wrong_passphrase") and SecretShare::load ("share_mismatch":
// not the share of the published X_j).
Result<SecretShare> load_share_file(const fs::path& file,
                                    const std::optional<fs::path>& passphrase_file,
                                    const ElectionKey& key);

struct TrusteeDecryptOptions {
  ServerOptions server;
  std::string election;
  fs::path share;
  std::optional<fs::path> passphrase_file;
};
// Downloads the manifest and the board, audits the closed board
// (AuditScope::kClosed: "board_audit_failed" naming the failed checks),
// recomputes the sums, compares the server's ("sums_mismatch"), refuses a
// sum other than the one recorded for this election
// ("different_sums_already_decrypted"), decrypts its part with proofs,
// records the sums' hash and the partials (0600, before the upload) and
// uploads them; the same sums again upload the recorded partials (a retry;
// "decrypt_record_damaged" if the record cannot be read). The hash of the sums:
//   SHA-256( "urne/trustee-decrypted-sums/v1" || u32be(count) || (A || B)... ).
Status trustee_decrypt(const TrusteeDecryptOptions& opt, Rng& rng, std::ostream& out);
// The same over an open connection (tests).
Status trustee_decrypt_with(client::ElectionClient& api, const ElectionId& election,
                            const fs::path& share, const std::optional<fs::path>& passphrase_file,
                            Rng& rng, std::ostream& out);

}  // namespace urne::cli
