/**
 * The HTTP side of the ws transport: the app's frontend files and the client module.
 * Every request passes the same Host allowlist as the socket, and every response says
 * who may frame it (`frame-ancestors`).
 */

import { readFile, stat, realpath } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin as EsbuildPlugin } from "esbuild";

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

const bundles = new Map<string, Promise<string>>();

const clientEntry = fileURLToPath(new URL("../client/index.ts", import.meta.url));

/** Makes other modules import the client entry from its URL, so a page holds one client. */
const clientByUrl: EsbuildPlugin = {
  name: "ferry-client-url",
  setup(b) {
    b.onResolve({ filter: /\/index\.ts$/ }, (args) =>
      args.importer !== clientEntry && resolve(args.resolveDir, args.path) === clientEntry
        ? { path: "/__ferry/client.js", external: true }
        : undefined,
    );
  },
};

/** A browser module under `src/client` as one minified ES module, built once per process. */
function bundle(file: string): Promise<string> {
  let built = bundles.get(file);
  if (!built) {
    built = (async () => {
      const { build } = await import("esbuild");
      const out = await build({
        entryPoints: [fileURLToPath(new URL(`../client/${file}`, import.meta.url))],
        bundle: true,
        format: "esm",
        minify: true,
        write: false,
        target: "es2020",
        platform: "browser",
        plugins: file === "index.ts" ? [] : [clientByUrl],
      });
      return out.outputFiles[0]!.text;
    })();
    built.catch(() => bundles.delete(file));
    bundles.set(file, built);
  }
  return built;
}

/** The browser client as one minified ES module (`/__ferry/client.js`). */
export function clientModule(): Promise<string> {
  return bundle("index.ts");
}

/** The Tauri bridge page module (`/__ferry/tauri.js`); it imports `/__ferry/client.js`. */
export function tauriModule(): Promise<string> {
  return bundle("tauri-page.ts");
}

const transformed = new Map<string, { mtimeMs: number; code: string }>();

async function transformTs(file: string, source: string, mtimeMs: number): Promise<string> {
  const hit = transformed.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.code;
  const { transform } = await import("esbuild");
  const { code } = await transform(source, { loader: "ts", format: "esm", target: "es2020", sourcefile: file });
  transformed.set(file, { mtimeMs, code });
  return code;
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
}

/** The request handler for the frontend files and ferry's own paths. */
export function createRequestHandler(opts: StaticOptions) {
  const rootPromise = opts.root ? realpath(resolve(opts.root)) : undefined;
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
      if (url.pathname === "/__ferry/client.js") return send(res, 200, await clientModule(), TYPES[".js"], head);
      if (url.pathname === "/__ferry/tauri.js") return send(res, 200, await tauriModule(), TYPES[".js"], head);
      if (!rootPromise) return send(res, 404, "not found\n");
      const root = await rootPromise;
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return send(res, 400, "bad path\n");
      }
      // No dotfiles, no `..`, no NUL: refuse rather than normalise.
      if (pathname.includes("\0") || pathname.split("/").some((s) => s.startsWith("."))) return send(res, 404, "not found\n");
      let file = join(root, pathname);
      let info = await stat(file).catch(() => undefined);
      if (info?.isDirectory()) {
        file = join(file, "index.html");
        info = await stat(file).catch(() => undefined);
      }
      if (!info?.isFile()) return send(res, 404, "not found\n");
      const real = await realpath(file);
      if (real !== root && !real.startsWith(root + sep)) return send(res, 404, "not found\n");
      const ext = extname(real);
      const body = await readFile(real);
      if (ext === ".ts") return send(res, 200, await transformTs(real, body.toString("utf8"), info.mtimeMs), TYPES[".ts"], head);
      return send(res, 200, body, TYPES[ext] ?? "application/octet-stream", head);
    } catch (err) {
      opts.log(`HTTP ${req.url}: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, "internal error\n");
      else res.destroy();
    }
  };
}
