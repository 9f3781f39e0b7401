/**
 * Hashing for the sandbox: pure-JS SHA-256 and HMAC from @noble/hashes, with hand-written UTF-8 and
 * base64url because RudderStack's isolate has no TextEncoder, btoa, Buffer or crypto.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does) */
export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else code = 0xfffd;
    } else if (code >= 0xdc00 && code <= 0xdfff) code = 0xfffd;
    if (code < 0x80) out.push(code);
    else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else
      out.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63),
      );
  }
  return Uint8Array.from(out);
}

/** the string the UTF-8 bytes encode; throws on malformed input */
export function decodeUtf8(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    let code: number;
    let extra: number;
    if (b < 0x80) [code, extra] = [b, 0];
    else if (b >= 0xc2 && b < 0xe0) [code, extra] = [b & 31, 1];
    else if (b >= 0xe0 && b < 0xf0) [code, extra] = [b & 15, 2];
    else if (b >= 0xf0 && b < 0xf5) [code, extra] = [b & 7, 3];
    else throw new Error("malformed UTF-8");
    for (let k = 1; k <= extra; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) throw new Error("malformed UTF-8");
      code = (code << 6) | (c & 63);
    }
    i += extra + 1;
    out += String.fromCodePoint(code);
  }
  return out;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** base64url without padding (RFC 4648 §5) */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] as number;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += B64URL[a >> 2];
    out += B64URL[((a & 3) << 4) | ((b ?? 0) >> 4)];
    if (b !== undefined) out += B64URL[((b & 15) << 2) | ((c ?? 0) >> 6)];
    if (c !== undefined) out += B64URL[c & 63];
  }
  return out;
}

/** bytes of an unpadded base64url string, or null when it is not one */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    const v = B64URL.indexOf(ch);
    if (v < 0) return null;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 255);
    }
  }
  return Uint8Array.from(out);
}

export function sha256Bytes(text: string): Uint8Array {
  return sha256(encodeUtf8(text));
}

export function hmacSha256(key: string, message: string): Uint8Array {
  return hmac(sha256, encodeUtf8(key), encodeUtf8(message));
}

/** a number in [0, 1) from the first 32 bits of SHA-256(text): uniform and stable across runtimes */
export function hashToUnit(text: string): number {
  const h = sha256Bytes(text);
  const n =
    (h[0] as number) * 2 ** 24 + (((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number));
  return n / 2 ** 32;
}

/** constant-time comparison of two byte arrays */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
