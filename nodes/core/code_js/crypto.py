"""``require('crypto')`` for code written for Node.js: a safe subset in plain ECMAScript.

Inside the sandbox there is no Node.js and no host call, so the hashes are written here:
``createHash`` and ``createHmac`` for md5, sha1, sha256, sha384 and sha512
(``update(data, encoding)`` any number of times, ``digest(encoding)`` to text or a
``Buffer``), ``randomUUID()``, ``randomBytes(n)``, ``getHashes()`` and
``timingSafeEqual(a, b)``. Randomness is HMAC-DRBG (SHA-256, NIST SP 800-90A) seeded for
each run with 32 bytes from the host's CSPRNG (``secrets``), so ids are unpredictable
even though the isolate has no source of its own.

:data:`CRYPTO_JS` is ``(function (Buffer, seedHex) { ... return crypto; })``; the drivers
call it lazily from the ``require`` they pass to the user's function.
"""

from __future__ import annotations

__all__ = ["CRYPTO_JS", "MODULES_NOTE"]

MODULES_NOTE = (
    "the Code node has no modules except 'crypto' (createHash, createHmac, randomUUID, "
    "randomBytes, getHashes, timingSafeEqual)"
)

CRYPTO_JS = r"""
(function (Buffer, seedHex) {
  "use strict";
  const K256 = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2];
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  const rotl = (x, n) => (x << n) | (x >>> (32 - n));

  // message padding: 0x80, zeros, then the bit length (big- or little-endian)
  function pad(bytes, block, lenBytes, little) {
    const m = bytes.slice();
    const bits = bytes.length * 8;
    m.push(0x80);
    while ((m.length + lenBytes) % block !== 0) m.push(0);
    const len = [];
    let hi = Math.floor(bits / 0x100000000), lo = bits >>> 0;
    for (let i = 0; i < 4; i++) { len.unshift(lo & 255); lo >>>= 8; }
    for (let i = 0; i < 4; i++) { len.unshift(hi & 255); hi >>>= 8; }
    while (len.length < lenBytes) len.unshift(0);
    return m.concat(little ? len.reverse() : len);
  }
  function words(bytes, little) {
    const w = [];
    for (let i = 0; i < bytes.length; i += 4) {
      w.push(little
        ? (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))
        : ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]));
    }
    return w;
  }
  function unwords(ws, little) {
    const out = [];
    for (const x of ws) {
      if (little) out.push(x & 255, (x >>> 8) & 255, (x >>> 16) & 255, (x >>> 24) & 255);
      else out.push((x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255);
    }
    return out;
  }

  function sha256(bytes) {
    const w = words(pad(bytes, 64, 8, false), false);
    const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    const s = new Array(64);
    for (let b = 0; b < w.length; b += 16) {
      for (let t = 0; t < 64; t++) {
        if (t < 16) s[t] = w[b + t];
        else {
          const x = s[t - 15], y = s[t - 2];
          s[t] = (s[t - 16] + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + s[t - 7] +
                  (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10))) | 0;
        }
      }
      let [a, bb, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 64; t++) {
        const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                    K256[t] + s[t]) | 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
      }
      const v = [a, bb, c, d, e, f, g, hh];
      for (let i = 0; i < 8; i++) h[i] = (h[i] + v[i]) | 0;
    }
    return unwords(h, false);
  }

  function sha1(bytes) {
    const w = words(pad(bytes, 64, 8, false), false);
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const s = new Array(80);
    for (let b = 0; b < w.length; b += 16) {
      for (let t = 0; t < 80; t++) {
        s[t] = t < 16 ? w[b + t] : rotl(s[t - 3] ^ s[t - 8] ^ s[t - 14] ^ s[t - 16], 1);
      }
      let [a, bb, c, d, e] = h;
      for (let t = 0; t < 80; t++) {
        const f = t < 20 ? (bb & c) | (~bb & d) : t < 40 ? bb ^ c ^ d
          : t < 60 ? (bb & c) | (bb & d) | (c & d) : bb ^ c ^ d;
        const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
        const tmp = (rotl(a, 5) + f + e + k + s[t]) | 0;
        e = d; d = c; c = rotl(bb, 30); bb = a; a = tmp;
      }
      const v = [a, bb, c, d, e];
      for (let i = 0; i < 5; i++) h[i] = (h[i] + v[i]) | 0;
    }
    return unwords(h, false);
  }

  const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const MD5_K = [];
  for (let i = 0; i < 64; i++) MD5_K.push((Math.abs(Math.sin(i + 1)) * 0x100000000) | 0);
  function md5(bytes) {
    const w = words(pad(bytes, 64, 8, true), true);
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let b = 0; b < w.length; b += 16) {
      let [a, bb, c, d] = h;
      for (let t = 0; t < 64; t++) {
        let f, g;
        if (t < 16) { f = (bb & c) | (~bb & d); g = t; }
        else if (t < 32) { f = (d & bb) | (~d & c); g = (5 * t + 1) % 16; }
        else if (t < 48) { f = bb ^ c ^ d; g = (3 * t + 5) % 16; }
        else { f = c ^ (bb | ~d); g = (7 * t) % 16; }
        const tmp = d; d = c; c = bb;
        bb = (bb + rotl((a + f + MD5_K[t] + w[b + g]) | 0, MD5_S[(t >> 4) * 4 + (t % 4)])) | 0;
        a = tmp;
      }
      const v = [a, bb, c, d];
      for (let i = 0; i < 4; i++) h[i] = (h[i] + v[i]) | 0;
    }
    return unwords(h, true);
  }

  const K512 = [
    "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc",
    "3956c25bf348b538", "59f111f1b605d019", "923f82a4af194f9b", "ab1c5ed5da6d8118",
    "d807aa98a3030242", "12835b0145706fbe", "243185be4ee4b28c", "550c7dc3d5ffb4e2",
    "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235", "c19bf174cf692694",
    "e49b69c19ef14ad2", "efbe4786384f25e3", "0fc19dc68b8cd5b5", "240ca1cc77ac9c65",
    "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5",
    "983e5152ee66dfab", "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4",
    "c6e00bf33da88fc2", "d5a79147930aa725", "06ca6351e003826f", "142929670a0e6e70",
    "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed", "53380d139d95b3df",
    "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b",
    "a2bfe8a14cf10364", "a81a664bbc423001", "c24b8b70d0f89791", "c76c51a30654be30",
    "d192e819d6ef5218", "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8",
    "19a4c116b8d2d0c8", "1e376c085141ab53", "2748774cdf8eeb99", "34b0bcb5e19b48a8",
    "391c0cb3c5c95a63", "4ed8aa4ae3418acb", "5b9cca4f7763e373", "682e6ff3d6b2b8a3",
    "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
    "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b",
    "ca273eceea26619c", "d186b8c721c0c207", "eada7dd6cde0eb1e", "f57d4f7fee6ed178",
    "06f067aa72176fba", "0a637dc5a2c898a6", "113f9804bef90dae", "1b710b35131c471b",
    "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc", "431d67c49c100d4c",
    "4cc5d4becb3e42b6", "597f299cfc657e2a", "5fcb6fab3ad6faec", "6c44198c4a475817",
  ].map(x => BigInt("0x" + x));
  const IV512 = ["6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
                 "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179"];
  const IV384 = ["cbbb9d5dc1059ed8", "629a292a367cd507", "9159015a3070dd17", "152fecd8f70e5939",
                 "67332667ffc00b31", "8eb44a8768581511", "db0c2e0d64f98fa7", "47b5481dbefa4fa4"];
  const M64 = (1n << 64n) - 1n;
  const r64 = (x, n) => ((x >> n) | (x << (64n - n))) & M64;
  function sha512(bytes, is384) {
    const m = pad(bytes, 128, 16, false);
    const h = (is384 ? IV384 : IV512).map(x => BigInt("0x" + x));
    const s = new Array(80);
    for (let b = 0; b < m.length; b += 128) {
      for (let t = 0; t < 80; t++) {
        if (t < 16) {
          let v = 0n;
          for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(m[b + t * 8 + i]);
          s[t] = v;
        } else {
          const x = s[t - 15], y = s[t - 2];
          s[t] = (s[t - 16] + (r64(x, 1n) ^ r64(x, 8n) ^ (x >> 7n)) + s[t - 7] +
                  (r64(y, 19n) ^ r64(y, 61n) ^ (y >> 6n))) & M64;
        }
      }
      let [a, bb, c, d, e, f, g, hh] = h;
      for (let t = 0; t < 80; t++) {
        const t1 = (hh + (r64(e, 14n) ^ r64(e, 18n) ^ r64(e, 41n)) + ((e & f) ^ (~e & M64 & g)) +
                    K512[t] + s[t]) & M64;
        const t2 = ((r64(a, 28n) ^ r64(a, 34n) ^ r64(a, 39n)) +
                    ((a & bb) ^ (a & c) ^ (bb & c))) & M64;
        hh = g; g = f; f = e; e = (d + t1) & M64; d = c; c = bb; bb = a; a = (t1 + t2) & M64;
      }
      const v = [a, bb, c, d, e, f, g, hh];
      for (let i = 0; i < 8; i++) h[i] = (h[i] + v[i]) & M64;
    }
    const out = [];
    for (const x of h.slice(0, is384 ? 6 : 8)) {
      for (let i = 56n; i >= 0n; i -= 8n) out.push(Number((x >> i) & 255n));
    }
    return out;
  }

  const HASHES = {
    md5: [md5, 64], sha1: [sha1, 64], sha256: [sha256, 64],
    sha384: [b => sha512(b, true), 128], sha512: [b => sha512(b, false), 128],
  };
  function algorithm(name) {
    const key = String(name).toLowerCase().replace("-", "");
    if (!Object.prototype.hasOwnProperty.call(HASHES, key)) {
      throw new Error("Digest method not supported: " + name + " (the Code node's crypto has " +
                      "md5, sha1, sha256, sha384 and sha512)");
    }
    return HASHES[key];
  }
  function bytesOf(data, enc) {
    if (typeof data === "string") return Array.from(Buffer.from(data, enc || "utf8"));
    if (data instanceof ArrayBuffer) return Array.from(new Uint8Array(data));
    if (ArrayBuffer.isView(data)) {
      return Array.from(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
    if (Array.isArray(data)) return data.map(v => Number(v) & 255);
    throw new TypeError("The data to hash must be a string, a Buffer or a typed array");
  }
  function output(bytes, enc) {
    const b = Buffer.from(bytes);
    return enc === undefined ? b : b.toString(enc);
  }
  function hmac(alg, key, msg) {
    const [fn, block] = alg;
    let k = key.length > block ? fn(key) : key.slice();
    while (k.length < block) k.push(0);
    return fn(k.map(x => x ^ 0x5c).concat(fn(k.map(x => x ^ 0x36).concat(msg))));
  }
  class Digest {
    constructor(name, key) {
      this._alg = algorithm(name);
      this._key = key === undefined ? null : bytesOf(key);
      this._data = [];
      this._done = false;
    }
    update(data, enc) {
      if (this._done) throw new Error("Digest already called");
      for (const b of bytesOf(data, enc)) this._data.push(b);
      return this;
    }
    digest(enc) {
      if (this._done) throw new Error("Digest already called");
      this._done = true;
      const bytes = this._key === null ? this._alg[0](this._data)
        : hmac(this._alg, this._key, this._data);
      return output(bytes, enc);
    }
  }

  // HMAC-DRBG with SHA-256 (NIST SP 800-90A), seeded by the host for each run
  const SHA256 = HASHES.sha256;
  let K = new Array(32).fill(0), V = new Array(32).fill(1);
  function update(seed) {
    K = hmac(SHA256, K, V.concat([0], seed)); V = hmac(SHA256, K, V);
    if (seed.length) { K = hmac(SHA256, K, V.concat([1], seed)); V = hmac(SHA256, K, V); }
  }
  const seed = Array.from(Buffer.from(String(seedHex || ""), "hex"));
  if (seed.length < 32) throw new Error("crypto: the run has no random seed");
  update(seed);
  function random(n) {
    const out = [];
    while (out.length < n) { V = hmac(SHA256, K, V); for (const b of V) out.push(b); }
    update([]);
    return out.slice(0, n);
  }
  function randomBytes(size) {
    if (!Number.isInteger(size) || size < 0 || size > 65536) {
      throw new RangeError("randomBytes takes a size from 0 to 65536");
    }
    return Buffer.from(random(size));
  }
  function randomUUID() {
    const b = random(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Buffer.from(b).toString("hex");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" +
           h.slice(16, 20) + "-" + h.slice(20);
  }
  function timingSafeEqual(a, b) {
    const x = bytesOf(a), y = bytesOf(b);
    if (x.length !== y.length) throw new RangeError("Input buffers must have the same byte length");
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
    return diff === 0;
  }
  return Object.freeze({
    createHash: function (name) { return new Digest(name); },
    createHmac: function (name, key) {
      if (key === undefined || key === null) throw new TypeError("createHmac needs a key");
      return new Digest(name, key);
    },
    randomUUID: randomUUID,
    randomBytes: randomBytes,
    getHashes: function () { return Object.keys(HASHES); },
    timingSafeEqual: timingSafeEqual,
  });
})
"""
