// Router and the static file handler (Beast-free).
#include "server/router.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <memory>
#include <system_error>

#include "server/http_error.hpp"

namespace urne::server {
namespace {

Status bad_path(std::string message) {
  return invalid_argument(kReasonBadPath, std::move(message));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return bad_path("truncated escape");
    const int hi = hex_value(s[i + 1]);
    const int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return bad_path("bad percent escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  return lower(t);
}

// Whether a Content-Type's charset parameter, if any, is UTF-8: our JSON
// is UTF-8 only (RFC 8259 §8.1), and a body declared in another charset
// would be read as different text than the client meant.
bool charset_is_utf8(std::string_view content_type) {
  const std::string params =
      lower(content_type.substr(std::min(content_type.find(';'), content_type.size())));
  const auto at = params.find("charset=");
  if (at == std::string::npos) return true;
  std::string_view v = std::string_view(params).substr(at + 8);
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '"')) v.remove_suffix(1);
  while (!v.empty() && v.front() == '"') v.remove_prefix(1);
  return v == "utf-8" || v == "utf8";
}

bool is_param(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}
bool is_tail(const std::string& seg) {
  return is_param(seg) && seg.size() > 5 && seg.compare(seg.size() - 4, 4, "...}") == 0;
}

// Whether a ", "-separated Allow list already names `method`.
bool has_method(std::string_view allow, std::string_view method) {
  while (!allow.empty()) {
    const auto comma = allow.find(", ");
    if (allow.substr(0, comma) == method) return true;
    if (comma == std::string_view::npos) break;
    allow.remove_prefix(comma + 2);
  }
  return false;
}

// Whether an If-None-Match value ("*" or a comma-separated list of entity
// tags, possibly weak W/"...") names `etag`. Weak comparison, as RFC 9110
// §13.1.2 prescribes for If-None-Match.
bool if_none_match_hits(std::string_view value, std::string_view etag) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view tag = value.substr(0, comma);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.size() > 2 && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

Response error_response(const Status& status) {
  Response r;
  r.status = http_status(status);
  r.body = error_body(status);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Response json_response(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Result<std::vector<std::string>> split_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return bad_path("path must be absolute");
  std::vector<std::string> segs;
  std::string_view rest = path.substr(1);
  if (rest.empty()) return segs;  // "/"
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view raw = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    // A trailing slash names the same resource ("/docs/" == "/docs"); an empty
    // segment elsewhere ("//etc") would make an absolute file path.
    if (raw.empty() && !last) return bad_path("empty path segment");
    if (!raw.empty()) {
      URNE_ASSIGN_OR_RETURN(std::string seg, percent_decode(raw));
      // Checked after decoding: "%2e%2e" and "%2f" are the classic bypasses.
      if (seg == "." || seg == "..") return bad_path("dot segment");
      if (seg.find_first_of(std::string_view("/\\\0", 3)) != std::string::npos)
        return bad_path("forbidden character in path");
      segs.push_back(std::move(seg));
    }
    if (last) break;
    rest = rest.substr(slash + 1);
  }
  return segs;
}

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  Route r;
  auto segs = split_path(pattern);
  if (!segs.ok() || !handler || method.empty()) std::abort();  // contract
  r.segments = std::move(segs).value();
  for (std::size_t i = 0; i < r.segments.size(); ++i) {
    if (is_tail(r.segments[i]) && i + 1 != r.segments.size()) std::abort();  // contract
  }
  r.tail = !r.segments.empty() && is_tail(r.segments.back());
  for (const Route& other : routes_)
    if (other.method == method && other.pattern == pattern) std::abort();  // contract
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.options = std::move(options);
  routes_.push_back(std::move(r));
}

const Router::Route* Router::find(std::string_view method, const std::vector<std::string>& segs,
                                  std::map<std::string, std::string>* params, bool* path_matched,
                                  std::string* allow) const {
  const Route* best = nullptr;
  *path_matched = false;
  // Two passes: exact/parameter routes first, then tail routes.
  for (int pass = 0; pass < 2 && best == nullptr; ++pass) {
    for (const Route& r : routes_) {
      if (r.tail != (pass == 1)) continue;
      const std::size_t fixed = r.tail ? r.segments.size() - 1 : r.segments.size();
      if (r.tail ? segs.size() < fixed : segs.size() != fixed) continue;
      std::map<std::string, std::string> p;
      bool ok = true;
      for (std::size_t i = 0; i < fixed && ok; ++i) {
        const std::string& pat = r.segments[i];
        if (is_param(pat))
          p[pat.substr(1, pat.size() - 2)] = segs[i];
        else
          ok = pat == segs[i];
      }
      if (!ok) continue;
      if (r.tail) {
        std::string t;
        for (std::size_t i = fixed; i < segs.size(); ++i) {
          if (i > fixed) t += '/';
          t += segs[i];
        }
        const std::string& pat = r.segments.back();
        p[pat.substr(1, pat.size() - 5)] = std::move(t);
      }
      *path_matched = true;
      if (allow && !has_method(*allow, r.method)) {
        if (!allow->empty()) *allow += ", ";
        *allow += r.method;
      }
      if (r.method == method && best == nullptr) {
        best = &r;
        *params = std::move(p);
      }
    }
  }
  return best;
}

