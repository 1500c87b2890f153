#include "cli/trustee.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "ballot/audit.hpp"
#include "ballot/board.hpp"
#include "ballot/tally.hpp"
#include "codec/json_views.hpp"
#include "crypto/bytes.hpp"
#include "crypto/hash.hpp"
#include "crypto/threshold.hpp"

namespace urne::cli {
namespace {

using codec::json;

// Every file of the ceremony is small; these bounds only stop a hostile or
// mistaken file (a video on the USB stick) from being read whole.
constexpr std::size_t kMaxJsonFile = std::size_t{64} * 1024;
constexpr std::size_t kMaxMessageFile = 4096;
constexpr std::size_t kMaxRecordFile = 1 << 20;
constexpr unsigned kPublicMode = 0644;
constexpr unsigned kPrivateMode = 0600;

constexpr std::string_view kStateKind = "urne-trustee-state";
constexpr std::string_view kShareKind = "urne-trustee-share";
constexpr std::string_view kStateContext = "urne/trustee-state/v1";
constexpr std::string_view kShareContext = "urne/trustee-share/v1";
constexpr std::string_view kSumsLabel = "urne/trustee-decrypted-sums/v1";
constexpr std::uint8_t kStateVersion = 1;
constexpr std::size_t kBoxFileSize = 32 + 1 + BoxPublicKey::kSize;

// ---- small helpers ----------------------------------------------------------------

std::string idx(TrusteeIndex i) { return std::to_string(i); }

fs::path box_file(const fs::path& d, TrusteeIndex j) { return d / ("box-" + idx(j) + ".pub"); }
fs::path commitment_file(const fs::path& d, TrusteeIndex j) {
  return d / ("commitment-" + idx(j) + ".bin");
}
fs::path share_file(const fs::path& d, TrusteeIndex i, TrusteeIndex j) {
  return d / ("share-" + idx(i) + "-to-" + idx(j) + ".bin");
}
fs::path complaint_file(const fs::path& d, TrusteeIndex i, TrusteeIndex j) {
  return d / ("complaint-" + idx(i) + "-by-" + idx(j) + ".bin");
}
fs::path checked_file(const fs::path& d, TrusteeIndex j) {
  return d / ("checked-" + idx(j) + ".bin");
}
fs::path answer_file(const fs::path& d, TrusteeIndex i, TrusteeIndex j) {
  return d / ("answer-" + idx(i) + "-to-" + idx(j) + ".bin");
}

Status waiting(const std::vector<std::string>& missing, const fs::path& dir) {
  std::string m = "waiting for ";
  for (std::size_t i = 0; i < missing.size(); ++i) m += (i ? "; " : "") + missing[i];
  m += " (in " + dir.string() + "); run this step again when they are there";
  return failed_precondition("ceremony_waiting", m);
}

// A public message: nullopt when the file is not there (yet).
Result<std::optional<Bytes>> read_message(const fs::path& file) {
  Result<std::string> r = read_file(file, kMaxMessageFile);
  if (!r.ok()) {
    if (r.status().reason() == "file_missing") return std::optional<Bytes>();
    return r.status();
  }
  return std::optional<Bytes>(Bytes(r->begin(), r->end()));
}

Status bad_message(const fs::path& file, const Status& why) {
  return invalid_argument("bad_message", file.string() +
                                             " is not a valid message of this "
                                             "ceremony: " +
                                             why.to_string());
}

// Publishes a message; a file that is there already must hold the same
// bytes (a step run again), else it is someone else's and is not replaced.
Status publish(const fs::path& file, ByteView bytes, bool* written = nullptr) {
  URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> have, read_message(file));
  if (have) {
    if (*have == Bytes(bytes.begin(), bytes.end())) return Status::ok();
    return Status(Code::kAlreadyExists, "message_conflict",
                  file.string() + " exists with other content; it is not replaced");
  }
  URNE_RETURN_IF_ERROR(write_new_file(file, to_string(bytes), kPublicMode));
  if (written) *written = true;
  return Status::ok();
}

Bytes file_context(std::string_view label, const CeremonyId& id, TrusteeIndex j) {
  Bytes c;
  append(c, as_bytes(label));
  append(c, id);
  append_u8(c, static_cast<std::uint8_t>(j));
  return c;
}

// Wipes a std::string that held a secret before it is freed.
void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

Result<json> parse_json_file(const fs::path& file, std::size_t max_size) {
  URNE_ASSIGN_OR_RETURN(const std::string text, read_file(file, max_size));
  Result<json> j = codec::parse_json_object(text);
  if (!j.ok()) {
    return Status(j.status().code(), j.status().reason(),
                  file.string() + ": " + j.status().message());
  }
  return j;
}

Status in_file(const fs::path& file, const Status& s) {
  if (s) return s;
  return Status(s.code(), s.reason(), file.string() + ": " + s.message());
}

// ---- ceremony.json ------------------------------------------------------------------

Result<DkgParams> read_ceremony(const fs::path& dir) {
  const fs::path file = dir / "ceremony.json";
  Result<json> j = parse_json_file(file, kMaxJsonFile);
  if (!j.ok() && j.status().reason() == "file_missing") {
    return failed_precondition("ceremony_missing",
                               file.string() +
                                   " is missing: run urne trustee ceremony new first (or "
                                   "point --dir at the exchange directory)");
  }
  if (!j.ok()) return j.status();
  URNE_RETURN_IF_ERROR(
      in_file(file, codec::only_keys(*j, {"ceremony_id", "trustees", "threshold"})));
  Result<FixedBytes<32>> id = codec::hex32_field(*j, "ceremony_id");
  if (!id.ok()) return in_file(file, id.status());
  Result<std::uint64_t> n = codec::uint_field(*j, "trustees", kMaxTrustees);
  if (!n.ok()) return in_file(file, n.status());
  Result<std::uint64_t> k = codec::uint_field(*j, "threshold", kMaxTrustees);
  if (!k.ok()) return in_file(file, k.status());
  return DkgParams::create(*id, static_cast<unsigned>(*n), static_cast<unsigned>(*k));
}

// ---- the trustee's sealed files -----------------------------------------------------

struct Wrapper {
  CeremonyId ceremony_id{};
  TrusteeIndex index = 0;
  Bytes box;
};

Result<Wrapper> read_wrapper(const fs::path& file, std::string_view kind) {
  URNE_ASSIGN_OR_RETURN(const json j, parse_json_file(file, kMaxJsonFile));
  URNE_RETURN_IF_ERROR(in_file(file, codec::only_keys(j, {"kind", "ceremony_id", "index", "box"})));
  Result<std::string> k = codec::string_field(j, "kind", 100);
  if (!k.ok()) return in_file(file, k.status());
  if (*k != kind) {
    return invalid_argument("wrong_file_kind", file.string() + " is a " + *k + " file, not a " +
                                                   std::string(kind) + " file");
  }
  Wrapper w;
  Result<FixedBytes<32>> id = codec::hex32_field(j, "ceremony_id");
  if (!id.ok()) return in_file(file, id.status());
  w.ceremony_id = *id;
  Result<std::uint64_t> index = codec::uint_field(j, "index", kMaxTrustees);
  if (!index.ok()) return in_file(file, index.status());
  w.index = static_cast<TrusteeIndex>(*index);
  Result<Bytes> box = codec::b64url_field(j, "box", kPassphraseBoxOverhead + 4096);
  if (!box.ok()) return in_file(file, box.status());
  w.box = std::move(box).value();
  return w;
}

std::string wrapper_text(std::string_view kind, const CeremonyId& id, TrusteeIndex j,
                         ByteView box) {
  json w;
  w["kind"] = kind;
  w["ceremony_id"] = hex_encode(id);
  w["index"] = j;
  w["box"] = base64url_encode(box);
  return w.dump(2) + "\n";
}

struct TrusteeState {
  TrusteeIndex index;
  KdfStrength kdf;
  Dealer dealer;
  BoxKeyPair box;
  SecretBytes passphrase;  // to seal the share file at finish
};

Result<TrusteeState> load_state(const CeremonyOptions& opt, const DkgParams& params) {
  URNE_ASSIGN_OR_RETURN(const Wrapper w, read_wrapper(opt.state, kStateKind));
  if (w.ceremony_id != params.ceremony_id()) {
    return failed_precondition("state_of_another_ceremony",
                               opt.state.string() + " belongs to ceremony " +
                                   hex_encode(w.ceremony_id).substr(0, 16) + "…, not to " +
                                   hex_encode(params.ceremony_id()).substr(0, 16) + "… of " +
                                   opt.dir.string());
  }
  if (!params.is_trustee(w.index)) {
    return invalid_argument("bad_index", opt.state.string() + ": index out of range");
  }
  URNE_ASSIGN_OR_RETURN(SecretBytes passphrase, read_passphrase(opt.passphrase_file, false));
  URNE_ASSIGN_OR_RETURN(
      const SecretBytes secret,
      passphrase_open(w.box, passphrase.view(),
                      file_context(kStateContext, params.ceremony_id(), w.index)));
  const ByteView s = secret.view();
  // version || strength || u16 len || dealer || box sk[32]
  if (s.size() < 4 || s[0] != kStateVersion || (s[1] != 1 && s[1] != 2)) {
    return Status(Code::kDataLoss, "state_damaged", opt.state.string() + ": unknown layout");
  }
  const std::size_t len = (std::size_t{s[2]} << 8) | s[3];
  if (s.size() != 4 + len + 32) {
    return Status(Code::kDataLoss, "state_damaged", opt.state.string() + ": wrong length");
  }
  Result<Dealer> dealer = Dealer::load(params, s.subspan(4, len));
  if (!dealer.ok()) return Status(Code::kDataLoss, "state_damaged", dealer.status().to_string());
  Result<BoxKeyPair> box = BoxKeyPair::load(s.subspan(4 + len, 32));
  if (!box.ok()) return Status(Code::kDataLoss, "state_damaged", box.status().to_string());
  if (dealer->index() != w.index) {
    return Status(Code::kDataLoss, "state_damaged", "the dealer's index is not the file's");
  }
  return TrusteeState{w.index, static_cast<KdfStrength>(s[1]), std::move(dealer).value(),
                      std::move(box).value(), std::move(passphrase)};
}

// ---- public messages ----------------------------------------------------------------

Bytes box_message(const DkgParams& params, TrusteeIndex j, const BoxPublicKey& pk) {
  Bytes b;
  append(b, params.ceremony_id());
  append_u8(b, static_cast<std::uint8_t>(j));
  append(b, pk.bytes());
  return b;
}

Result<BoxPublicKey> parse_box_message(const DkgParams& params, TrusteeIndex j, ByteView b) {
  if (b.size() != kBoxFileSize) return invalid_argument("bad_length", "a box key file is 65 bytes");
  if (!std::equal(params.ceremony_id().begin(), params.ceremony_id().end(), b.begin())) {
    return invalid_argument("wrong_ceremony", "the box key is of another ceremony");
  }
  if (b[32] != j) return invalid_argument("bad_index", "the box key is another trustee's");
  return BoxPublicKey::parse(b.subspan(33));
}

// All messages of one kind from every trustee in `who`: the parsed ones, and
// a description of each missing one.
template <class T, class Parse>
Status read_all(const std::vector<TrusteeIndex>& who,
                const std::function<fs::path(TrusteeIndex)>& path, const std::string& what,
                Parse parse, std::map<TrusteeIndex, T>& got, std::vector<std::string>& missing) {
  for (TrusteeIndex i : who) {
    const fs::path file = path(i);
    URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> bytes, read_message(file));
    if (!bytes) {
      missing.push_back("trustee " + idx(i) + "'s " + what + " (" + file.filename().string() + ")");
      continue;
    }
    Result<T> parsed = parse(i, *bytes);
    if (!parsed.ok()) return bad_message(file, parsed.status());
    got.emplace(i, std::move(parsed).value());
  }
  return Status::ok();
}

