#include "ballot/roster.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "election_fixture.hpp"
#include "test_util.hpp"

namespace urne {
namespace {

using test::ed25519_key;
using test::must;
using test::reason_of;

InstitutionPublicKey key(std::uint8_t seed) {
  return must(InstitutionPublicKey::parse(ed25519_key(seed)));
}

CredentialContext context(std::uint8_t b) {
  return must(CredentialContext::parse(test::filled(b)));
}

std::vector<Institution> three() {
  return {Institution{"iz-schwerin", "Internationales Zentrum Schwerin", key(10)},
          Institution{"caritas", "Caritas Mecklenburg e.V.", key(11)},
          Institution{"afrika-forum", "Afrikanisches Forum MV", key(12)}};
}

Roster sample() { return must(Roster::create("Herbsttagung 2026", context(0xc0), three())); }

void append_lp16(Bytes& out, std::string_view s) {
  append_u16(out, static_cast<std::uint16_t>(s.size()));
  append(out, as_bytes(s));
}

TEST_CASE("a roster is sorted by id and its canonical bytes follow the documented layout") {
  const Roster r = sample();
  REQUIRE(r.institutions().size() == 3);
  CHECK(r.institutions()[0].id == "afrika-forum");
  CHECK(r.institutions()[1].id == "caritas");
  CHECK(r.institutions()[2].id == "iz-schwerin");

  Bytes expected;
  append_lp16(expected, "urne/roster/v1");
  append_lp16(expected, "Herbsttagung 2026");
  append(expected, test::filled(0xc0));
  append_u16(expected, 3);
  for (const auto& [id, name, seed] :
       {std::tuple{"afrika-forum", "Afrikanisches Forum MV", 12},
        std::tuple{"caritas", "Caritas Mecklenburg e.V.", 11},
        std::tuple{"iz-schwerin", "Internationales Zentrum Schwerin", 10}}) {
    append_lp16(expected, id);
    append_lp16(expected, name);
    append(expected, ed25519_key(static_cast<std::uint8_t>(seed)));
  }
  CHECK(r.canonical_bytes() == expected);
  CHECK(r.fingerprint() == sha256(expected));
  CHECK(r.short_fingerprint() == short_fingerprint(sha256(expected)));
}

TEST_CASE("a roster parses from its canonical bytes, byte for byte") {
  const Roster r = sample();
  const Roster back = must(Roster::parse_canonical(r.canonical_bytes()));
  CHECK(back.canonical_bytes() == r.canonical_bytes());
  CHECK(back.fingerprint() == r.fingerprint());
  CHECK(back.title() == "Herbsttagung 2026");
  CHECK(back.credential_context() == r.credential_context());
  REQUIRE(back.find("caritas") != nullptr);
  CHECK(back.find("caritas")->name == "Caritas Mecklenburg e.V.");
  CHECK(back.find("caritas")->key == key(11));
  CHECK(back.find("nobody") == nullptr);
  CHECK(back.find("") == nullptr);
}

TEST_CASE("the order of the institutions given does not change the roster") {
  std::vector<Institution> v = three();
  std::swap(v[0], v[2]);
  const Roster a = must(Roster::create("Herbsttagung 2026", context(0xc0), v));
  CHECK(a.canonical_bytes() == sample().canonical_bytes());
}

TEST_CASE("a roster with a duplicate id, a duplicate key, a bad id or no institution is refused") {
  auto v = three();
  v[1].id = "iz-schwerin";
  CHECK(reason_of(Roster::create("T", context(1), v)) == "duplicate_institution_id");

  v = three();
  v[2].key = v[0].key;
  CHECK(reason_of(Roster::create("T", context(1), v)) == "duplicate_institution_key");

  for (const char* bad : {"", "a b", "ä", "x/y", "id:1"}) {
    v = three();
    v[1].id = bad;
    CAPTURE(bad);
    CHECK(reason_of(Roster::create("T", context(1), v)) == "institution_id_malformed");
  }
  v = three();
  v[1].id = std::string(65, 'a');
  CHECK(reason_of(Roster::create("T", context(1), v)) == "institution_id_malformed");

  CHECK(reason_of(Roster::create("T", context(1), {})) == "bad_institution_count");
  std::vector<Institution> many(Roster::kMaxInstitutions + 1, Institution{"a", "A", key(1)});
  CHECK(reason_of(Roster::create("T", context(1), many)) == "bad_institution_count");
}

TEST_CASE("a roster's title and names are checked as text") {
  CHECK(reason_of(Roster::create("", context(1), three())) == "bad_length");
  CHECK(reason_of(Roster::create(std::string(201, 'x'), context(1), three())) == "bad_length");
  CHECK(reason_of(Roster::create("Herbst\ntagung", context(1), three())) == "forbidden_character");
  auto v = three();
  v[0].name = "";
  CHECK(reason_of(Roster::create("T", context(1), v)) == "bad_length");
  v[0].name = "Name\xe2\x80\xae";
  CHECK(reason_of(Roster::create("T", context(1), v)) == "forbidden_character");
  v[0].name = std::string(200, 'n');
  CHECK(Roster::create("T", context(1), v).ok());
}

TEST_CASE("the fingerprint changes with any change to the roster") {
  using Mutation = std::function<void(std::string&, std::uint8_t&, std::vector<Institution>&)>;
  const std::vector<Mutation> mutations = {
      [](auto& t, auto&, auto&) { t = "Herbsttagung 2027"; },
      [](auto&, auto& c, auto&) { c = 0xc1; },
      [](auto&, auto&, auto& v) { v[0].id = "zz-new-id"; },
      [](auto&, auto&, auto& v) { v[1].name = "Caritas Mecklenburg e. V."; },
      [](auto&, auto&, auto& v) { v[2].key = key(99); },
      [](auto&, auto&, auto& v) {
        v.push_back(Institution{"neu", "Neues Mitglied", key(50)});
      },
      [](auto&, auto&, auto& v) { v.pop_back(); },
      [](auto&, auto&, auto& v) { std::swap(v[0].key, v[1].key); },
  };
  std::set<FixedBytes<32>> seen = {sample().fingerprint()};
  for (std::size_t i = 0; i < mutations.size(); ++i) {
    std::string title = "Herbsttagung 2026";
    std::uint8_t ctx = 0xc0;
    auto v = three();
    mutations[i](title, ctx, v);
    const Roster r = must(Roster::create(title, context(ctx), v));
    CAPTURE(i);
    CHECK(seen.insert(r.fingerprint()).second);
  }
}

TEST_CASE("parse_canonical rejects truncation, trailing bytes and unsorted or duplicate ids") {
  const Bytes good = sample().canonical_bytes();
  for (std::size_t len = 0; len < good.size(); ++len) {
    CAPTURE(len);
    CHECK(reason_of(Roster::parse_canonical(ByteView(good).first(len))) == "truncated");
  }
  Bytes longer = good;
  longer.push_back(0);
  CHECK(reason_of(Roster::parse_canonical(longer)) == "trailing_bytes");

  // Hand-made encodings of two institutions in a given order.
  const auto encode = [](std::string_view id1, std::string_view id2) {
    Bytes b;
    append_lp16(b, "urne/roster/v1");
    append_lp16(b, "T");
    append(b, test::filled(1));
    append_u16(b, 2);
    append_lp16(b, id1);
    append_lp16(b, "Eins");
    append(b, ed25519_key(1));
    append_lp16(b, id2);
    append_lp16(b, "Zwei");
    append(b, ed25519_key(2));
    return b;
  };
  CHECK(Roster::parse_canonical(encode("a", "b")).ok());
  CHECK(reason_of(Roster::parse_canonical(encode("b", "a"))) == "not_canonical");
  CHECK(reason_of(Roster::parse_canonical(encode("a", "a"))) == "duplicate_institution_id");
  CHECK(reason_of(Roster::parse_canonical(encode("a", "a b"))) == "institution_id_malformed");
}

TEST_CASE("parse_canonical rejects an invalid key, an oversized count and a wrong label") {
  Bytes b = sample().canonical_bytes();
  // The last institution's key is the last 32 bytes: make it a small-order point.
  std::fill(b.end() - 32, b.end(), 0);
  CHECK(reason_of(Roster::parse_canonical(b)) == "institution_key_invalid");

  Bytes count = sample().canonical_bytes();
  const std::size_t count_at = 2 + 14 + 2 + 17 + 32;
  count[count_at] = 0xff;  // 0xff03 > 10000
  CHECK(reason_of(Roster::parse_canonical(count)) == "count_out_of_range");
  count[count_at] = 0x27;  // 0x2703 = 9987: allowed, but cannot fit
  CHECK(reason_of(Roster::parse_canonical(count)) == "truncated");

  Bytes label = sample().canonical_bytes();
  label[2] = 'U';
  CHECK(reason_of(Roster::parse_canonical(label)) == "wrong_label");
}

TEST_CASE("every one-byte change of a roster's encoding is rejected or gives another fingerprint") {
  const Roster r = sample();
  const Bytes good = r.canonical_bytes();
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
      Bytes b = good;
      b[i] ^= mask;
      auto parsed = Roster::parse_canonical(b);
      if (parsed.ok()) {
        CAPTURE(i);
        CHECK(parsed->canonical_bytes() == b);
        CHECK(parsed->fingerprint() != r.fingerprint());
      }
    }
  }
}

}  // namespace
}  // namespace urne
