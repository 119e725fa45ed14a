/**
 * Protocols served over the ws transport's HTTP server, in place of Tauri's URI schemes:
 * `convertFileSrc(path, name)` in a Tauri page gives `<origin>/__ferry/protocol/<name>/<key>/<encoded path>`,
 * where `<key>` is the window's asset key (`assetKeyOf`, derived from its token; never the token
 * itself). `asset` is Tauri's asset protocol (./asset.ts); other names are the app's own
 * (`ServeOptions.protocols`, Tauri's `register_uri_scheme_protocol`): a web-standard `Request`
 * in, a `Response` out, with the calling window's label.
 *
 * Every request passes the Host allowlist (as every HTTP request does), an `Origin` header when
 * the browser sends one must be an allowed page origin (as the socket's), and the key must
 * belong to a live window: a revoked window's key is refused (403). Responses never leave a
 * referrer (the URL holds the key) and are never stored.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";

/** Where `convertFileSrc` URLs point: `/__ferry/protocol/<name>/<key>/<encoded path>`. */
export const PROTOCOL_PREFIX = "/__ferry/protocol/";

/** What a custom protocol's handler learns besides the request: the window that sent it. */
export interface ProtocolContext {
  /** The label of the window whose key the URL carries. */
  label: string;
}

/**
 * A custom protocol (Tauri's `register_uri_scheme_protocol`): gets the request as a
 * web-standard `Request` whose URL is Tauri's shape, `<name>://localhost/<encoded path>[?query]`
 * (so `decodeURIComponent(new URL(request.url).pathname.slice(1))` is the path the page passed
 * to `convertFileSrc`), and the calling window's label; returns a `Response`, whose body may
 * stream. Only `GET` and `HEAD` reach it. `rangeResponse` answers `Range` requests.
 *
 * @example
 * const protocols = {
 *   media: (request: Request, { label }: ProtocolContext) =>
 *     label === "main" ? new Response("hello", { headers: { "Content-Type": "text/plain" } }) : new Response(null, { status: 403 }),
 * };
 */
export type UriSchemeHandler = (request: Request, context: ProtocolContext) => Response | Promise<Response>;

/**
 * One `Range` header against a body of `size` bytes: `{ start, end }` (inclusive), `"unsatisfiable"`
 * (416), or undefined to send the whole body (no header, or one this does not take: several
 * ranges, another unit). Follows RFC 9110: `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 */
export function parseRange(header: string | null | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  if (header === undefined || header === null) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  if (start >= size) return "unsatisfiable";
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (end < start) return undefined; // invalid: ignored, as RFC 9110 allows
  return { start, end };
}

/** What `rangeResponse` serves: a body of known size, read a byte range at a time. */
export interface RangeSource {
  /** The whole body's length in bytes. */
  size: number;
  /** Its `Content-Type` (default `application/octet-stream`). */
  type?: string;
  /**
   * Bytes `start` to `end` (inclusive) of the body: bytes or a stream of them. Called at most
   * once, and not at all for `HEAD`, a 416 or an empty body.
   */
  read(start: number, end: number): Uint8Array | ReadableStream<Uint8Array>;
  /** Further response headers. */
  headers?: Record<string, string>;
}

/**
 * The response to `request` for `source`, honouring a `Range` header as media elements send it
 * (seeking): 206 with `Content-Range` for one satisfiable range, 416 with `Content-Range: bytes *\/size`
 * for an unsatisfiable one, 200 with the whole body otherwise; always `Accept-Ranges: bytes`.
 *
 * @example
 * const sound = new Uint8Array(1024);
 * const handler: UriSchemeHandler = (request) =>
 *   rangeResponse(request, { size: sound.length, type: "audio/wav", read: (start, end) => sound.subarray(start, end + 1) });
 */