std::vector<TrusteeIndex> all_trustees(const DkgParams& params) {
  std::vector<TrusteeIndex> v;
  for (TrusteeIndex i = 1; i <= params.n(); ++i) v.push_back(i);
  return v;
}
std::vector<TrusteeIndex> others(const DkgParams& params, TrusteeIndex self) {
  std::vector<TrusteeIndex> v;
  for (TrusteeIndex i = 1; i <= params.n(); ++i) {
    if (i != self) v.push_back(i);
  }
  return v;
}

using BoxKeys = std::map<TrusteeIndex, BoxPublicKey>;
using Commitments = std::map<TrusteeIndex, DealerCommitment>;

Status read_box_keys(const fs::path& dir, const DkgParams& params,
                     const std::vector<TrusteeIndex>& who, BoxKeys& keys,
                     std::vector<std::string>& missing) {
  return read_all<BoxPublicKey>(
      who, [&](TrusteeIndex i) { return box_file(dir, i); }, "box key",
      [&](TrusteeIndex i, const Bytes& b) { return parse_box_message(params, i, b); }, keys,
      missing);
}

Status read_commitments(const fs::path& dir, const DkgParams& params,
                        const std::vector<TrusteeIndex>& who, Commitments& got,
                        std::vector<std::string>& missing) {
  return read_all<DealerCommitment>(
      who, [&](TrusteeIndex i) { return commitment_file(dir, i); }, "commitment",
      [&](TrusteeIndex i, const Bytes& b) -> Result<DealerCommitment> {
        URNE_ASSIGN_OR_RETURN(DealerCommitment c, DealerCommitment::parse(b, params));
        if (c.dealer() != i) return invalid_argument("bad_index", "another dealer's commitment");
        return c;
      },
      got, missing);
}

