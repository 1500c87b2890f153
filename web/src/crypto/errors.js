// The error vocabulary of the browser's crypto: the same stable
// lower_snake_case reasons as crypto/status.hpp's Status, so that the page
// can show the same message (and tests can compare) whichever side refused.
// Hostile input always ends in an UrneError, never in another exception
// type; a bug (misuse by the page's own code) is a TypeError.

export class UrneError extends Error {
  /**
   * @param {string} reason stable lower_snake_case reason (e.g. "voting_code_checksum")
   * @param {string} message human message; never contains a secret
   */
  constructor(reason, message) {
    super(message);
    this.name = 'UrneError';
    this.reason = reason;
  }
}

export function fail(reason, message) {
  throw new UrneError(reason, message);
}
