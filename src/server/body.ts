/**
 * Reads a request body within a size limit, gunzipping when the client says so, with web-standard
 * streams only (so the handler runs on any runtime). The limit applies to the bytes on the wire and
 * again to the decompressed bytes, so a small gzip bomb is refused too.
 */
import { HttpError } from "./http-error.js";

/** a JSON response */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** what a 413 says: the body on the wire is over `limit` */
export function tooLargeMessage(limit: number): string {
  return `the body is larger than the limit of ${limit} bytes`;
}

/** every chunk of `stream` in one array; `onOverLimit` past `limit` bytes (the stream is cancelled) */
async function collect(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  overLimit: () => HttpError,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw overLimit();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole;
}

/** the raw body bytes, decompressed; throws HttpError 413 past `limit`, 415 for an unknown encoding */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw new HttpError(413, `the body is ${declared} bytes; the limit is ${limit}`);
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "" && encoding !== "gzip")
    throw new HttpError(415, `unsupported Content-Encoding "${encoding}"; send gzip or none`);
  if (!request.body) return new Uint8Array(0);
  const raw = await collect(request.body, limit, () => new HttpError(413, tooLargeMessage(limit)));
  if (encoding !== "gzip") return raw;
  const inflated = new Blob([raw as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream("gzip"));
  try {
    return await collect(
      inflated,
      limit,
      () => new HttpError(413, `${tooLargeMessage(limit)} once decompressed`),
    );
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, "the body says Content-Encoding: gzip but is not valid gzip");
  }
}

const utf8 = new TextDecoder();

/** parses JSON bytes; throws HttpError 400 naming the problem */
export function parseJsonBody(bytes: Uint8Array): unknown {
  const text = utf8.decode(bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}