// checked-J.bin: ceremony_id[32] || J || count || dealers complained against.
Bytes checked_message(const DkgParams& params, TrusteeIndex j,
                      const std::vector<TrusteeIndex>& against) {
  Bytes b;
  append(b, params.ceremony_id());
  append_u8(b, static_cast<std::uint8_t>(j));
  append_u8(b, static_cast<std::uint8_t>(against.size()));
  for (TrusteeIndex i : against) append_u8(b, static_cast<std::uint8_t>(i));
  return b;
}

Result<std::vector<TrusteeIndex>> parse_checked_message(const DkgParams& params, TrusteeIndex j,
                                                        ByteView b) {
  if (b.size() < 34 || b.size() != 34 + std::size_t{b[33]}) {
    return invalid_argument("bad_length", "a checked file is 34 bytes plus one per complaint");
  }
  if (!std::equal(params.ceremony_id().begin(), params.ceremony_id().end(), b.begin())) {
    return invalid_argument("wrong_ceremony", "of another ceremony");
  }
  if (b[32] != j) return invalid_argument("bad_index", "another trustee's");
  std::vector<TrusteeIndex> against;
  for (std::size_t t = 34; t < b.size(); ++t) {
    const TrusteeIndex i = b[t];
    if (!params.is_trustee(i) || i == j || (!against.empty() && i <= against.back())) {
      return invalid_argument("bad_index", "dealers must be other trustees, ascending");
    }
    against.push_back(i);
  }
  return against;
}

// Every trustee's checked-*.bin and the complaints they list.
struct Checks {
  std::map<TrusteeIndex, std::vector<TrusteeIndex>> against;  // complainer -> dealers
  std::vector<Complaint> complaints;
};

Result<Checks> read_checks(const fs::path& dir, const DkgParams& params,
                           std::vector<std::string>& missing) {
  Checks c;
  URNE_RETURN_IF_ERROR(read_all<std::vector<TrusteeIndex>>(
      all_trustees(params), [&](TrusteeIndex i) { return checked_file(dir, i); },
      "check of its shares",
      [&](TrusteeIndex i, const Bytes& b) { return parse_checked_message(params, i, b); },
      c.against, missing));
  for (const auto& [complainer, dealers] : c.against) {
    for (TrusteeIndex dealer : dealers) {
      const fs::path file = complaint_file(dir, dealer, complainer);
      URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> bytes, read_message(file));
      // check writes the complaints before its checked file: a listed
      // complaint that is not there was removed.
      if (!bytes) {
        return failed_precondition("message_missing", file.string() + " is missing, but trustee " +
                                                          idx(complainer) + "'s check lists it");
      }
      Result<Complaint> parsed = Complaint::parse(*bytes, params);
      if (!parsed.ok()) return bad_message(file, parsed.status());
      if (parsed->dealer() != dealer || parsed->complainer() != complainer) {
        return bad_message(file, invalid_argument("bad_index", "names other trustees"));
      }
      c.complaints.push_back(*parsed);
    }
  }
  return c;
}

// ---- outcome.json --------------------------------------------------------------------

std::string outcome_text(const ElectionKey& key) {
  json o;
  o["ceremony_id"] = hex_encode(key.params().ceremony_id());
  o["trustees"] = key.params().n();
  o["threshold"] = key.params().k();
  json list = json::array();
  for (const DealerCommitment& c : key.commitments()) list.push_back(base64url_encode(c.encode()));
  o["commitments"] = std::move(list);
  return o.dump(2) + "\n";
}

Status check_or_write_outcome(const fs::path& dir, const std::string& text, bool write,
                              bool* wrote) {
  const fs::path file = dir / "outcome.json";
  Result<std::string> have = read_file(file, kMaxJsonFile);
  if (!have.ok() && have.status().reason() != "file_missing") return have.status();
  if (!have.ok() && write) {
    Status s = write_new_file(file, text, kPublicMode);
    if (s) {
      *wrote = true;
      return s;
    }
    if (s.reason() != "file_exists") return s;
    have = read_file(file, kMaxJsonFile);  // written meanwhile by another trustee
    if (!have.ok()) return have.status();
  }
  if (have.ok() && *have != text) {
    return failed_precondition("outcome_mismatch",
                               file.string() +
                                   " differs from the outcome this trustee derived from the "
                                   "messages in the directory: do not use either before the "
                                   "trustees have compared their directories");
  }
  return Status::ok();
}

// ---- passphrases ---------------------------------------------------------------------

// The terminal's echo is off while this object lives.
class NoEcho {
 public:
  explicit NoEcho(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) == 0) {
      termios t = saved_;
      t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = ::tcsetattr(fd_, TCSAFLUSH, &t) == 0;
    }
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

Result<SecretBytes> prompt_once(int fd, std::string_view prompt) {
  write_all(fd, prompt);
  std::string line;
  {
    const NoEcho no_echo(fd);
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n') {
      if (line.size() > kMaxPassphraseSize) break;
      line.push_back(c);
    }
  }
  write_all(fd, "\n");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  SecretBytes s = SecretBytes::copy_of(as_bytes(line));
  wipe(line);
  return s;
}

Result<SecretBytes> checked_passphrase(SecretBytes s, std::string_view source) {
  if (s.empty()) {
    return invalid_argument("passphrase_empty",
                            "the passphrase from " + std::string(source) + " is empty");
  }
  return s;
}

// The sums' hash recorded in <share>.decrypted.
std::string sums_hash_hex(std::span<const CiphertextSum> sums) {
  Bytes b;
  append(b, as_bytes(kSumsLabel));
  append_u32(b, static_cast<std::uint32_t>(sums.size()));
  for (const CiphertextSum& s : sums) {
    append(b, s.a.bytes());
    append(b, s.b.bytes());
  }
  return hex_encode(sha256(b));
}