export function rangeResponse(request: Request, source: RangeSource): Response {
  const { size } = source;
  const range = parseRange(request.headers.get("range"), size);
  const headers: Record<string, string> = {
    ...source.headers,
    "Content-Type": source.type ?? "application/octet-stream",
    "Accept-Ranges": "bytes",
  };
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${size}`, "Content-Length": "0" } });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  headers["Content-Length"] = String(length);
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
  const body = request.method === "HEAD" || length === 0 ? null : source.read(start, end);
  return new Response(body as BodyInit | null, { status: range ? 206 : 200, headers });
}

/** Sent with every protocol response. */
export const PROTOCOL_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "same-origin",
  // The URL carries the window's key: it must not leave in a Referer or sit in a cache.
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

/** A short text answer with the protocol headers. */
export function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...PROTOCOL_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Writes `response` to `res`, streaming its body; an abandoned request cancels the body. */
async function send(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  // One spelling (Headers' lower case) so the handler's own value replaces ours, not joins it.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(PROTOCOL_HEADERS)) headers[name.toLowerCase()] = value;
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  // The URL carries the window's key: these two are not the handler's to change.
  headers["referrer-policy"] = "no-referrer";
  headers["cache-control"] = "no-store";
  res.writeHead(response.status, headers);
  if (!response.body || req.method === "HEAD") {
    await response.body?.cancel();
    return void res.end();
  }
  const stream = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}

/** What `createProtocolHandler` needs from the transport. */
export interface ProtocolRouting {
  /** The protocols by name (`asset` included when enabled). */
  protocols: ReadonlyMap<string, UriSchemeHandler>;
  /** The label of the live window whose asset key this is, or undefined. */
  labelForKey(key: string): string | undefined;
  /** Whether a page origin may send requests (the socket's Origin allowlist). */
  originAllowed(origin: string): boolean;
  /** Where refusals and failures are reported (never with a key or token). */
  log(message: string): void;
}

/** A handler for requests under `PROTOCOL_PREFIX` (Host and method already checked). */
export type ProtocolRequestHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** Checks name, key and Origin, then hands the request to the protocol's handler. */
export function createProtocolHandler(routing: ProtocolRouting): ProtocolRequestHandler {
  return async (req, res, url) => {
    const [name = "", key = "", ...rest] = url.pathname.slice(PROTOCOL_PREFIX.length).split("/");
    const handler = routing.protocols.get(name);
    if (!handler) return plain(res, 404, `no protocol ${JSON.stringify(name)} is served\n`);
    const label = routing.labelForKey(key);
    if (label === undefined) {
      routing.log(`refused "${name}" protocol request: missing, unknown or revoked window key`);
      return plain(res, 403, "forbidden: no live window's key\n");
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !routing.originAllowed(origin)) {
      routing.log(`refused "${name}" protocol request: Origin ${JSON.stringify(origin)} is not allowed`);
      return plain(res, 403, "forbidden origin\n");
    }
    const headers = new Headers();
    for (const [h, v] of Object.entries(req.headers)) {
      if (v !== undefined && !h.startsWith(":")) headers.set(h, Array.isArray(v) ? v.join(", ") : v);
    }
    const request = new Request(`${name}://localhost/${rest.join("/")}${url.search}`, { method: req.method ?? "GET", headers });
    let response: Response;
    try {
      response = await handler(request, { label });
      if (!(response instanceof Response)) throw new TypeError("the handler did not return a Response");
    } catch (err) {
      routing.log(`"${name}" protocol handler failed for window "${label}": ${(err as Error)?.message ?? String(err)}`);
      return plain(res, 500, "internal error\n");
    }
    await send(req, res, response);
  };
}

/** Checks a custom protocol's name: a URI scheme (RFC 3986) in lower case, not one ferry serves itself. */
export function checkProtocolName(name: string): void {
  if (!/^[a-z][a-z0-9+.-]{0,62}$/.test(name)) {
    throw new TypeError(`protocols: ${JSON.stringify(name)} is not a lower-case URI scheme name (e.g. "stream")`);
  }
  if (name === "asset") throw new TypeError('protocols: "asset" is Tauri\'s asset protocol; configure it with `assetProtocol`');
}
