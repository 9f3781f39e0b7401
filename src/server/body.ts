/**
 * Reads a request body within a size limit, gunzipping when the client says so. The limit applies to
 * the bytes on the wire and again to the decompressed bytes, so a small gzip bomb is refused too.
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { HttpError } from "./http-error.js";

const gunzipAsync = promisify(gunzip);

/**
 * Bodies already in memory, for requests and responses that cartback itself builds in the same
 * process: the Node adapter holds each request body it buffered, and `jsonResponse` its text. Reading
 * them back through the web stream machinery costs more than the rest of a small request; a body not
 * listed here is read from its stream as usual.
 */
const requestBodies = new WeakMap<Request, Uint8Array>();
const responseTexts = new WeakMap<Response, string>();

/** records the body `request` was built with (the bytes on the wire, before any decompression) */
export function holdRequestBody(request: Request, bytes: Uint8Array): Request {
  requestBodies.set(request, bytes);
  return request;
}

/** a JSON response whose text the Node adapter can write without reading the body stream */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body);
  const response = new Response(text, {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
  responseTexts.set(response, text);
  return response;
}

/** the text a response was built with by `jsonResponse`, when its body was not read since */
export function heldResponseText(response: Response): string | undefined {
  return response.bodyUsed ? undefined : responseTexts.get(response);
}

/** what a 413 says: the body on the wire is over `limit` */
export function tooLargeMessage(limit: number): string {
  return `the body is larger than the limit of ${limit} bytes`;
}

/** the raw body bytes, decompressed; throws HttpError 413 past `limit`, 415 for an unknown encoding */
export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw new HttpError(413, `the body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const held = request.bodyUsed ? undefined : requestBodies.get(request);
  if (held !== undefined) {
    if (held.byteLength > limit) throw new HttpError(413, tooLargeMessage(limit));
    chunks.push(held);
    size = held.byteLength;
  } else if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new HttpError(413, tooLargeMessage(limit));
      }
      chunks.push(value);
    }
  }
  const raw = Buffer.concat(chunks);
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return raw;
  if (encoding !== "gzip")
    throw new HttpError(415, `unsupported Content-Encoding "${encoding}"; send gzip or none`);
  try {
    return await gunzipAsync(raw, { maxOutputLength: limit });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE")
      throw new HttpError(413, `${tooLargeMessage(limit)} once decompressed`);
    throw new HttpError(400, "the body says Content-Encoding: gzip but is not valid gzip");
  }
}

/** parses JSON bytes; throws HttpError 400 naming the problem */
export function parseJsonBody(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}