KdfStrength parse_kdf(const std::string& s) {
  return s == "interactive" ? KdfStrength::kInteractive : KdfStrength::kModerate;
}

std::string short_hex(ByteView b) { return hex_encode(b).substr(0, 16); }

// The box keys decide who can open the shares, and the directory does not
// say who wrote a file: a fingerprint of all of them for the trustees to
// compare aloud.
std::string box_keys_fingerprint(const DkgParams& params, TrusteeIndex self, const BoxKeyPair& mine,
                                 const BoxKeys& others) {
  Bytes all;
  for (TrusteeIndex i = 1; i <= params.n(); ++i) {
    append(all, i == self ? mine.public_key().bytes() : others.at(i).bytes());
  }
  return short_hex(sha256(all));
}

}  // namespace

// ---- passphrase ------------------------------------------------------------------------

Result<SecretBytes> read_passphrase(const std::optional<fs::path>& file, bool confirm) {
  if (file) {
    URNE_ASSIGN_OR_RETURN(std::string text, read_file(*file, kMaxPassphraseSize + 2));
    const std::size_t end = text.find('\n');
    std::size_t len = end == std::string::npos ? text.size() : end;
    if (len > 0 && text[len - 1] == '\r') --len;
    SecretBytes s = SecretBytes::copy_of(as_bytes(std::string_view(text).substr(0, len)));
    wipe(text);
    return checked_passphrase(std::move(s), file->string());
  }
  if (const char* env = std::getenv("URNE_PASSPHRASE"); env != nullptr) {
    return checked_passphrase(SecretBytes::copy_of(as_bytes(env)), "URNE_PASSPHRASE");
  }
  Fd tty{::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)};
  if (tty.fd < 0) {
    return failed_precondition("passphrase_unavailable",
                               "no terminal to ask for the passphrase: give --passphrase-file "
                               "FILE or set URNE_PASSPHRASE");
  }
  URNE_ASSIGN_OR_RETURN(SecretBytes first, prompt_once(tty.fd, "Passphrase: "));
  if (confirm) {
    URNE_ASSIGN_OR_RETURN(const SecretBytes second, prompt_once(tty.fd, "Passphrase again: "));
    if (first.size() != second.size() || !ct_equal(first.view(), second.view())) {
      return failed_precondition("passphrase_mismatch", "the two passphrases differ");
    }
  }
  return checked_passphrase(std::move(first), "the terminal");
}

// ---- the ceremony ----------------------------------------------------------------------

Status ceremony_new(const CeremonyNewOptions& opt, Rng& rng, std::ostream& out) {
  CeremonyId id{};
  rng.fill(id);
  URNE_ASSIGN_OR_RETURN(const DkgParams params, DkgParams::create(id, opt.trustees, opt.threshold));
  std::error_code ec;
  fs::create_directories(opt.dir, ec);
  if (ec) {
    return internal_error("dir_create_failed", opt.dir.string() + ": " + ec.message());
  }
  json j;
  j["ceremony_id"] = hex_encode(params.ceremony_id());
  j["trustees"] = params.n();
  j["threshold"] = params.k();
  URNE_RETURN_IF_ERROR(write_new_file(opt.dir / "ceremony.json", j.dump(2) + "\n", kPublicMode));
  out << "Key ceremony " << hex_encode(params.ceremony_id()) << ": " << params.n()
      << " trustees, any " << params.k() << " of them decrypt.\n"
      << "Next: each trustee J runs  urne trustee ceremony begin --dir " << opt.dir.string()
      << " --index J --state FILE\n";
  return Status::ok();
}

Status ceremony_begin(const CeremonyOptions& opt, Rng& rng, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const DkgParams params, read_ceremony(opt.dir));
  const TrusteeIndex j = opt.index;
  if (!params.is_trustee(j)) {
    return invalid_argument("bad_index", "--index must be 1.." + idx(params.n()));
  }
  std::error_code ec;
  if (fs::exists(opt.state, ec)) {
    return Status(Code::kAlreadyExists, "file_exists",
                  opt.state.string() +
                      " exists; a trustee's state is never overwritten (for "
                      "this ceremony use it with the next step; otherwise move "
                      "it away first)");
  }
  if (fs::exists(box_file(opt.dir, j), ec) || fs::exists(commitment_file(opt.dir, j), ec)) {
    return Status(Code::kAlreadyExists, "index_taken",
                  "trustee " + idx(j) + " has begun already (" + box_file(opt.dir, j).string() +
                      " exists): each trustee takes its own index");
  }
  URNE_ASSIGN_OR_RETURN(const SecretBytes passphrase, read_passphrase(opt.passphrase_file, true));
  const BoxKeyPair box = BoxKeyPair::generate(rng);
  URNE_ASSIGN_OR_RETURN(const Dealer dealer, Dealer::generate(params, j, rng));
  const SecretBytes dealer_secret = dealer.export_secret();
  const SecretBytes box_secret = box.export_secret();
  const SecretBytes plain =
      SecretBytes::build(4 + dealer_secret.size() + 32, [&](std::span<std::uint8_t> o) {
        o[0] = kStateVersion;
        o[1] = static_cast<std::uint8_t>(opt.kdf);
        o[2] = static_cast<std::uint8_t>(dealer_secret.size() >> 8);
        o[3] = static_cast<std::uint8_t>(dealer_secret.size());
        std::copy(dealer_secret.view().begin(), dealer_secret.view().end(), o.begin() + 4);
        std::copy(box_secret.view().begin(), box_secret.view().end(),
                  o.begin() + 4 + static_cast<std::ptrdiff_t>(dealer_secret.size()));
      });
  URNE_ASSIGN_OR_RETURN(
      const Bytes sealed,
      passphrase_seal(plain.view(), passphrase.view(),
                      file_context(kStateContext, params.ceremony_id(), j), opt.kdf, rng));
  // The state first: a public key whose secret was never stored would be
  // worse than a state whose public messages are published by the next step.
  URNE_RETURN_IF_ERROR(write_new_file(
      opt.state, wrapper_text(kStateKind, params.ceremony_id(), j, sealed), kPrivateMode));
  URNE_RETURN_IF_ERROR(publish(box_file(opt.dir, j), box_message(params, j, box.public_key())));
  URNE_RETURN_IF_ERROR(publish(commitment_file(opt.dir, j), dealer.commitment().encode()));
  out << "Trustee " << j << " of ceremony " << short_hex(params.ceremony_id())
      << "…: state sealed in " << opt.state.string() << " (keep it and the passphrase until "
      << "finish); published " << box_file(opt.dir, j).filename().string() << " and "
      << commitment_file(opt.dir, j).filename().string() << ".\nNext: urne trustee ceremony deal "
      << "once every trustee has begun.\n";
  return Status::ok();
}

