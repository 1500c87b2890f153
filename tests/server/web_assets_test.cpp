// The web client in memory (server/web_assets.hpp), the voting page's hash
// (ballot/voting_page.hpp) and the static route over it (server/router.hpp):
// which files are loaded, the limits, what is served with which headers,
// and the hash in GET /api/v1/service. Router-level (Beast-free); the TLS
// path is covered in server_test.cpp.
#include "server/web_assets.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "ballot/voting_page.hpp"
#include "crypto/hash.hpp"
#include "server/api.hpp"
#include "server/router.hpp"
#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using namespace urne;
using namespace urne::server;
using test::TempDir;

void write_file(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

// The page of the known answer below, plus what must not be part of it.
//
// Known answer, computed independently with Python:
//   import hashlib, struct
//   files = {"index.html": b"<!doctype html><title>urne</title>\n",
//            "vote/index.html": b"<!doctype html><title>vote</title>\n",
//            "assets/vote.js": b"console.log(1);\n",
//            "assets/style.css": b"body{margin:0}\n",
//            "i18n/de/common.json": b'{"title":"Wahl"}\n'}
//   h = hashlib.sha256(); label = b"urne/voting-page/v1"
//   h.update(struct.pack(">H", len(label)) + label + struct.pack(">I", len(files)))
//   for p in sorted(files, key=lambda s: s.encode()):
//       h.update(struct.pack(">H", len(p.encode())) + p.encode()
//                + hashlib.sha256(files[p]).digest())
//   h.hexdigest()
constexpr const char* kKatPageHash =
    "b858b18ca07a3d700279ee4c7d57551ee143a0dc4ed3aa6fca8fb5739fe54f09";
// The same with no file at all (count 0).
constexpr const char* kKatEmptyPageHash =
    "6c1c4eef1404d7d5601154d6b2b91f7694c0c8ce92b9d7344f2abb0300533d96";

struct WebDir {
  TempDir dir;
  fs::path web = dir.path() / "web";
  WebDir() {
    write_file(web / "index.html", "<!doctype html><title>urne</title>\n");
    write_file(web / "vote" / "index.html", "<!doctype html><title>vote</title>\n");
    write_file(web / "assets" / "vote.js", "console.log(1);\n");
    write_file(web / "assets" / "style.css", "body{margin:0}\n");
    write_file(web / "i18n" / "de" / "common.json", "{\"title\":\"Wahl\"}\n");
    // Not part of the page: hidden files and directories, symlinks (one
    // leading out of the directory, one to a directory outside, one to a
    // file inside).
    write_file(web / ".env", "SECRET=1");
    write_file(web / ".git" / "config", "[core]");
    write_file(web / "assets" / ".cache" / "x.js", "hidden dir");
    write_file(dir.path() / "secret.txt", "outside the web directory");
    fs::create_directories(dir.path() / "outside");
    write_file(dir.path() / "outside" / "leak.html", "outside too");
    fs::create_symlink(dir.path() / "secret.txt", web / "leak.txt");
    fs::create_directory_symlink(dir.path() / "outside", web / "up");
    fs::create_symlink(web / "index.html", web / "alias.html");
  }
};

Request get(std::string target, std::map<std::string, std::string> headers = {}) {
  Request r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "(absent)";
}

std::string reason(const Response& r) {
  return nlohmann::json::parse(r.body).at("error").at("code").get<std::string>();
}

TEST_CASE("the voting page hash is the documented known answer, in any order") {
  std::vector<PageFile> files = {
      {"index.html", sha256(as_bytes("<!doctype html><title>urne</title>\n"))},
      {"vote/index.html", sha256(as_bytes("<!doctype html><title>vote</title>\n"))},
      {"assets/vote.js", sha256(as_bytes("console.log(1);\n"))},
      {"assets/style.css", sha256(as_bytes("body{margin:0}\n"))},
      {"i18n/de/common.json", sha256(as_bytes("{\"title\":\"Wahl\"}\n"))},
  };
  const auto h = voting_page_hash(files);
  REQUIRE(h.ok());
  CHECK(hex_encode(*h) == kKatPageHash);
  std::reverse(files.begin(), files.end());
  CHECK(voting_page_hash(files).value() == *h);
  // Any change of a path or a content changes it.
  files[0].content_sha256[0] ^= 1;
  CHECK(voting_page_hash(files).value() != *h);
  files[0].content_sha256[0] ^= 1;
  files[0].path = "index.htm";
  CHECK(voting_page_hash(files).value() != *h);
  CHECK(hex_encode(voting_page_hash({}).value()) == kKatEmptyPageHash);
}

TEST_CASE("the voting page hash sorts by the path's bytes, unsigned") {
  // "\xc3\xa4" (ä) sorts after "z" as bytes; a signed char compare would put it first.
  const std::vector<PageFile> a = {{"z.txt", {}}, {"\xc3\xa4.txt", {}}};
  const std::vector<PageFile> b = {{"\xc3\xa4.txt", {}}, {"z.txt", {}}};
  CHECK(voting_page_hash(a).value() == voting_page_hash(b).value());
  // The hash over the sorted list by hand.
  Sha256 h;
  Bytes in;
  append_u16(in, 19);
  append(in, as_bytes("urne/voting-page/v1"));
  append_u32(in, 2);
  for (const char* p : {"z.txt", "\xc3\xa4.txt"}) {
    append_u16(in, static_cast<std::uint16_t>(std::string_view(p).size()));
    append(in, as_bytes(p));
    append(in, FixedBytes<32>{});
  }
  CHECK(voting_page_hash(a).value() == sha256(in));
}

TEST_CASE("the voting page hash refuses bad and duplicate paths") {
  for (const char* bad : {"", "/index.html", "a//b", ".env", "a/.git/config", "a/../b", "./a", "a/",
                          "a\\b", "a\tb", "\xff.html"}) {
    CAPTURE(bad);
    const std::vector<PageFile> files = {{bad, {}}};
    CHECK(voting_page_hash(files).status().reason() == "page_path_invalid");
  }
  CHECK(check_page_path(std::string(kMaxPagePathSize, 'a')).is_ok());
  CHECK_FALSE(check_page_path(std::string(kMaxPagePathSize + 1, 'a')).is_ok());
  const std::vector<PageFile> dup = {{"a.js", {}}, {"b.js", {}}, {"a.js", {}}};
  CHECK(voting_page_hash(dup).status().reason() == "page_path_duplicate");
}

TEST_CASE("the loader takes the regular, non-hidden files and no symlinks, and hashes them") {
  WebDir w;
  const auto assets = WebAssets::load(w.web);
  REQUIRE(assets.ok());
  std::vector<std::string> paths;
  for (const PageFile& f : assets->page_files()) paths.push_back(f.path);
  CHECK(paths == std::vector<std::string>{"assets/style.css", "assets/vote.js",
                                          "i18n/de/common.json", "index.html", "vote/index.html"});
  CHECK(assets->file_count() == 5);
  CHECK(assets->total_size() == 35 + 35 + 16 + 15 + 17);
  CHECK(hex_encode(assets->page_hash()) == kKatPageHash);
  CHECK(voting_page_hash(assets->page_files()).value() == assets->page_hash());
  const WebAsset* js = assets->find("assets/vote.js");
  REQUIRE(js != nullptr);
  CHECK(js->content == "console.log(1);\n");
  CHECK(js->sha256 == sha256(as_bytes("console.log(1);\n")));
  CHECK(js->etag == "\"" + hex_encode(js->sha256) + "\"");
}

TEST_CASE("the loader refuses a missing directory and trees over its limits") {
  WebDir w;
  CHECK(WebAssets::load(w.dir.path() / "nope").status().reason() == "web_dir_missing");
  CHECK(WebAssets::load(w.web / "index.html").status().reason() == "web_dir_missing");
  WebLimits files;
  files.max_files = 4;
  CHECK(WebAssets::load(w.web, files).status().reason() == "web_too_many_files");
  files.max_files = 5;
  CHECK(WebAssets::load(w.web, files).ok());
  WebLimits one;
  one.max_file_size = 34;  // the two html files have 35 bytes
  const auto too_large = WebAssets::load(w.web, one);
  CHECK(too_large.status().reason() == "web_file_too_large");
  CHECK(too_large.status().message().find("index.html") != std::string::npos);
  one.max_file_size = 35;
  CHECK(WebAssets::load(w.web, one).ok());
  WebLimits total;
  total.max_total_size = 117;
  CHECK(WebAssets::load(w.web, total).status().reason() == "web_dir_too_large");
  total.max_total_size = 118;
  CHECK(WebAssets::load(w.web, total).ok());
  // The defaults are the documented bounds.
  const WebLimits d;
  CHECK(d.max_files == 2000);
  CHECK(d.max_total_size == 32u << 20);
  CHECK(d.max_file_size == 8u << 20);
  // A file name that is not UTF-8 cannot be hashed the same way everywhere.
  write_file(w.web / "bad\xff.js", "x");
  CHECK(WebAssets::load(w.web).status().reason() == "page_path_invalid");
}

TEST_CASE("static files are served from memory with the page headers and their type") {
  WebDir w;
  auto assets = std::make_shared<const WebAssets>(WebAssets::load(w.web).value());
  Router router;
  add_core_routes(router, assets);
  Response r = router.dispatch(get("/"));
  CHECK(r.status == 200);
  CHECK(r.body == "<!doctype html><title>urne</title>\n");
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(header(r, "Content-Security-Policy") ==
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'");
  CHECK(header(r, "Referrer-Policy") == "no-referrer");
  CHECK(header(r, "X-Content-Type-Options") == "nosniff");
  CHECK(header(r, "Cross-Origin-Opener-Policy") == "same-origin");
  CHECK(header(r, "Permissions-Policy") == "camera=(), microphone=(), geolocation=()");
  CHECK(header(r, "Cache-Control") == "no-cache");
  CHECK(header(r, "ETag") == "\"" + hex_encode(sha256(as_bytes(r.body))) + "\"");

  // A directory URL serves its index.html, with or without the slash and a query.
  for (const char* t : {"/vote", "/vote/", "/vote/index.html", "/vote?e=00"}) {
    CAPTURE(t);
    r = router.dispatch(get(t));
    CHECK(r.status == 200);
    CHECK(r.body == "<!doctype html><title>vote</title>\n");
  }
  r = router.dispatch(get("/assets/vote.js"));
  CHECK(r.content_type == "text/javascript; charset=utf-8");
  CHECK(header(r, "Content-Security-Policy") == std::string(kPageContentSecurityPolicy));
  CHECK(router.dispatch(get("/assets/style.css")).content_type == "text/css; charset=utf-8");
  CHECK(router.dispatch(get("/i18n/de/common.json")).content_type == "application/json");

  // What was loaded is what is served: a later change on disk is not seen.
  write_file(w.web / "assets" / "vote.js", "alert('changed');\n");
  write_file(w.web / "late.js", "added after start-up");
  CHECK(router.dispatch(get("/assets/vote.js")).body == "console.log(1);\n");
  CHECK(router.dispatch(get("/late.js")).status == 404);
}

TEST_CASE("hidden, missing, symlinked and outside files are not served") {
  WebDir w;
  Router router;
  add_core_routes(router, std::make_shared<const WebAssets>(WebAssets::load(w.web).value()));
  for (const char* t : {"/.env", "/.git/config", "/assets/.cache/x.js", "/%2eenv", "/leak.txt",
                        "/up/leak.html", "/alias.html", "/nope.js", "/assets", "/i18n/de/x.json"}) {
    CAPTURE(t);
    const Response r = router.dispatch(get(t));
    CHECK(r.status == 404);
    CHECK(reason(r) == "not_found");
  }
  for (const char* t : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                        "//etc/passwd", "/a/%00b", "/%5c..%5csecret.txt"}) {
    CAPTURE(t);
    const Response r = router.dispatch(get(t));
    CHECK(r.status == 400);
    CHECK(reason(r) == "bad_path");
  }
  // Other methods on a page: 405 with Allow.
  Request post = get("/");
  post.method = "POST";
  const Response r = router.dispatch(post);
  CHECK(r.status == 405);
  CHECK(header(r, "Allow") == "GET");
}

TEST_CASE("a request naming the served ETag gets 304 without a body") {
  WebDir w;
  Router router;
  add_core_routes(router, std::make_shared<const WebAssets>(WebAssets::load(w.web).value()));
  const std::string etag = header(router.dispatch(get("/assets/vote.js")), "ETag");
  for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    CAPTURE(inm);
    const Response r = router.dispatch(get("/assets/vote.js", {{"if-none-match", inm}}));
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(header(r, "ETag") == etag);
    CHECK(header(r, "Cache-Control") == "no-cache");
  }
  for (const std::string& inm : {std::string("\"other\""), std::string(), etag + "x"}) {
    CAPTURE(inm);
    const Response r = router.dispatch(get("/assets/vote.js", {{"if-none-match", inm}}));
    CHECK(r.status == 200);
    CHECK(r.body == "console.log(1);\n");
  }
  // Another file's tag does not match.
  const Response r = router.dispatch(get("/", {{"if-none-match", etag}}));
  CHECK(r.status == 200);
}

