// Router: maps (method, path) to a handler over Beast-free Request/Response
// values, so handler code never includes Beast (compile time, layering).
//
// Patterns are absolute paths whose segments are literals, parameters
// "{name}" (one non-empty segment, percent-decoded) or, as the last segment
// only, a tail "{name...}" (the rest of the path, segments percent-decoded
// and joined by '/', possibly empty). A path matches literal/parameter routes
// before tail routes. Registering a route is one line:
//
//   router.add("GET", "/api/v1/elections/{id}", handler);
//   router.add("POST", "/api/v1/elections/{id}/ballots", handler,
//              {.content_type = "application/json", .body_limit = 64 * 1024});
//
// dispatch() answers 404 (no pattern matches the path), 405 (a pattern
// matches, not with this method; with an Allow header), 415 (the route wants
// a content type and the request has another), 413 (body over the route's
// limit), 400 (undecodable path), each with the JSON error body of
// http_error.hpp; otherwise it calls the handler. A handler that throws gets
// a 500 (the exception text is not sent).
//
// Lifetime: a Server keeps a reference; the Router must outlive it.
// Thread-safety: add() only before serving; dispatch() is const and may run
// concurrently on many threads (handlers must be thread-safe themselves).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/status.hpp"
#include "server/web_assets.hpp"

namespace urne::server {

// Body limit of a route that does not set one: API requests are small JSON.
inline constexpr std::size_t kDefaultBodyLimit = std::size_t{64} * 1024;

struct Request {
  std::string method;        // "GET", "POST", ...
  std::string target;        // as received: path and query, still encoded
  std::string path;          // target before '?', still encoded
  std::string query;         // target after '?', still encoded
  std::string content_type;  // Content-Type header, empty if none
  std::string body;
  std::map<std::string, std::string> params;  // filled by the router
  // Other request headers the handlers may need, lower-case names.
  std::map<std::string, std::string> headers;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string route;  // the matched pattern (for the log), "-" if none
  bool log = true;    // false: the route's requests are not logged (RouteOptions)
};

using Handler = std::function<Response(const Request&)>;

struct RouteOptions {
  // Required media type (compared without parameters, case-insensitive);
  // empty = no check (e.g. GET routes).
  std::string content_type;
  std::size_t body_limit = kDefaultBodyLimit;
  // False for the ballot path: no log line at all, because a line with a
  // time next to the ballot route would let whoever holds the log and knows
  // when a delegate voted narrow down which request was theirs (design.md,
  // "What must never leak"). Turnout is on the board as a count instead.
  bool log_requests = true;
};

// A JSON Response for a non-OK status (code via http_status()).
Response error_response(const Status& status);
// A 200 JSON response with the given serialized body.
Response json_response(std::string body, int status = 200);

class Router {
 public:
  // Contract (aborts on violation): pattern starts with '/', well-formed
  // parameters, tail only last, no duplicate (method, pattern).
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  // The full request handling described above.
  Response dispatch(Request request) const;

  // Body limit for the route that would handle (method, target); the default
  // limit when none does (the request then ends in 404/405 anyway). Stores
  // the route's pattern (or "-") in *pattern when given, for the log.
  std::size_t body_limit(std::string_view method, std::string_view target,
                         std::string* pattern = nullptr) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    bool tail = false;
    Handler handler;
    RouteOptions options;
  };
  // The best route for the path and method; `path_matched` tells whether any
  // route matched the path at all; `allow` collects the methods that would.
  const Route* find(std::string_view method, const std::vector<std::string>& segs,
                    std::map<std::string, std::string>* params, bool* path_matched,
                    std::string* allow) const;
  std::vector<Route> routes_;
};

// Splits an encoded absolute path into percent-decoded segments. Fails with
// kInvalidArgument "bad_path" for a path not starting with '/', bad percent
// escapes, and decoded segments containing '/', '\\' or NUL.
Result<std::vector<std::string>> split_path(std::string_view path);

// The Content-Security-Policy of every page (docs/api.md, web-spec): only
// the server's own scripts, styles, fonts and connections; no inline script
// or style, no eval, no framing, no forms posting elsewhere.
inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

// Adds the headers every static file carries: the CSP above,
// Referrer-Policy: no-referrer (the voting link's fragment never leaves,
// and neither does the path), X-Content-Type-Options: nosniff,
// Cross-Origin-Opener-Policy: same-origin, Permissions-Policy (no camera,
// microphone, geolocation) and Cache-Control: no-cache (revalidate every
// time, so a changed page is never taken from a cache).
void add_page_headers(Response& response);

// A handler for a route with a tail parameter named "path" that serves the
// web client from memory (server/web_assets.hpp): "" and directories -> their
// index.html; ".", "..", empty segments -> 400 "bad_path"; hidden, missing
// and never-loaded files (symlinks, files added after start-up) -> 404.
// Headers: add_page_headers(), the content type of the extension, an ETag
// (the content's SHA-256); a matching If-None-Match gets 304 without body.
// Contract: assets is not null.
Handler static_files(std::shared_ptr<const WebAssets> assets);

// The routes every urne-server has: GET /api/v1/health ->
// {"status":"ok","version":"<project version>"} and, when `assets` is not
// null, the web client, GET /{path...} (matched after all other routes).
void add_core_routes(Router& router, std::shared_ptr<const WebAssets> assets);
// The same, loading `web_dir` first (for tests and tools): a missing
// directory gives the API alone. Contract: a directory that exists loads
// (WebAssets::load); otherwise this aborts. urne-server loads the
// directory itself and reports a load error as a Status.
void add_core_routes(Router& router, const std::filesystem::path& web_dir);

}  // namespace urne::server
