// Router and the static file handler (Beast-free).
#include "server/router.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <sstream>
#include <system_error>

#include "server/http_error.hpp"

namespace urne::server {
namespace {

// Static files are read whole into memory; the web client is a few hundred
// KiB, so anything much larger is a mistake in --web-dir.
constexpr std::uintmax_t kMaxStaticFileSize = std::uintmax_t{16} * 1024 * 1024;

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

std::string_view content_type_for(const std::filesystem::path& p) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const std::string ext = lower(p.extension().string());
  for (const auto& [e, t] : kTypes)
    if (e == ext) return t;
  return "application/octet-stream";
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
  if (pattern) *pattern = "-";
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
      media_type(request.content_type) != media_type(r->options.content_type)) {
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

Handler static_files(std::filesystem::path root) {
  std::error_code ec;
  auto canonical_root = std::filesystem::weakly_canonical(root, ec);
  if (ec) canonical_root = root;
  return [root = std::move(canonical_root)](const Request& req) -> Response {
    const auto it = req.params.find("path");
    std::string rel = it == req.params.end() ? std::string() : it->second;
    // The router has already rejected '.', '..', empty segments, '\\' and
    // NUL; hidden files (".env", ".git") are never served.
    for (std::size_t pos = 0; pos <= rel.size();) {
      const auto slash = rel.find('/', pos);
      const std::string seg = rel.substr(pos, slash - pos);
      if (seg == "." || seg == ".." || (seg.empty() && !rel.empty()))
        return error_response(bad_path("bad path segment"));
      if (!seg.empty() && seg.front() == '.')
        return error_response(Status(Code::kNotFound, kReasonNotFound, "no such file"));
      if (slash == std::string::npos) break;
      pos = slash + 1;
    }
    std::filesystem::path p = root / rel;
    std::error_code fe;
    if (std::filesystem::is_directory(p, fe)) p /= "index.html";
    // Symlinks inside the web directory must not lead out of it.
    const auto canon = std::filesystem::weakly_canonical(p, fe);
    const auto [rend, cend] = std::mismatch(root.begin(), root.end(), canon.begin(), canon.end());
    if (fe || rend != root.end()) return error_response(bad_path("outside the web directory"));
    if (!std::filesystem::is_regular_file(canon, fe))
      return error_response(Status(Code::kNotFound, kReasonNotFound, "no such file"));
    const auto size = std::filesystem::file_size(canon, fe);
    if (fe || size > kMaxStaticFileSize)
      return error_response(Status(Code::kNotFound, kReasonNotFound, "no such file"));
    std::ifstream in(canon, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    if (!in && !in.eof())
      return error_response(Status(Code::kNotFound, kReasonNotFound, "unreadable file"));
    Response r;
    r.content_type = std::string(content_type_for(canon));
    r.body = s.str();
    r.headers.emplace_back("Content-Security-Policy", "default-src 'self'");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  };
}

void add_core_routes(Router& router, const std::filesystem::path& web_dir) {
  router.add("GET", "/api/v1/health", [](const Request&) {
    return json_response(R"({"status":"ok","version":")" URNE_VERSION R"("})");
  });
  router.add("GET", "/{path...}", static_files(web_dir));
}

}  // namespace urne::server
