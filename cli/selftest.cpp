#include "cli/selftest.hpp"

#include <chrono>
#include <string>

#include "crypto/blind_rsa.hpp"
#include "crypto/credential.hpp"
#include "crypto/hash.hpp"
#include "crypto/privacy_pass.hpp"
#include "crypto/random.hpp"

namespace urne::cli {

namespace {

std::string short_hex(ByteView b) {
  return hex_encode(b.first(std::min<std::size_t>(8, b.size()))) + "…";
}

// A check the self-test expects to fail; a pass would be a serious bug.
Status expect_refused(const Status& s, std::string_view what, std::ostream& out) {
  if (s.is_ok()) {
    return internal_error("selftest_accepted_forgery", std::string(what) + " was accepted");
  }
  out << "  refused as expected: " << what << " (" << s.reason() << ")\n";
  return Status::ok();
}

}  // namespace

Status selftest_token(std::ostream& out) {
  SystemRng rng;
  using Clock = std::chrono::steady_clock;

  out << "Token round trip (RFC 9474 blind RSA, RFC 9578 Privacy Pass type 2)\n";

  // 1. The election and its issuing key.
  const ElectionId election_id = sha256(as_bytes("urne selftest election"));
  const auto t0 = Clock::now();
  URNE_ASSIGN_OR_RETURN(BlindRsaSecretKey sk, BlindRsaSecretKey::generate(2048));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  URNE_ASSIGN_OR_RETURN(TokenIssuer issuer, TokenIssuer::create(std::move(sk)));
  const TokenPublicKey& pk = issuer.public_key();
  out << "1. The register made a 2048-bit issuing key for election " << short_hex(election_id)
      << " in " << ms << " ms; token_key_id " << short_hex(pk.key_id()) << " (SHA-256 of the "
      << pk.spki().size() << "-byte RFC 9578 public key).\n";
  URNE_ASSIGN_OR_RETURN(TokenChallenge challenge,
                        TokenChallenge::for_election(as_bytes("urne.example"), election_id, {}));

  // 2. An institution's credential, as printed on its letter.
  const VotingCode code = VotingCode::generate(rng);
  const CredentialContext context = CredentialContext::generate(rng);
  URNE_ASSIGN_OR_RETURN(InstitutionSecretKey inst_key, InstitutionSecretKey::derive(code, context));
  const InstitutionPublicKey listed = inst_key.public_key();
  out << "2. Institution 'einrichtung-01' derived its key from its voting code; public key "
      << short_hex(listed.bytes()) << " is what the roster lists.\n";

  // 3. The client blinds a token request and signs it with the institution key.
  URNE_ASSIGN_OR_RETURN(PendingTokenRequest pending, create_token_request(pk, challenge, rng));
  const std::string institution = "einrichtung-01";
  URNE_ASSIGN_OR_RETURN(
      InstitutionSignature sig,
      sign_token_request(inst_key, election_id, institution, pk.key_id(), pending.request.bytes()));
  out << "3. The delegate's device blinded a token request (" << pending.request.bytes().size()
      << " bytes) and signed it with the institution key; the server sees only the blinded "
         "message.\n";

  // 4. The issuer checks the institution's signature and blind-signs.
  URNE_RETURN_IF_ERROR(verify_token_request(listed, election_id, institution, pk.key_id(),
                                            pending.request.bytes(), sig));
  URNE_ASSIGN_OR_RETURN(TokenResponse response, issuer.evaluate(pending.request));
  out << "4. The register checked the institution's signature and returned a blind signature ("
      << response.bytes().size() << " bytes), after verifying it itself.\n";

  // 5. The client unblinds and verifies.
  URNE_ASSIGN_OR_RETURN(Token token, finalize_token(pk, pending.state, response));
  out << "5. The device unblinded it into a token (" << token.bytes().size()
      << " bytes) and verified it; nonce " << short_hex(token.nonce()) << ".\n";

  // 6. The ballot box verifies the token against the election's challenge.
  const TokenVerifier verifier(pk, challenge);
  URNE_RETURN_IF_ERROR(verifier.verify(token));
  out << "6. The ballot box, which holds only the public key, accepted the token; it cannot "
         "link it to the blinded request the register signed.\n";

  // 7. What must be refused.
  out << "7. Forgeries:\n";
  URNE_ASSIGN_OR_RETURN(TokenChallenge other_challenge,
                        TokenChallenge::for_election(as_bytes("urne.example"),
                                                     sha256(as_bytes("another election")), {}));
  URNE_RETURN_IF_ERROR(expect_refused(TokenVerifier(pk, other_challenge).verify(token),
                                      "the token presented for another election", out));
  Bytes tampered(token.bytes().begin(), token.bytes().end());
  tampered.back() ^= 0x01;
  URNE_ASSIGN_OR_RETURN(Token bad, Token::parse(tampered));
  URNE_RETURN_IF_ERROR(expect_refused(verifier.verify(bad), "a token with one bit flipped", out));
  URNE_RETURN_IF_ERROR(
      expect_refused(verify_token_request(listed, election_id, "einrichtung-02", pk.key_id(),
                                          pending.request.bytes(), sig),
                     "the request signature claimed for another institution", out));

  out << "Result: the token round trip works and the forgeries were refused.\n";
  return Status::ok();
}

}  // namespace urne::cli
