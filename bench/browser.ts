/**
 * The Chromium half of the bench. Chromium is spawned directly with the page URL and
 * nothing attached to it (no DevTools protocol: a driver that forwards every frame would
 * inflate round trips). The page reports back with a POST.
 *
 * The page is served by this process with COOP/COEP so it is cross-origin isolated and
 * `performance.now()` has 5 µs resolution instead of 100 µs. It loads ferry's client as
 * the backend serves it (the bytes of `/__ferry/client.js`, fetched from the ferry server)
 * and connects to the ferry server, whose Origin allowlist includes this page's origin.
 */

import { spawn, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bounded, type ServerChild } from "./children.ts";
import type { Figures, Sizes } from "./workloads.ts";

const PAGE = fileURLToPath(new URL("./page/", import.meta.url));

/** Process groups of the Chromiums running now, so an interrupted bench can end them. */
const running = new Set<number>();

/** Ends every Chromium this process started and has not closed yet (by process group id). */
export function killBrowsers(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/** One page run's figures for one contender in one round. */
export interface BrowserRun {
  round: number;
  contender: "raw" | "ferry";
  figures: Figures;
}

export interface BrowserResults {
  runs: BrowserRun[];
  crossOriginIsolated: boolean;
  userAgent: string;
}

/** Debian's Chromium, or CHROMIUM_PATH; undefined when there is none. */
export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => !!p && existsSync(p));
}

/** `chromium --version`, for the machine line. */
export function chromiumVersion(path: string): string {
  try {
    return execFileSync(path, ["--version"], { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown";
  }
}

/** The page server: started before the ferry child so its origin can be allowed there. */
export interface PageServer {
  readonly origin: string;
  /** Runs the page in a fresh headless Chromium against the two servers. */
  run(raw: ServerChild, ferry: ServerChild, sizes: Sizes, rounds: number, onRound?: (runs: BrowserRun[]) => void): Promise<BrowserResults>;
  close(): Promise<void>;
}

const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

export async function startPageServer(): Promise<PageServer> {
  let clientJs = "";
  let report: ((body: string) => void) | undefined;
  let roundDone: ((runs: BrowserRun[]) => void) | undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "POST" && (path === "/results" || path === "/round")) {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        res.writeHead(204, ISOLATION).end();
        if (path === "/round") roundDone?.(JSON.parse(body) as BrowserRun[]);
        else report?.(body);
      });
      return;
    }
    const send = (type: string, body: string) => res.writeHead(200, { ...ISOLATION, "Content-Type": type }).end(body);
    if (path === "/") return void readFile(join(PAGE, "index.html"), "utf8").then((b) => send("text/html; charset=utf-8", b));
    if (path === "/bench.js") return void readFile(join(PAGE, "bench.js"), "utf8").then((b) => send("text/javascript", b));
    if (path === "/ferry-client.js") return send("text/javascript", clientJs);
    res.writeHead(404, ISOLATION).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    origin,
    async run(raw, ferry, sizes, rounds, onRound) {
      roundDone = onRound;
      const executable = chromiumPath();
      if (!executable) throw new Error("no Chromium found (install Debian's chromium or set CHROMIUM_PATH)");
      const ferryOrigin = ferry.info.origin!;
      const res = await fetch(`${ferryOrigin}/__ferry/client.js`);
      if (!res.ok) throw new Error(`ferry server did not serve its client: HTTP ${res.status}`);
      clientJs = await res.text();
      const params = new URLSearchParams({
        raw: raw.info.url,
        ferry: ferry.info.url,
        rounds: String(rounds),
        warm: String(sizes.rtWarm),
        calls: String(sizes.rtCalls),
        pipe: String(sizes.pipeCalls),
        inflight: String(sizes.inFlight),
      });
      const url = `${origin}/?${params}#ferry-token=${ferry.info.token}`;
      const profile = await mkdtemp(join(tmpdir(), "ferry-bench-chromium-"));
      const reported = new Promise<string>((resolve) => (report = resolve));
      const browser = spawn(
        executable,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
          `--user-data-dir=${profile}`,
          url,
        ],
        { stdio: "ignore", detached: true },
      );
      if (browser.pid !== undefined) running.add(browser.pid);
      const exited = new Promise<void>((resolve) => browser.once("exit", () => resolve()));
      try {
        const body = await bounded(
          Promise.race([reported, exited.then(() => Promise.reject(new Error("Chromium exited before the page reported")))]),
          // A loaded machine can take a minute a round (20,000 round trips and the pipelined calls).
          60_000 * (rounds + 2),
          "the Chromium page",
        );
        const results = JSON.parse(body) as BrowserResults | { error: string };
        if ("error" in results) throw new Error(`bench page failed: ${results.error}`);
        return results;
      } finally {
        // Chromium runs as a process group we created; end that group, by its id.
        if (browser.exitCode === null && browser.pid !== undefined) process.kill(-browser.pid, "SIGTERM");
        await bounded(exited, 10_000, "closing Chromium").catch(() => browser.pid !== undefined && process.kill(-browser.pid, "SIGKILL"));
        if (browser.pid !== undefined) running.delete(browser.pid);
        await rm(profile, { recursive: true, force: true });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
