/**
 * A `twilio` SDK http client that sends every request to a local emulator instead of api.twilio.com.
 * The SDK's base URL is fixed, so each request's origin is rewritten (by the same `withBaseUrl` the
 * Twilio destination uses) and the rest left untouched.
 */
import { createRequire } from "node:module";
import type Twilio from "twilio";
import { withBaseUrl } from "../destinations/twilio-http.js";

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
  return withBaseUrl(new twilio.RequestClient(options), baseUrl);
}
