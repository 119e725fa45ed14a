/**
 * The handshake rules of the ws transport, shared by server and clients: the token rides
 * in the WebSocket subprotocol list (never in the URL, never in process arguments).
 */

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The WebSocket subprotocol ferry speaks; the server selects it on every accepted upgrade. */
export const PROTOCOL = "ferry.v1";
const TOKEN_PREFIX = "ferry.token.";

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

/** Token → window label, compared in constant time over a digest. */
export class TokenTable {
  private readonly byDigest = new Map<string, { digest: Buffer; label: string }>();

  add(label: string, token: string): void {
    if (!/^[0-9a-f]{32,}$/.test(token)) throw new TypeError("a window token must be at least 128 bits of hex");
    const digest = createHash("sha256").update(token).digest();
    this.byDigest.set(digest.toString("hex"), { digest, label });
  }

  /** The label bound to `token`, or undefined. */
  labelFor(token: string | undefined): string | undefined {
    if (!token) return undefined;
    const digest = createHash("sha256").update(token).digest();
    const entry = this.byDigest.get(digest.toString("hex"));
    return entry && timingSafeEqual(entry.digest, digest) ? entry.label : undefined;
  }
}
