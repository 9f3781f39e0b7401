/**
 * The one place that points a `twilio` SDK http client at another base URL (a local emulator, a
 * proxy): the SDK's base is fixed at `https://api.twilio.com`, so each request's origin is rewritten
 * and the rest of the request left untouched. Used by the Twilio destination and the emulators' SDK
 * client; it needs only the client instance, not the SDK.
 */

interface RequestClientLike {
  request(opts: { uri: string }): unknown;
}

/**
 * Makes `client` send every request to `baseUrl` (its origin and any path prefix) instead of Twilio's
 * own host; returns it unchanged when `baseUrl` is not given.
 * @example withBaseUrl(new twilio.RequestClient(), "http://127.0.0.1:4020")
 */
export function withBaseUrl<C extends RequestClientLike>(client: C, baseUrl: string | undefined): C {
  if (!baseUrl) return client;
  const base = baseUrl.replace(/\/+$/, "");
  const send = client.request.bind(client);
  client.request = ((opts: { uri: string }) =>
    send({ ...opts, uri: opts.uri.replace(/^https?:\/\/[^/]+/, base) })) as C["request"];
  return client;
}