Status ceremony_deal(const CeremonyOptions& opt, Rng& rng, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const DkgParams params, read_ceremony(opt.dir));
  URNE_ASSIGN_OR_RETURN(const TrusteeState st, load_state(opt, params));
  const TrusteeIndex j = st.index;
  // begin may have stopped between the state and its messages.
  URNE_RETURN_IF_ERROR(publish(box_file(opt.dir, j), box_message(params, j, st.box.public_key())));
  URNE_RETURN_IF_ERROR(publish(commitment_file(opt.dir, j), st.dealer.commitment().encode()));
  BoxKeys keys;
  std::vector<std::string> missing;
  URNE_RETURN_IF_ERROR(read_box_keys(opt.dir, params, others(params, j), keys, missing));
  if (!missing.empty()) return waiting(missing, opt.dir);
  out << "Box keys fingerprint " << box_keys_fingerprint(params, j, st.box, keys)
      << ": every trustee must see the same one (compare aloud).\n";
  unsigned dealt = 0;
  unsigned kept = 0;
  for (const auto& [i, pk] : keys) {
    const fs::path file = share_file(opt.dir, j, i);
    std::error_code ec;
    // A share dealt before is kept: a new box would have another nonce, and
    // the recipient may have checked the old one already.
    if (fs::exists(file, ec)) {
      ++kept;
      continue;
    }
    URNE_ASSIGN_OR_RETURN(const EncryptedShare enc, st.dealer.encrypt_share(i, st.box, pk, rng));
    URNE_RETURN_IF_ERROR(write_new_file(file, to_string(enc.encode()), kPublicMode));
    ++dealt;
  }
  out << "Trustee " << j << " dealt " << dealt << " encrypted shares"
      << (kept ? " (" + std::to_string(kept) + " were dealt before)" : std::string()) << " in "
      << opt.dir.string() << ".\nNext: urne trustee ceremony check once every trustee has "
      << "dealt.\n";
  return Status::ok();
}

Status ceremony_check(const CeremonyOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const DkgParams params, read_ceremony(opt.dir));
  URNE_ASSIGN_OR_RETURN(const TrusteeState st, load_state(opt, params));
  const TrusteeIndex j = st.index;
  const std::vector<TrusteeIndex> dealers = others(params, j);
  BoxKeys keys;
  Commitments commitments;
  std::vector<std::string> missing;
  URNE_RETURN_IF_ERROR(read_box_keys(opt.dir, params, dealers, keys, missing));
  URNE_RETURN_IF_ERROR(read_commitments(opt.dir, params, dealers, commitments, missing));
  std::map<TrusteeIndex, Bytes> shares;
  for (TrusteeIndex i : dealers) {
    const fs::path file = share_file(opt.dir, i, j);
    URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> bytes, read_message(file));
    if (!bytes) {
      missing.push_back("trustee " + idx(i) + "'s share for you (" + file.filename().string() +
                        ")");
    } else {
      shares.emplace(i, *bytes);
    }
  }
  if (!missing.empty()) return waiting(missing, opt.dir);

  std::vector<TrusteeIndex> against;
  std::vector<Complaint> complaints;
  for (TrusteeIndex i : dealers) {
    const ReceivedShare r =
        receive_share(params, commitments.at(i), shares.at(i), j, st.box, keys.at(i));
    if (r.share) {
      out << "  share from trustee " << i << ": ok\n";
    } else {
      out << "  share from trustee " << i << ": COMPLAINT (" << r.reason.to_string() << ")\n";
      against.push_back(i);
      complaints.push_back(*r.complaint);
    }
  }
  const Bytes verdict = checked_message(params, j, against);
  URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> before, read_message(checked_file(opt.dir, j)));
  if (before && *before != verdict) {
    return failed_precondition("check_changed",
                               "the shares in " + opt.dir.string() +
                                   " no longer give the verdict this trustee published in " +
                                   checked_file(opt.dir, j).string());
  }
  for (const Complaint& c : complaints) {
    URNE_RETURN_IF_ERROR(publish(complaint_file(opt.dir, c.dealer(), j), c.encode()));
  }
  URNE_RETURN_IF_ERROR(publish(checked_file(opt.dir, j), verdict));
  out << "Trustee " << j << " checked " << dealers.size() << " shares: "
      << (against.empty() ? std::string("no complaints")
                          : std::to_string(against.size()) + " complaint(s) published")
      << ".\nNext: urne trustee ceremony answer once every trustee has checked.\n";
  return Status::ok();
}

Status ceremony_answer(const CeremonyOptions& opt, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const DkgParams params, read_ceremony(opt.dir));
  URNE_ASSIGN_OR_RETURN(const TrusteeState st, load_state(opt, params));
  const TrusteeIndex j = st.index;
  std::vector<std::string> missing;
  URNE_ASSIGN_OR_RETURN(const Checks checks, read_checks(opt.dir, params, missing));
  if (!missing.empty()) return waiting(missing, opt.dir);
  unsigned answered = 0;
  for (const Complaint& c : checks.complaints) {
    if (c.dealer() != j) continue;
    URNE_ASSIGN_OR_RETURN(const RevealedShare answer, st.dealer.answer(c));
    URNE_RETURN_IF_ERROR(publish(answer_file(opt.dir, j, c.complainer()), answer.encode()));
    out << "  answered trustee " << c.complainer() << "'s complaint (the share is now public)\n";
    ++answered;
  }
  out << "Trustee " << j << ": "
      << (answered ? std::to_string(answered) + " complaint(s) answered"
                   : std::string("no complaints against you"))
      << " (" << checks.complaints.size() << " in the ceremony).\n"
      << "Next: urne trustee ceremony finish once every complaint is answered.\n";
  return Status::ok();
}

