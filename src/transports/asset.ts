/**
 * Tauri's asset protocol over the ws transport's HTTP server: `convertFileSrc(path)` in a
 * Tauri page gives `<origin>/__ferry/protocol/asset/<path>?ferry-token=<window token>`, and
 * this serves that file when `app.security.assetProtocol` is enabled and its scope allows the
 * path, with `Range` requests (206 and `Content-Range`) for media seeking.
 *
 * Every request passes the same Host allowlist as the socket and must carry a live window token
 * (a URL without one, or with a revoked one, is a 403): loopback is shared by every user of the
 * machine, so knowing the port is not enough. Paths are checked as the fs plugin checks them
 * (real path inside the scope, no `..`, deny entries win, links resolved before the check) and
 * opened as it opens them (regular files only, never waiting on a FIFO).
 */

import { constants } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname } from "node:path";
import { FerryError } from "../protocol/errors.ts";
import { NotARegularFile, openRegularFile } from "../plugins/fs-verify.ts";
import { defaultPathVariables, PathScope, resolveScopedPath, type PathVariables } from "../acl/paths.ts";

/** Where `convertFileSrc` URLs point: `/__ferry/protocol/<name>/<encoded path>`. */
export const PROTOCOL_PREFIX = "/__ferry/protocol/";

/** The query parameter carrying the window token on protocol URLs. */
export const PROTOCOL_TOKEN_PARAM = "ferry-token";

/**
 * `serveWs`'s `assetProtocol` option: `app.security.assetProtocol` from the app config, and
 * the app's identifier, which names its folders (`$APPDATA` …) in the scope.
 */
export interface AssetProtocolOptions {
  /** Serve the asset protocol (default false, as in Tauri). */
  enable?: boolean;
  /** Path patterns with Tauri's variables (`$APPDATA/**`), a list or `{ allow, deny }`. */
  scope: string[] | { allow: string[]; deny: string[]; requireLiteralLeadingDot?: boolean };
  /** The app's identifier (`config.identifier`), for the scope's variables. */
  identifier: string;
  /** Overrides for the scope's variables (names without `$`), e.g. in tests. */
  variables?: PathVariables;
}

const MEDIA: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".bmp": "image/bmp",
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".webm": "video/webm",
  ".ogv": "video/ogg",
  ".mov": "video/quicktime",
  ".mp3": "audio/mpeg",
  ".m4a": "audio/mp4",
  ".wav": "audio/wav",
  ".ogg": "audio/ogg",
  ".oga": "audio/ogg",
  ".opus": "audio/ogg",
  ".flac": "audio/flac",
  ".pdf": "application/pdf",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".ttf": "font/ttf",
};

/** The `Content-Type` for a file name (`application/octet-stream` when unknown). */
export const mediaType = (file: string): string => MEDIA[extname(file).toLowerCase()] ?? "application/octet-stream";

/**
 * One `Range` header against a file of `size` bytes: `{ start, end }` (inclusive), `"unsatisfiable"`
 * (416), or undefined to send the whole file (no header, or one this does not take: several
 * ranges, another unit). Follows RFC 9110: `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
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

const HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** A handler for requests under `PROTOCOL_PREFIX`; `labelFor` maps a window token to its label. */
export type ProtocolHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * Serves `/__ferry/protocol/asset/…` within `options.scope`, or refuses every protocol
 * request (404) when the asset protocol is not enabled. Other protocol names are 404.
 */
export function createProtocolHandler(
  options: AssetProtocolOptions | undefined,
  labelFor: (token: string | undefined) => string | undefined,
  log: (message: string) => void,
): ProtocolHandler {
  const enabled = options?.enable === true;
  const variables: PathVariables = enabled ? { ...defaultPathVariables({ identifier: options.identifier }), ...options.variables } : {};
  const raw = options?.scope ?? [];
  const scope = enabled
    ? PathScope.compile(Array.isArray(raw) ? { allow: raw, deny: [] } : { allow: raw.allow, deny: raw.deny }, variables)
    : undefined;

  return async (req, res, url) => {
    const rest = url.pathname.slice(PROTOCOL_PREFIX.length);
    const slash = rest.indexOf("/");
    const name = slash < 0 ? rest : rest.slice(0, slash);
    if (name !== "asset" || !scope) return plain(res, 404, `no protocol ${JSON.stringify(name)} is served\n`);
    const label = labelFor(url.searchParams.get(PROTOCOL_TOKEN_PARAM) ?? undefined);
    if (label === undefined) {
      log("refused asset request: missing, unknown or revoked window token");
      return plain(res, 403, "forbidden: no valid window token\n");
    }
    let path: string;
    try {
      path = decodeURIComponent(rest.slice(slash + 1));
    } catch {
      return plain(res, 400, "bad path\n");
    }
    let real: string;
    try {
      real = await resolveScopedPath({ path, followLeaf: true }, await scope, variables);
    } catch (err) {
      if (err instanceof FerryError && (err.kind === "permission_denied" || err.kind === "invalid_args")) {
        log(`refused asset request from window "${label}": ${err.message}`);
        return plain(res, 403, "forbidden: outside the asset protocol's scope\n");
      }
      throw err;
    }
    let handle;
    try {
      handle = await openRegularFile(real, constants.O_RDONLY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof NotARegularFile || code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP")
        return plain(res, 404, "not found\n");
      if (err instanceof FerryError) return plain(res, 403, "forbidden: outside the asset protocol's scope\n");
      throw err;
    }
    let streaming = false;
    try {
      const size = (await handle.stat()).size;
      const range = parseRange(req.headers.range, size);
      const head = { ...HEADERS, "Content-Type": mediaType(real), "Accept-Ranges": "bytes" };
      if (range === "unsatisfiable") {
        res.writeHead(416, { ...head, "Content-Range": `bytes */${size}`, "Content-Length": 0 });
        return void res.end();
      }
      const { start, end } = range ?? { start: 0, end: size - 1 };
      const length = size === 0 ? 0 : end - start + 1;
      res.writeHead(range ? 206 : 200, {
        ...head,
        "Content-Length": length,
        ...(range ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
      });
      if (req.method === "HEAD" || length === 0) return void res.end();
      // The stream owns the handle from here: it closes it when done, failed or abandoned.
      const stream = handle.createReadStream({ start, end, autoClose: true });
      streaming = true;
      stream.on("error", () => res.destroy());
      res.on("close", () => stream.destroy());
      stream.pipe(res);
    } finally {
      if (!streaming) await handle.close();
    }
  };
}
