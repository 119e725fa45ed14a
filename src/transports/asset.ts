/**
 * Tauri's asset protocol over the ws transport's HTTP server: `convertFileSrc(path)` in a
 * Tauri page gives `<origin>/__ferry/protocol/asset/<window key>/<path>`, and this serves that
 * file when `app.security.assetProtocol` is enabled and its scope allows the path, with `Range`
 * requests (206 and `Content-Range`) for media seeking.
 *
 * The routing in ./protocol.ts checks Host, Origin and the window key (derived from a live
 * window's token) first: loopback is shared by every user of the machine, so knowing the port
 * is not enough. Paths are checked as the fs plugin checks them
 * (real path inside the scope, no `..`, deny entries win, links resolved before the check) and
 * opened as it opens them (regular files only, never waiting on a FIFO).
 */

import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { extname } from "node:path";
import { Readable } from "node:stream";
import { rangeResponse, type UriSchemeHandler } from "./protocol.ts";
import { FerryError } from "../protocol/errors.ts";
import { NotARegularFile, openRegularFile } from "../plugins/fs-verify.ts";
import { defaultPathVariables, PathScope, resolveScopedPath, type PathVariables } from "../acl/paths.ts";

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
  /**
   * The labels of the windows that may read through it (default: every window, as in Tauri).
   * Another window's requests are refused (403).
   */
  windows?: string[];
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
 * Tauri's asset protocol as a protocol handler, or undefined when `options` does not enable it.
 * Paths outside the scope are 403, missing files and folders 404; the file streams from an
 * open handle, a byte range at a time (`rangeResponse`).
 */
export function createAssetProtocol(
  options: AssetProtocolOptions | undefined,
  log: (message: string) => void,
): UriSchemeHandler | undefined {
  if (options?.enable !== true) return undefined;
  const variables: PathVariables = { ...defaultPathVariables({ identifier: options.identifier }), ...options.variables };
  const raw = options.scope;
  const scope = PathScope.compile(Array.isArray(raw) ? { allow: raw, deny: [] } : { allow: raw.allow, deny: raw.deny }, variables);
  const windows = options.windows === undefined ? undefined : new Set(options.windows);
  const refuse = (status: number, text: string) => new Response(text, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

  return async (request, { label }) => {
    if (windows && !windows.has(label)) {
      log(`refused asset request from window "${label}": not one of assetProtocol.windows`);
      return refuse(403, "forbidden: this window has no asset scope\n");
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url).pathname.slice(1));
    } catch {
      return refuse(400, "bad path\n");
    }
    let real: string;
    try {
      real = await resolveScopedPath({ path, followLeaf: true }, await scope, variables);
    } catch (err) {
      if (err instanceof FerryError && (err.kind === "permission_denied" || err.kind === "invalid_args")) {
        log(`refused asset request from window "${label}": ${err.message}`);
        return refuse(403, "forbidden: outside the asset protocol's scope\n");
      }
      throw err;
    }
    let handle: FileHandle;
    try {
      handle = await openRegularFile(real, constants.O_RDONLY);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (err instanceof NotARegularFile || code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP") return refuse(404, "not found\n");
      if (err instanceof FerryError) return refuse(403, "forbidden: outside the asset protocol's scope\n");
      throw err;
    }
    let reading = false;
    try {
      const size = (await handle.stat()).size;
      return rangeResponse(request, {
        size,
        type: mediaType(real),
        read(start, end) {
          // The stream owns the handle from here: it closes it when done, failed or cancelled.
          reading = true;
          return Readable.toWeb(handle.createReadStream({ start, end, autoClose: true })) as unknown as ReadableStream<Uint8Array>;
        },
      });
    } finally {
      if (!reading) await handle.close();
    }
  };
}