Status ceremony_finish(const CeremonyOptions& opt, Rng& rng, std::ostream& out) {
  std::error_code ec;
  if (fs::exists(opt.share, ec)) {
    return Status(Code::kAlreadyExists, "file_exists",
                  opt.share.string() + " exists; a share file is never overwritten");
  }
  URNE_ASSIGN_OR_RETURN(const DkgParams params, read_ceremony(opt.dir));
  URNE_ASSIGN_OR_RETURN(const TrusteeState st, load_state(opt, params));
  const TrusteeIndex j = st.index;
  BoxKeys keys;
  Commitments commitments;
  std::vector<std::string> missing;
  URNE_RETURN_IF_ERROR(read_box_keys(opt.dir, params, others(params, j), keys, missing));
  URNE_RETURN_IF_ERROR(
      read_commitments(opt.dir, params, all_trustees(params), commitments, missing));
  URNE_ASSIGN_OR_RETURN(const Checks checks, read_checks(opt.dir, params, missing));
  std::vector<RevealedShare> answers;
  std::map<TrusteeIndex, RevealedShare> answers_to_me;
  for (const Complaint& c : checks.complaints) {
    const fs::path file = answer_file(opt.dir, c.dealer(), c.complainer());
    URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> bytes, read_message(file));
    if (!bytes) {
      missing.push_back("trustee " + idx(c.dealer()) + "'s answer to trustee " +
                        idx(c.complainer()) + "'s complaint (" + file.filename().string() + ")");
      continue;
    }
    Result<RevealedShare> a = RevealedShare::parse(*bytes, params);
    if (!a.ok()) return bad_message(file, a.status());
    if (a->dealer() != c.dealer() || a->recipient() != c.complainer()) {
      return bad_message(file, invalid_argument("bad_index", "names other trustees"));
    }
    answers.push_back(*a);
    if (c.complainer() == j) answers_to_me.emplace(c.dealer(), *a);
  }
  if (!missing.empty()) return waiting(missing, opt.dir);

  std::vector<DealerCommitment> list;
  for (const auto& [i, c] : commitments) list.push_back(c);
  URNE_ASSIGN_OR_RETURN(const CeremonyOutcome outcome,
                        resolve_ceremony(params, list, checks.complaints, answers));

  // x_j from the shares of QUAL: our own, the answers to our complaints,
  // and every other share opened again (check judged them good).
  std::vector<DealtShare> dealt;
  for (TrusteeIndex i : outcome.key.qual()) {
    if (i == j) {
      dealt.push_back(st.dealer.own_share());
    } else if (auto a = answers_to_me.find(i); a != answers_to_me.end()) {
      URNE_ASSIGN_OR_RETURN(DealtShare s, DealtShare::from_revealed(commitments.at(i), a->second));
      dealt.push_back(std::move(s));
    } else {
      URNE_ASSIGN_OR_RETURN(const std::optional<Bytes> bytes,
                            read_message(share_file(opt.dir, i, j)));
      ReceivedShare r =
          receive_share(params, commitments.at(i), bytes.value_or(Bytes{}), j, st.box, keys.at(i));
      if (!r.share) {
        return failed_precondition("share_changed_after_check",
                                   share_file(opt.dir, i, j).string() +
                                       " passed this trustee's check but no longer does (" +
                                       r.reason.to_string() + ")");
      }
      dealt.push_back(std::move(*r.share));
    }
  }
  URNE_ASSIGN_OR_RETURN(const SecretShare share, SecretShare::assemble(outcome.key, j, dealt));

  const std::string text = outcome_text(outcome.key);
  bool wrote_outcome = false;
  URNE_RETURN_IF_ERROR(check_or_write_outcome(opt.dir, text, false, &wrote_outcome));
  const SecretBytes secret = share.export_secret();
  URNE_ASSIGN_OR_RETURN(
      const Bytes sealed,
      passphrase_seal(secret.view(), st.passphrase.view(),
                      file_context(kShareContext, params.ceremony_id(), j), st.kdf, rng));
  URNE_RETURN_IF_ERROR(write_new_file(
      opt.share, wrapper_text(kShareKind, params.ceremony_id(), j, sealed), kPrivateMode));
  URNE_RETURN_IF_ERROR(check_or_write_outcome(opt.dir, text, true, &wrote_outcome));

  // The dealer's polynomial and box key are needed by no later step (every
  // complaint is answered, the share is assembled): the state file goes, so
  // that the polynomial does not outlive the ceremony on this disk.
  fs::remove(opt.state, ec);

  out << "Ceremony " << short_hex(params.ceremony_id()) << "… finished for trustee " << j
      << ".\n  box keys fingerprint " << box_keys_fingerprint(params, j, st.box, keys)
      << " (compare aloud)\n  qualified dealers:";
  for (TrusteeIndex i : outcome.key.qual()) out << " " << i;
  if (!outcome.disqualified.empty()) {
    out << "\n  DISQUALIFIED:";
    for (TrusteeIndex i : outcome.disqualified) out << " " << i;
  }
  out << "\n  election key " << hex_encode(outcome.key.election_key().bytes())
      << "\n  your public share " << hex_encode(outcome.key.public_share(j).bytes())
      << "\n  share sealed in " << opt.share.string() << " (keep it and the passphrase until the "
      << "election is tallied)\n  " << (opt.dir / "outcome.json").string()
      << (wrote_outcome ? " written" : " matches")
      << (ec ? "\n  could not remove the state file " + opt.state.string() + ": " + ec.message() +
                   " (remove it yourself: it is no longer needed)"
             : "\n  state file " + opt.state.string() + " removed (no longer needed)")
      << "\n";
  return Status::ok();
}

Result<CeremonyOutcomeFile> read_ceremony_outcome(const fs::path& dir) {
  const fs::path file = dir / "outcome.json";
  URNE_ASSIGN_OR_RETURN(const json j, parse_json_file(file, kMaxJsonFile));
  URNE_RETURN_IF_ERROR(
      in_file(file, codec::only_keys(j, {"ceremony_id", "trustees", "threshold", "commitments"})));
  Result<FixedBytes<32>> id = codec::hex32_field(j, "ceremony_id");
  if (!id.ok()) return in_file(file, id.status());
  Result<std::uint64_t> n = codec::uint_field(j, "trustees", kMaxTrustees);
  if (!n.ok()) return in_file(file, n.status());
  Result<std::uint64_t> k = codec::uint_field(j, "threshold", kMaxTrustees);
  if (!k.ok()) return in_file(file, k.status());
  URNE_ASSIGN_OR_RETURN(const DkgParams params, DkgParams::create(*id, static_cast<unsigned>(*n),
                                                                  static_cast<unsigned>(*k)));
  const auto it = j.find("commitments");
  if (it == j.end()) return invalid_argument("missing_field", file.string() + ": commitments");
  if (!it->is_array() || it->size() > params.n()) {
    return invalid_argument("wrong_type",
                            file.string() + ": commitments is a list of at most n strings");
  }
  CeremonyOutcomeFile result{params, {}};
  for (const json& c : *it) {
    if (!c.is_string()) return invalid_argument("wrong_type", file.string() + ": commitments");
    Result<Bytes> b = base64url_decode(c.get<std::string>());
    if (!b.ok()) return invalid_argument("bad_encoding", file.string() + ": commitments");
    Result<DealerCommitment> dc = DealerCommitment::parse(*b, params);
    if (!dc.ok()) return in_file(file, dc.status());
    result.commitments.push_back(std::move(dc).value());
  }
  Result<ElectionKey> key = ElectionKey::derive(params, result.commitments);
  if (!key.ok()) return in_file(file, key.status());
  return result;
}

