/**
 * `GET /r/<token>`: a checkout link from a message. The token is verified, the click recorded, and the
 * shopper redirected to the cart's restore URL — only when it is an http(s) URL on one of the shop's
 * own hosts; anything else (another domain, `javascript:`, `data:`, a protocol-relative or malformed
 * URL) sends the shopper to the shop's URL instead, so the links cannot serve as an open redirector.
 */
import { linkClickEvent, verifyCheckoutToken } from "../core/journey/index.js";
import type { HandlerConfig, RouteContext, RouteHandler } from "./context.js";
import { HttpError } from "./http-error.js";
import { friendlyPage } from "./pages.js";

/** the hosts `config` lets links redirect to: the setting, else the fallback URL's host, else none */
export function allowedRedirectHosts(links: HandlerConfig["links"]): readonly string[] | "any" {
  if (links.allowedHosts !== undefined) return links.allowedHosts;
  if (!links.fallbackUrl) return [];
  try {
    return [new URL(links.fallbackUrl).hostname];
  } catch {
    return [];
  }
}

/**
 * `raw` as a safe `Location`, or null: an absolute http(s) URL without credentials or control
 * characters whose host is one of `hosts` or a subdomain of one
 */
export function redirectTarget(raw: string, hosts: readonly string[] | "any"): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(raw) || !/^https?:\/\/[^/\\]/i.test(raw)) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) return null;
  if (hosts === "any") return url.href;
  const host = url.hostname.toLowerCase();
  const allowed = hosts.some((entry) => {
    const name = entry.toLowerCase();
    return host === name || host.endsWith(`.${name}`);
  });
  return allowed ? url.href : null;
}

export function createLinkRoutes({ engine, store, config, logger, now }: RouteContext): RouteHandler {
  const shop = config.links.fallbackUrl;
  const hosts = allowedRedirectHosts(config.links);
  return async (request, _route, path) => {
    if (request.method !== "GET") throw new HttpError(405, "use GET", { allow: "GET" });
    const token = path.slice("/r/".length);
    if (!config.links.secret)
      return friendlyPage(404, "Link not available", "This shop does not use checkout links.", shop);
    const at = now();
    const verified = verifyCheckoutToken(token, config.links.secret, at);
    if (!verified.success) {
      const expired = verified.error.some((i) => i.path.includes("expiresAt"));
      logger.info({ reason: verified.error[0]?.message }, "checkout link refused");
      return expired
        ? friendlyPage(
            410,
            "This link has expired",
            "The link to your cart is no longer valid. Your cart may still be waiting in the shop.",
            shop,
          )
        : friendlyPage(
            400,
            "This link is not valid",
            "The link to your cart looks incomplete or altered. Please open the shop directly.",
            shop,
          );
    }
    const link = verified.data;
    const stored = await store.load(link.profileId);
    const cart = stored?.profile.carts.find((c) => c.id === link.cartId || c.refs.includes(link.cartId));
    if (stored) await engine.ingestEvents([linkClickEvent(link, stored.profile, at)]);
    let target = shop;
    if (cart?.checkoutUrl) {
      const checked = redirectTarget(cart.checkoutUrl, hosts);
      if (checked) target = checked;
      else logger.warn({ cartId: link.cartId }, "checkout link: the cart's URL is not on the shop's hosts");
    }
    if (!target)
      return cart
        ? friendlyPage(
            404,
            "Cart not available",
            "We could not open this cart. Please open the shop directly.",
            null,
          )
        : friendlyPage(404, "Cart not found", "We could not find this cart any more.", null);
    return new Response(null, { status: 302, headers: { location: target, "cache-control": "no-store" } });
  };
}
