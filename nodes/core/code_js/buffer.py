"""A small ``Buffer`` for code written for Node.js (n8n and Node-RED code use it for base64).

Plain ECMAScript (no Node.js APIs) inside the sandbox: ``Buffer.from(text | array |
buffer, encoding)``, ``buf.toString(encoding)``, ``Buffer.byteLength``,
``Buffer.concat``, ``Buffer.isBuffer``, ``Buffer.alloc``; encodings ``utf8``,
``base64``, ``base64url``, ``hex``, ``latin1``/``binary`` and ``ascii``. Drivers pass
it to the user's function as the parameter ``Buffer``.
"""

from __future__ import annotations

__all__ = ["BUFFER_JS"]

BUFFER_JS = r"""
(function () {
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function utf8(text) {
    const out = [];
    for (const ch of text) {
      let c = ch.codePointAt(0);
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63),
                    0x80 | (c & 63));
    }
    return out;
  }
  function fromUtf8(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      let c = 0xfffd, n = 1;
      if (b < 0x80) c = b;
      else if (b >= 0xc0 && b < 0xe0 && i + 1 < bytes.length) {
        c = ((b & 31) << 6) | (bytes[i + 1] & 63); n = 2;
      } else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length) {
        c = ((b & 15) << 12) | ((bytes[i + 1] & 63) << 6) | (bytes[i + 2] & 63); n = 3;
      } else if (b >= 0xf0 && i + 3 < bytes.length) {
        c = ((b & 7) << 18) | ((bytes[i + 1] & 63) << 12) | ((bytes[i + 2] & 63) << 6) |
            (bytes[i + 3] & 63); n = 4;
      }
      s += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
      i += n;
    }
    return s;
  }
  function fromBase64(text) {
    const clean = String(text).replace(/-/g, "+").replace(/_/g, "/")
      .replace(/[^A-Za-z0-9+/]/g, "");
    const out = [];
    let bits = 0, value = 0;
    for (const ch of clean) {
      value = (value << 6) | B64.indexOf(ch);
      bits += 6;
      if (bits >= 8) { bits -= 8; out.push((value >> bits) & 255); }
    }
    return out;
  }
  function toBase64(bytes, url) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
      s += i + 1 < bytes.length ? B64[(n >> 6) & 63] : (url ? "" : "=");
      s += i + 2 < bytes.length ? B64[n & 63] : (url ? "" : "=");
    }
    return url ? s.replace(/\+/g, "-").replace(/\//g, "_") : s;
  }
  function encode(text, enc) {
    switch (String(enc || "utf8").toLowerCase()) {
      case "utf8": case "utf-8": return utf8(text);
      case "base64": case "base64url": return fromBase64(text);
      case "hex": {
        const out = [];
        for (let i = 0; i + 1 < text.length; i += 2) {
          const b = parseInt(text.slice(i, i + 2), 16);
          if (Number.isNaN(b)) break;
          out.push(b);
        }
        return out;
      }
      case "latin1": case "binary": case "ascii":
        return Array.from(text, ch => ch.charCodeAt(0) & 255);
      default: throw new TypeError("Unknown encoding: " + enc);
    }
  }
  class Buffer extends Uint8Array {
    static from(value, enc) {
      if (typeof value === "string") return new Buffer(encode(value, enc));
      if (value instanceof ArrayBuffer) return new Buffer(new Uint8Array(value));
      if (value && value.type === "Buffer" && Array.isArray(value.data)) {
        return new Buffer(value.data);
      }
      return new Buffer(Array.from(value || [], v => Number(v) & 255));
    }
    static alloc(size, fill) { const b = new Buffer(size); if (fill) b.fill(fill); return b; }
    static isBuffer(value) { return value instanceof Buffer; }
    static byteLength(value, enc) {
      return typeof value === "string" ? encode(value, enc).length : value.length;
    }
    static concat(list) {
      const out = [];
      for (const b of list) for (const x of b) out.push(x);
      return new Buffer(out);
    }
    toString(enc, start, end) {
      const bytes = Array.from(this.subarray(start || 0, end === undefined ? this.length : end));
      switch (String(enc || "utf8").toLowerCase()) {
        case "utf8": case "utf-8": return fromUtf8(bytes);
        case "base64": return toBase64(bytes, false);
        case "base64url": return toBase64(bytes, true);
        case "hex": return bytes.map(b => (b < 16 ? "0" : "") + b.toString(16)).join("");
        case "latin1": case "binary": return bytes.map(b => String.fromCharCode(b)).join("");
        case "ascii": return bytes.map(b => String.fromCharCode(b & 127)).join("");
        default: throw new TypeError("Unknown encoding: " + enc);
      }
    }
    toJSON() { return {type: "Buffer", data: Array.from(this)}; }
    equals(other) { return this.length === other.length && this.every((b, i) => b === other[i]); }
  }
  return Buffer;
})()
"""