Result<SecretShare> load_share_file(const fs::path& file,
                                    const std::optional<fs::path>& passphrase_file,
                                    const ElectionKey& key) {
  URNE_ASSIGN_OR_RETURN(const Wrapper w, read_wrapper(file, kShareKind));
  const CeremonyId& id = key.params().ceremony_id();
  if (w.ceremony_id != id) {
    return failed_precondition("share_of_another_ceremony", file.string() +
                                                                " is a share of ceremony " +
                                                                short_hex(w.ceremony_id) +
                                                                "…; this election's key comes "
                                                                "from ceremony " +
                                                                short_hex(id) + "…");
  }
  if (!key.params().is_trustee(w.index)) {
    return invalid_argument("bad_index", file.string() + ": index out of range");
  }
  URNE_ASSIGN_OR_RETURN(const SecretBytes passphrase, read_passphrase(passphrase_file, false));
  URNE_ASSIGN_OR_RETURN(
      const SecretBytes secret,
      passphrase_open(w.box, passphrase.view(), file_context(kShareContext, id, w.index)));
  URNE_ASSIGN_OR_RETURN(SecretShare share, SecretShare::load(key, secret.view()));
  if (share.index() != w.index) {
    return Status(Code::kDataLoss, "share_damaged", file.string() + ": index mismatch");
  }
  return share;
}

// ---- decryption -------------------------------------------------------------------------

Status trustee_decrypt_with(client::ElectionClient& api, const ElectionId& election,
                            const fs::path& share_path,
                            const std::optional<fs::path>& passphrase_file, Rng& rng,
                            std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const Manifest manifest, api.manifest(election));
  URNE_ASSIGN_OR_RETURN(const SecretShare share,
                        load_share_file(share_path, passphrase_file, manifest.election_key()));
  URNE_ASSIGN_OR_RETURN(const Board board, api.board(election));
  if (board.manifest().election_id() != election) {
    return Status(Code::kDataLoss, "bad_server_answer", "the board is of another election");
  }
  // The whole board must audit (every ballot's proofs, tokens, issuance):
  // the sums decrypted are only ever those of all accepted ballots.
  const AuditReport report = audit_board(board, std::nullopt, AuditScope::kClosed);
  if (!report.ok() || !report.recomputed_sums()) {
    std::string failed;
    for (const std::string& f : report.failures()) failed += (failed.empty() ? "" : ", ") + f;
    return failed_precondition("board_audit_failed",
                               "the closed board does not audit (" + failed +
                                   "): nothing is decrypted; run urne audit for details");
  }
  const auto phase = board.phase();
  if (!phase || *phase < ElectionState::kClosed) {
    return failed_precondition("not_closed", "the ballot is not closed");
  }
  const std::vector<CiphertextSum>& own = *report.recomputed_sums();
  URNE_ASSIGN_OR_RETURN(const std::vector<CiphertextSum> server_sums, api.sums(election));
  if (!same_sums(own, server_sums)) {
    return failed_precondition("sums_mismatch",
                               "the server's sums are not the sums of the ballots on its own "
                               "board: nothing is decrypted");
  }

  // One sum per election per share, recorded before anything leaves this
  // machine: a server that asks again with other sums (a subset, one ballot
  // more or less) gets nothing, even after a crash between here and the
  // upload. The record keeps the partials too, so that a retry (the same
  // sums again) uploads the very same bytes: fresh proofs would differ, and
  // the server keeps the first ones.
  const fs::path record_path = fs::path(share_path.string() + ".decrypted");
  json record = json::object();
  if (Result<std::string> r = read_file(record_path, kMaxRecordFile); r.ok()) {
    Result<json> parsed = codec::parse_json_object(*r, 3);
    if (!parsed.ok()) {
      return Status(Code::kDataLoss, "decrypt_record_damaged",
                    record_path.string() + " cannot be read (" + parsed.status().to_string() +
                        "): without it this share cannot tell what it decrypted before");
    }
    record = std::move(parsed).value();
  } else if (r.status().reason() != "file_missing") {
    return r.status();
  }
  const std::string key = hex_encode(election);
  const std::string hash = sums_hash_hex(own);
  const ElectionKey& ekey = manifest.election_key();
  std::vector<PartialDecryption> partials;
  bool retry = false;
  if (const auto it = record.find(key); it != record.end()) {
    Result<std::string> recorded = codec::string_field(*it, "sums", 64);
    if (!recorded.ok() || *recorded != hash) {
      return Status(Code::kFailedPrecondition, "different_sums_already_decrypted",
                    "this share already decrypted other sums for election " + key +
                        " (recorded in " + record_path.string() +
                        "): a second, different decryption could reveal single ballots");
    }
    const auto list = it->find("partials");
    if (list == it->end() || !list->is_array() || list->size() != own.size()) {
      return Status(Code::kDataLoss, "decrypt_record_damaged",
                    record_path.string() + ": the partials of election " + key);
    }
    for (std::size_t s = 0; s < own.size(); ++s) {
      Result<Bytes> b = (*list)[s].is_string() ? base64url_decode((*list)[s].get<std::string>())
                                               : Result<Bytes>(invalid_argument("wrong_type", ""));
      Result<PartialDecryption> p = b.ok() ? PartialDecryption::parse(*b, ekey.params())
                                           : Result<PartialDecryption>(b.status());
      if (!p.ok() || p->trustee() != share.index() ||
          !verify_partial_decryption(ekey, election, own[s], *p)) {
        return Status(
            Code::kDataLoss, "decrypt_record_damaged",
            record_path.string() + ": partial " + std::to_string(s) + " of election " + key);
      }
      partials.push_back(*p);
    }
    retry = true;
  } else {
    URNE_ASSIGN_OR_RETURN(partials, partial_decrypt_all(ekey, share, election, own, rng));
    json list = json::array();
    for (const PartialDecryption& p : partials) list.push_back(base64url_encode(p.encode()));
    record[key] = json{{"sums", hash}, {"partials", std::move(list)}};
    URNE_RETURN_IF_ERROR(write_new_file(record_path, record.dump(2) + "\n", kPrivateMode,
                                        /*overwrite=*/true));
  }

  const std::size_t count = partials.size();
  URNE_ASSIGN_OR_RETURN(
      const client::PartialsAnswer answer,
      api.upload_partials(election, TrusteePartials{share.index(), std::move(partials)}));
  out << "Trustee " << share.index() << " audited the closed board "
      << hex_encode(report.fingerprint()).substr(0, 16) << "… (" << board.contents().ballots.size()
      << " ballots), recomputed the " << own.size() << " sums, found the server's equal"
      << (retry ? " (the same sums as recorded before)" : "") << ",\n  and uploaded " << count
      << " partial decryptions with proofs (" << (answer.newly_stored ? "stored" : "already stored")
      << "; " << answer.trustees << " of " << answer.threshold
      << " needed trustees have decrypted).\n";
  return Status::ok();
}