std::size_t Router::body_limit(std::string_view method, std::string_view target,
                               std::string* pattern) const {
  // assign(n, c): GCC 12 reports a false -Wrestrict for `= "-"` here (PR 105329).
  if (pattern) pattern->assign(1, '-');
  auto segs = split_path(target.substr(0, target.find('?')));
  if (!segs.ok()) return kDefaultBodyLimit;
  std::map<std::string, std::string> params;
  bool matched = false;
  const Route* r = find(method, *segs, &params, &matched, nullptr);
  if (r && pattern) *pattern = r->pattern;
  return r ? r->options.body_limit : kDefaultBodyLimit;
}

Response Router::dispatch(Request request) const {
  const auto q = request.target.find('?');
  request.path = request.target.substr(0, q);
  request.query = q == std::string::npos ? std::string() : request.target.substr(q + 1);
  auto segs = split_path(request.path);
  if (!segs.ok()) return error_response(segs.status());
  bool matched = false;
  std::string allow;
  const Route* r = find(request.method, *segs, &request.params, &matched, &allow);
  if (r == nullptr) {
    if (!matched)
      return error_response(Status(Code::kNotFound, kReasonNotFound, "no such resource"));
    Response resp = error_response(invalid_argument(kReasonMethodNotAllowed, "method not allowed"));
    resp.headers.emplace_back("Allow", allow);
    return resp;
  }
  Response resp;
  if (!r->options.content_type.empty() &&
      (media_type(request.content_type) != media_type(r->options.content_type) ||
       !charset_is_utf8(request.content_type))) {
    resp = error_response(
        invalid_argument(kReasonUnsupportedMediaType, "expected " + r->options.content_type));
  } else if (request.body.size() > r->options.body_limit) {
    resp = error_response(
        Status(Code::kResourceExhausted, kReasonPayloadTooLarge, "request body too large"));
  } else {
    try {
      resp = r->handler(request);
    } catch (const std::exception&) {
      // Handlers report errors through Status; an exception is a bug. Its
      // text may hold internals, so the client only learns "internal".
      resp = error_response(internal_error(kReasonInternal, "handler failed"));
    }
  }
  resp.route = r->pattern;
  resp.log = r->options.log_requests;
  return resp;
}

void add_page_headers(Response& response) {
  auto& h = response.headers;
  h.emplace_back("Content-Security-Policy", std::string(kPageContentSecurityPolicy));
  h.emplace_back("Referrer-Policy", "no-referrer");
  h.emplace_back("X-Content-Type-Options", "nosniff");
  h.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  h.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  h.emplace_back("Cache-Control", "no-cache");
}

Handler static_files(std::shared_ptr<const WebAssets> assets) {
  if (!assets) std::abort();  // contract
  return [assets = std::move(assets)](const Request& req) -> Response {
    const auto it = req.params.find("path");
    const std::string rel = it == req.params.end() ? std::string() : it->second;
    // The router has already rejected '.', '..', empty segments, '\\' and
    // NUL; this handler checks again (it must not depend on how it is
    // routed). Hidden files (".env", ".git") are never loaded; a request for
    // one is a plain 404.
    for (std::size_t pos = 0; pos <= rel.size();) {
      const auto slash = rel.find('/', pos);
      const std::string seg = rel.substr(pos, slash - pos);
      if (seg == "." || seg == ".." || (seg.empty() && !rel.empty()) ||
          seg.find_first_of(std::string_view("\\\0", 2)) != std::string::npos)
        return error_response(bad_path("bad path segment"));
      if (!seg.empty() && seg.front() == '.')
        return error_response(Status(Code::kNotFound, kReasonNotFound, "no such file"));
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    // Only what was loaded (and hashed) at start-up is served: nothing on
    // disk is looked at here, so a file changed or added later, or a symlink
    // pointing out of the directory, is never served.
    const WebAsset* a = assets->find(rel);
    if (a == nullptr)
      return error_response(Status(Code::kNotFound, kReasonNotFound, "no such file"));
    Response r;
    add_page_headers(r);
    r.headers.emplace_back("ETag", a->etag);
    // The validator is the content's SHA-256: a match means the client has
    // exactly these bytes. The header may list several tags or be "*".
    const auto inm = req.headers.find("if-none-match");
    if (inm != req.headers.end() && if_none_match_hits(inm->second, a->etag)) {
      r.status = 304;
      r.content_type = a->content_type;
      return r;
    }
    r.content_type = a->content_type;
    r.body = a->content;
    return r;
  };
}

void add_core_routes(Router& router, std::shared_ptr<const WebAssets> assets) {
  router.add("GET", "/api/v1/health", [](const Request&) {
    return json_response(R"({"status":"ok","version":")" URNE_VERSION R"("})");
  });
  if (assets) router.add("GET", "/{path...}", static_files(std::move(assets)));
}

void add_core_routes(Router& router, const std::filesystem::path& web_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(web_dir, ec)) return add_core_routes(router, nullptr);
  auto assets = WebAssets::load(web_dir);
  if (!assets.ok()) std::abort();  // contract (see the header)
  add_core_routes(router, std::make_shared<const WebAssets>(std::move(assets).value()));
}

}  // namespace urne::server
