/**
 * A `twilio` SDK http client that sends every request to a local emulator instead of api.twilio.com.
 * The SDK's base URL is fixed, so this rewrites each request's origin and leaves the rest untouched.
 */
import { createRequire } from "node:module";
import type Twilio from "twilio";

type RequestClient = InstanceType<typeof Twilio.RequestClient>;
type RequestClientOptions = NonNullable<ConstructorParameters<typeof Twilio.RequestClient>[0]>;

const require = createRequire(import.meta.url);

/**
 * Builds a `twilio.RequestClient` aimed at `baseUrl`; options (`autoRetry`, `timeout`, …) go to it.
 * Loads `twilio` only when called, so importing the emulators needs no Twilio SDK.
 * @example twilio(sid, token, { httpClient: emulatorHttpClient(emulators.urls.twilio) })
 */
export function emulatorHttpClient(baseUrl: string, options: RequestClientOptions = {}): RequestClient {
  const twilio = require("twilio") as typeof Twilio;
  const target = new URL(baseUrl);
  const client = new twilio.RequestClient(options);
  const send = client.request.bind(client);
  client.request = ((opts: Parameters<RequestClient["request"]>[0]) => {
    const uri = new URL(opts.uri);
    uri.protocol = target.protocol;
    uri.host = target.host;
    return send({ ...opts, uri: uri.toString() });
  }) as RequestClient["request"];
  return client;
}
