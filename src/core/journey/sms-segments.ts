/**
 * SMS encoding and segment counting as carriers do it: GSM-7 when every character is in the GSM 03.38
 * alphabet (extension characters cost two septets), UCS-2 otherwise (UTF-16 code units).
 */

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "^{}\\[~]|€\f";

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SmsSegmentInfo {
  encoding: SmsEncoding;
  /** septets for GSM-7, UTF-16 code units for UCS-2 */
  units: number;
  segments: number;
}

/** the encoding and number of segments a carrier bills for this body */
export function countSmsSegments(body: string): SmsSegmentInfo {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (BASIC.has(ch)) septets += 1;
    else if (EXTENSION.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) {
    return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  const units = body.length;
  return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