Status trustee_decrypt(const TrusteeDecryptOptions& opt, Rng& rng, std::ostream& out) {
  URNE_ASSIGN_OR_RETURN(const ElectionId election, parse_election_id(opt.election));
  URNE_ASSIGN_OR_RETURN(client::ElectionClient api, connect(opt.server));
  return trustee_decrypt_with(api, election, opt.share, opt.passphrase_file, rng, out);
}

// ---- registration -------------------------------------------------------------------------

void add_trustee_commands(CLI::App& app, Commands& commands) {
  CLI::App* trustee = app.add_subcommand("trustee", "A trustee: the key ceremony and decryption");
  trustee->require_subcommand(1);
  CLI::App* ceremony = trustee->add_subcommand(
      "ceremony", "The distributed key ceremony over an exchange directory");
  ceremony->require_subcommand(1);

  auto new_opts = std::make_shared<CeremonyNewOptions>();
  CLI::App* cnew =
      ceremony->add_subcommand("new", "Fix n, k and a fresh ceremony id (D/ceremony.json)");
  cnew->add_option("--dir", new_opts->dir, "The exchange directory D")->required();
  cnew->add_option("--trustees", new_opts->trustees, "Number of trustees n")->required();
  cnew->add_option("--threshold", new_opts->threshold, "Trustees needed to decrypt, k >= 2")
      ->required();
  cnew->callback([new_opts, &commands] {
    commands.action = [new_opts](std::ostream& out) {
      SystemRng rng;
      return ceremony_new(*new_opts, rng, out);
    };
  });

  // begin, deal, check, answer, finish share their options.
  struct Step {
    CLI::App* cmd;
    std::shared_ptr<CeremonyOptions> opts;
    std::shared_ptr<std::string> passphrase;
    CLI::Option* passphrase_opt;
    // Moves the optional passphrase file into opts (in the callback).
    void settle() const {
      if (passphrase_opt->count() > 0) opts->passphrase_file = fs::path(*passphrase);
    }
  };
  auto add_step = [&](const char* name, const char* help) {
    Step s{ceremony->add_subcommand(name, help), std::make_shared<CeremonyOptions>(),
           std::make_shared<std::string>(), nullptr};
    s.cmd->add_option("--dir", s.opts->dir, "The exchange directory D")->required();
    s.cmd->add_option("--state", s.opts->state, "This trustee's state file (passphrase-protected)")
        ->required();
    s.passphrase_opt = s.cmd->add_option("--passphrase-file", *s.passphrase,
                                         "Read the passphrase from the first line of FILE");
    return s;
  };

  const Step begin =
      add_step("begin", "Make this trustee's keys; publish its box key and commitment");
  begin.cmd->add_option("--index", begin.opts->index, "This trustee's index J (1..n)")->required();
  auto kdf = std::make_shared<std::string>("moderate");
  begin.cmd
      ->add_option("--kdf", *kdf, "Passphrase hashing: moderate (default) or interactive (tests)")
      ->check(CLI::IsMember({"moderate", "interactive"}));
  begin.cmd->callback([begin, kdf, &commands] {
    begin.settle();
    begin.opts->kdf = parse_kdf(*kdf);
    commands.action = [opts = begin.opts](std::ostream& out) {
      SystemRng rng;
      return ceremony_begin(*opts, rng, out);
    };
  });

  const Step deal = add_step("deal", "Send every other trustee its share");
  deal.cmd->callback([deal, &commands] {
    deal.settle();
    commands.action = [opts = deal.opts](std::ostream& out) {
      SystemRng rng;
      return ceremony_deal(*opts, rng, out);
    };
  });

  const Step check = add_step("check", "Check the shares received; publish complaints, if any");
  check.cmd->callback([check, &commands] {
    check.settle();
    commands.action = [opts = check.opts](std::ostream& out) { return ceremony_check(*opts, out); };
  });

  const Step answer = add_step("answer", "Answer the complaints against this trustee");
  answer.cmd->callback([answer, &commands] {
    answer.settle();
    commands.action = [opts = answer.opts](std::ostream& out) {
      return ceremony_answer(*opts, out);
    };
  });

  const Step finish = add_step("finish", "Assemble this trustee's share; write D/outcome.json");
  finish.cmd->add_option("--share", finish.opts->share, "Where to write the share file")
      ->required();
  finish.cmd->callback([finish, &commands] {
    finish.settle();
    commands.action = [opts = finish.opts](std::ostream& out) {
      SystemRng rng;
      return ceremony_finish(*opts, rng, out);
    };
  });

  auto dec = std::make_shared<TrusteeDecryptOptions>();
  auto dec_pass = std::make_shared<std::string>();
  CLI::App* decrypt = trustee->add_subcommand(
      "decrypt", "Audit the closed board, recompute the sums, decrypt this share's part");
  add_server_options(decrypt, dec->server);
  add_election_option(decrypt, dec->election);
  decrypt->add_option("--share", dec->share, "This trustee's share file")->required();
  CLI::Option* dec_pf = decrypt->add_option("--passphrase-file", *dec_pass,
                                            "Read the passphrase from the first line of FILE");
  decrypt->callback([dec, dec_pass, dec_pf, &commands] {
    if (dec_pf->count() > 0) dec->passphrase_file = fs::path(*dec_pass);
    commands.action = [dec](std::ostream& out) {
      SystemRng rng;
      return trustee_decrypt(*dec, rng, out);
    };
  });
}

}  // namespace urne::cli
