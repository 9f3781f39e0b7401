/**
 * The fingerprint of a checked journey. `cartback transformation journey` checks a journey file and
 * stamps it into the paste bundle with this fingerprint; the bundle plans only a journey whose
 * fingerprint still matches, so it can skip the schema (and its 40 KB) at run time. It guards against
 * a journey edited by hand after the check, not against someone who recomputes it on purpose.
 */
import { encodeBase64Url, sha256Bytes } from "./hash.js";

/** `sha256-<base64url>` of the journey's JSON text */
export function journeyChecksum(journey: unknown): string {
  return `sha256-${encodeBase64Url(sha256Bytes(JSON.stringify(journey) ?? "undefined"))}`;
}
