/**
 * Credentials from request headers, read without the body: the write key RudderStack SDKs send as the
 * Basic-auth user, and the report key (Basic password or Bearer token). Web-standard only.
 */
import { HttpError } from "./http-error.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** the decoded `user:password` of a Basic header, or null when it does not decode */
function basicText(value: string): string | null {
  try {
    const binary = atob(value.trim());
    return decoder.decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** the Basic-auth user name, which RudderStack SDKs set to the write key */
export function basicUser(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header?.slice(0, 6).toLowerCase() !== "basic ") return null;
  const decoded = basicText(header.slice(6));
  if (decoded === null) return null;
  const colon = decoded.indexOf(":");
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

/** a key given as the Basic password (any user name) or as a Bearer token */
export function passwordOrBearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header) return null;
  const [scheme, value = ""] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === "bearer") return value;
  if (scheme?.toLowerCase() !== "basic") return null;
  // the password; a value without a colon is taken whole
  const decoded = basicText(value);
  return decoded === null ? null : decoded.slice(decoded.indexOf(":") + 1);
}

/** compares two secrets in time that depends on their lengths only */
export function sameText(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

/** throws 401 unless the request carries `writeKey` as its Basic user; null accepts any (emulator mode) */
export function requireWriteKey(request: Request, writeKey: string | null): void {
  if (writeKey === null) return;
  const given = basicUser(request);
  if (given === null || !sameText(given, writeKey))
    throw new HttpError(401, "unauthorized: send the write key as the Basic-auth user", {
      "www-authenticate": 'Basic realm="cartback"',
    });
}
