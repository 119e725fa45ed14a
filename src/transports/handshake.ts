/**
 * The handshake rules of the ws transport, shared by server and clients: the token rides
 * in the WebSocket subprotocol list (never in the URL, never in process arguments).
 */

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The WebSocket subprotocol ferry speaks; the server selects it whenever the page offers it. */
export const PROTOCOL = "ferry.v1";
const TOKEN_PREFIX = "ferry.token.";

/**
 * Close codes of the handshake (docs/errors.md): a missing, unknown or revoked token is
 * accepted and closed at once with 4401, so the page can tell it from a server that is
 * down; a live connection whose token the app revokes is closed with 4403.
 */
export const TokenCloseCode = {
  /** The upgrade carried no token, or one this server does not know (revoked, or from an earlier run). */
  unknownToken: 4401,
  /** The app revoked the window's token while this connection was open. */
  revoked: 4403,
  /** The window already has `limits.connectionsPerWindow` open connections. */
  tooManyConnections: 4429,
} as const;

/** The subprotocol list a page offers: the protocol, then its token. */
export function tokenProtocols(token: string): string[] {
  return [PROTOCOL, `${TOKEN_PREFIX}${token}`];
}

/** A fresh window token: 256 random bits, hex. */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

/** Pulls the token out of a `Sec-WebSocket-Protocol` header, if the page offered one. */
export function tokenFromProtocols(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const offered = header.split(",").map((p) => p.trim());
  if (!offered.includes(PROTOCOL)) return undefined;
  return offered.find((p) => p.startsWith(TOKEN_PREFIX))?.slice(TOKEN_PREFIX.length);
}

/**
 * The asset key of a window token, as the page's bridge derives it (src/client/asset-key.ts):
 * the first 128 bits of SHA-256("ferry-asset\0" + token), hex. Protocol URLs carry it in place
 * of the token; it grants protocol reads for that window and nothing else.
 */
export function assetKeyOf(token: string): string {
  return createHash("sha256").update(`ferry-asset\0${token}`).digest("hex").slice(0, 32);
}

/** Token → window label, compared in constant time over a digest; and asset key → label. */
export class TokenTable {
  private readonly byDigest = new Map<string, { digest: Buffer; label: string }>();
  private readonly byAssetKey = new Map<string, string>();

  /** Binds `token` to `label`. */
  add(label: string, token: string): void {
    if (!/^[0-9a-f]{32,}$/.test(token)) throw new TypeError("a window token must be at least 128 bits of hex");
    const digest = createHash("sha256").update(token).digest();
    this.byDigest.set(digest.toString("hex"), { digest, label });
    this.byAssetKey.set(assetKeyOf(token), label);
  }

  /** The label whose live token `key` was derived from (`assetKeyOf`), or undefined. */
  labelForAssetKey(key: string | undefined): string | undefined {
    return key && /^[0-9a-f]{32}$/.test(key) ? this.byAssetKey.get(key) : undefined;
  }

  /** The label bound to `token`, or undefined. */
  labelFor(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const digest = createHash("sha256").update(token).digest();
    const entry = this.byDigest.get(digest.toString("hex"));
    return entry && timingSafeEqual(entry.digest, digest) ? entry.label : undefined;
  }

  /** Forgets every token bound to `label`: they authenticate nothing from now on. */
  revoke(label: string): void {
    for (const [key, entry] of this.byDigest) if (entry.label === label) this.byDigest.delete(key);
    for (const [key, owner] of this.byAssetKey) if (owner === label) this.byAssetKey.delete(key);
  }
}