TEST_CASE("content types follow the extension, case-insensitively") {
  CHECK(content_type_for("a/b.html") == "text/html; charset=utf-8");
  CHECK(content_type_for("x.JS") == "text/javascript; charset=utf-8");
  CHECK(content_type_for("x.css") == "text/css; charset=utf-8");
  CHECK(content_type_for("x.json") == "application/json");
  CHECK(content_type_for("x.svg") == "image/svg+xml");
  CHECK(content_type_for("x.png") == "image/png");
  CHECK(content_type_for("favicon.ico") == "image/x-icon");
  CHECK(content_type_for("f.woff2") == "font/woff2");
  CHECK(content_type_for("LICENSE.txt") == "text/plain; charset=utf-8");
  CHECK(content_type_for("x.exe") == "application/octet-stream");
  CHECK(content_type_for("Makefile") == "application/octet-stream");
  CHECK(content_type_for("dir.js/file") == "application/octet-stream");
}

TEST_CASE("without a web directory there are no pages, and the API still answers") {
  Router router;
  add_core_routes(router, nullptr);
  CHECK(router.dispatch(get("/api/v1/health")).status == 200);
  CHECK(router.dispatch(get("/")).status == 404);
  CHECK(router.dispatch(get("/vote")).status == 404);
}

TEST_CASE("the service route reports the voting page hash only when pages are served") {
  WebDir w;
  const auto assets = WebAssets::load(w.web).value();
  ApiServices with;
  with.voting_page_sha256 = assets.page_hash();
  Router r1;
  add_election_routes(r1, with);
  const auto j = nlohmann::json::parse(r1.dispatch(get("/api/v1/service")).body);
  CHECK(j.at("voting_page_sha256") == kKatPageHash);
  ApiServices without;
  Router r2;
  add_election_routes(r2, without);
  const auto k = nlohmann::json::parse(r2.dispatch(get("/api/v1/service")).body);
  CHECK_FALSE(k.contains("voting_page_sha256"));
  CHECK(k.contains("role"));
}

}  // namespace
