/**
 * The HTTP side of the ws transport: the app's frontend files and the client module.
 * Every request passes the same Host allowlist as the socket, and every response says
 * who may frame it (`frame-ancestors`).
 */

import { constants } from "node:fs";
import { stat, realpath } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import type { transform } from "esbuild";
import { CLIENT_JS, DEV_JS, INSPECTOR_JS, TAURI_JS, UPLOAD_JS } from "./browser-modules.generated.ts";
import { INSPECTOR_CSP, INSPECTOR_HTML } from "./inspector-page.ts";
import { FerryError } from "../protocol/errors.ts";
import { NotARegularFile, openRegularFile } from "../plugins/fs-verify.ts";
import { PROTOCOL_PREFIX, type ProtocolRequestHandler } from "./protocol.ts";

type Esbuild = { transform: typeof transform };

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".ts": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

const transformed = new Map<string, { mtimeMs: number; code: string }>();

/** Thrown when a `.ts` page is requested and esbuild (an optional peer dependency) is not installed. */
class MissingEsbuild extends Error {}

async function loadEsbuild(): Promise<Esbuild> {
  try {
    return await import("esbuild");
  } catch {
    throw new MissingEsbuild("serving .ts files needs esbuild, an optional peer dependency of ferry: npm install --save-dev esbuild");
  }
}

async function transformTs(file: string, source: string, mtimeMs: number): Promise<string> {
  const hit = transformed.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.code;
  const { transform } = await loadEsbuild();
  const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2020", sourcefile: file });
  transformed.set(file, { mtimeMs, code });
  return code;
}

/**
 * The bytes and mtime of the regular file at `real`, or undefined when it is anything else
 * or gone. Opened as the fs plugin opens files (non-blocking, checked by its handle), so a
 * FIFO, or a file swapped for one after the checks, is a 404 instead of a libuv thread held
 * until something writes to it. Other failures (EMFILE, EACCES) are a 500 and logged.
 */
async function readRegularFile(real: string): Promise<{ body: Buffer; mtimeMs: number } | undefined> {
  let handle;
  try {
    handle = await openRegularFile(real, constants.O_RDONLY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof NotARegularFile || err instanceof FerryError || code === "ENOENT" || code === "ELOOP" || code === "ENOTDIR") {
      return undefined;
    }
    throw err;
  }
  try {
    const info = await handle.stat();
    return { body: await handle.readFile(), mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = "text/plain; charset=utf-8", head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  res.end(head ? undefined : body);
}

/**
 * The `Content-Security-Policy` that keeps ferry's pages out of other sites' frames
 * (clickjacking): `frame-ancestors 'none'`, or the sources the app lists. Throws a
 * TypeError for an entry that is not one CSP source expression.
 */
export function frameAncestorsPolicy(sources: readonly string[] = []): string {
  for (const s of sources) {
    // One source expression each: no separators, quotes only around a keyword.
    if (typeof s !== "string" || !/^(?:'(?:self|none)'|[^\s;,'"]+)$/.test(s)) {
      throw new TypeError(`frameAncestors: ${JSON.stringify(s)} is not a CSP source expression (e.g. 'self' or https://example.com)`);
    }
  }
  return `frame-ancestors ${sources.length > 0 ? sources.join(" ") : "'none'"}`;
}

export interface StaticOptions {
  /** Folder of the app's frontend files; none: only ferry's own paths are served. */
  root: string | undefined;
  /** The Host allowlist check, shared with the socket. */
  hostAllowed(host: string | undefined): boolean;
  /** The `Content-Security-Policy` value sent with every response (`frameAncestorsPolicy`). */
  csp: string;
  /** Where failures are reported. */
  log(message: string): void;
  /** Serves `/__ferry/protocol/…` (the asset and custom protocols); without one those paths are 404. */
  protocols?: ProtocolRequestHandler;
  /** Serves the inspector's page (dev mode); without it `/__ferry/inspector` is a 404, whatever the app's folder holds. */
  inspector?: boolean;
}

/** The request handler for the frontend files and ferry's own paths. */
export function createRequestHandler(opts: StaticOptions) {
  // Resolved per request until it exists: a missing folder (normal in dev before the first
  // build) is a 404 that says so, never a rejection nobody handles.
  const rootPath = opts.root === undefined ? undefined : resolve(opts.root);
  let rootReal: string | undefined;
  const findRoot = async (): Promise<string | undefined> => (rootReal ??= await realpath(rootPath!).catch(() => undefined));
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader("Content-Security-Policy", opts.csp);
    try {
      if (!opts.hostAllowed(req.headers.host)) {
        opts.log(`refused HTTP request: Host ${JSON.stringify(req.headers.host)} is not allowed`);
        return send(res, 403, "forbidden host\n");
      }
      if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "method not allowed\n");
      const head = req.method === "HEAD";
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/__ferry/client.js") return send(res, 200, CLIENT_JS, TYPES[".js"], head);
      if (url.pathname === "/__ferry/tauri.js") return send(res, 200, TAURI_JS, TYPES[".js"], head);
      if (url.pathname === "/__ferry/upload.js") return send(res, 200, UPLOAD_JS, TYPES[".js"], head);
      if (url.pathname.startsWith(PROTOCOL_PREFIX)) {
        return opts.protocols ? await opts.protocols(req, res, url) : send(res, 404, "not found\n", undefined, head);
      }
      if (url.pathname === "/__ferry/dev.js") return send(res, 200, DEV_JS, TYPES[".js"], head);
      if (url.pathname === "/__ferry/inspector" || url.pathname === "/__ferry/inspector.js") {
        if (!opts.inspector) return send(res, 404, "not found\n", undefined, head);
        res.setHeader("Content-Security-Policy", INSPECTOR_CSP);
        const html = url.pathname === "/__ferry/inspector";
        return send(res, 200, html ? INSPECTOR_HTML : INSPECTOR_JS, html ? TYPES[".html"] : TYPES[".js"], head);
      }
      if (rootPath === undefined) return send(res, 404, "not found\n");
      const root = await findRoot();
      if (root === undefined) return send(res, 404, `not found: the app's folder ${rootPath} does not exist (yet)\n`);
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return send(res, 400, "bad path\n");
      }
      // No dotfiles, no `..`, no NUL: refuse rather than normalise.
      if (pathname.includes("\0") || pathname.split("/").some((s) => s.startsWith("."))) return send(res, 404, "not found\n");
      let file = join(root, pathname);
      if ((await stat(file).catch(() => undefined))?.isDirectory()) file = join(file, "index.html");
      const real = await realpath(file).catch(() => undefined);
      if (real === undefined || (real !== root && !real.startsWith(root + sep))) return send(res, 404, "not found\n");
      const read = await readRegularFile(real);
      if (!read) return send(res, 404, "not found\n");
      const { body, mtimeMs } = read;
      const ext = extname(real);
      if (ext === ".ts") return send(res, 200, await transformTs(real, body.toString("utf8"), mtimeMs), TYPES[".ts"], head);
      return send(res, 200, body, TYPES[ext] ?? "application/octet-stream", head);
    } catch (err) {
      // The path only: a query is the app's business.
      opts.log(`HTTP ${(req.url ?? "").split("?")[0]}: ${(err as Error).message}`);
      if (err instanceof MissingEsbuild && !res.headersSent) return send(res, 500, `${err.message}\n`);
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    }
  };
}
