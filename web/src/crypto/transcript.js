// Transcript: the Fiat-Shamir hash of every non-interactive proof, exactly as
// crypto/transcript.{hpp,cpp} (docs/protocol.md §2).
//
// SHA-512 over named items, each u16be(len(name)) || name ||
// u32be(len(value)) || value, beginning with ("proto", "urne/fs/v1") and
// ("label", LABEL). The challenge is the 64-byte digest reduced mod l,
// never a 32-byte one. challenge() does not consume the state; clone()
// copies it (a ballot's statement is absorbed once, each proof continues
// from a copy).

import { sha512 } from '@noble/hashes/sha2.js';
import { concat, u16be, u32be, u64be, utf8 } from './bytes.js';
import { scalarFromWide, scalarToBytes } from './group.js';

export class Transcript {
  /** @param {string} label proof type and version, e.g. "urne/ballot/v1" */
  constructor(label, _state) {
    if (_state) {
      this.h = _state;
      return;
    }
    this.h = sha512.create();
    this.append('proto', utf8('urne/fs/v1'));
    this.append('label', utf8(label));
  }

  /** value: Uint8Array, or a string taken as its UTF-8 bytes. */
  append(name, value) {
    const n = utf8(name);
    const v = typeof value === 'string' ? utf8(value) : value;
    if (!(v instanceof Uint8Array)) throw new TypeError('transcript value must be bytes');
    // u16be / u32be throw (TypeError: a contract breach, as the C++ abort)
    // for a name >= 64 KiB or a value >= 4 GiB.
    this.h.update(concat(u16be(n.length), n, u32be(v.length)));
    this.h.update(v);
    return this;
  }

  appendPoint(name, p) {
    return this.append(name, p.toBytes());
  }
  appendScalar(name, s) {
    return this.append(name, scalarToBytes(s));
  }
  /** 8 bytes big-endian. */
  appendU64(name, v) {
    return this.append(name, u64be(v));
  }

  /** The challenge scalar for everything absorbed so far. */
  challenge() {
    return scalarFromWide(this.h.clone().digest());
  }

  clone() {
    return new Transcript(null, this.h.clone());
  }
}
