/**
 * `ferry dev`: the app developer's loop in one command.
 *
 * - Runs Vite's dev server from the app's own `vite` with ferry's plugin (`ferry/vite`), which
 *   proxies `/__ferry` to the backend.
 * - Runs the backend entry in a child process (`dev-backend`) and restarts it when a backend
 *   file, a capability or the app config changes. Window tokens live in a 0600 dev token file
 *   in the app's cache folder, so a restarted backend accepts the open page, whose client
 *   reconnects by itself.
 * - Owns the window engine: the browser and its windows belong to this process and survive
 *   backend restarts; the child drives them through `remoteEngine`.
 * - Runs the type checker (`tsc --watch --noEmit`, or `vue-tsc` when the app has it) and shows
 *   its errors in the terminal and in the page (Vite's overlay).
 *
 * It ends when the app's last window closes, or on Ctrl+C, and takes everything with it.
 */

import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { createRequire } from "node:module";
import { createServer as createNetServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { loadAppConfig, type AppConfig } from "../config/app-config.ts";
import { devTokenFile, tokenStore } from "../transports/dev-tokens.ts";
import { appHostFor, windowEngineFor } from "../windows/index.ts";
import { hostEngine, type EngineHost, type MessageLink } from "../windows/remote.ts";
import { DEV_ENV, ferry as ferryVite } from "../vite/index.ts";
import { DEFAULT_BACKEND } from "./run.ts";
import { INSPECTOR_LABEL } from "../backend/inspector.ts";

/** Options of `ferry dev` (its flags). */
export interface DevOptions {
  /** The app's folder. */
  dir: string;
  /** Open no window: print the dev server's URL instead. */
  noWindow?: boolean;
  /** Run no type checker. */
  typecheck?: boolean;
  /** The dev server's port (default Vite's: 5173 or the next free one). */
  port?: number;
}

/** A free loopback port, for the backend to keep across restarts. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createNetServer();
    s.once("error", reject);
    s.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

/** Package `name` as installed for the app in `dir` (its folder and manifest), or undefined. */
function resolvePackage(name: string, dir: string): { root: string; manifest: Record<string, any> } | undefined {
  try {
    const file = createRequire(join(dir, "package.json")).resolve(`${name}/package.json`);
    return { root: dirname(file), manifest: JSON.parse(readFileSync(file, "utf8")) as Record<string, any> };
  } catch {
    return undefined;
  }
}

function esmEntry(pkg: { root: string; manifest: Record<string, any> }): string {
  let entry: unknown = pkg.manifest.exports?.["."] ?? pkg.manifest.module ?? pkg.manifest.main;
  while (entry && typeof entry === "object")
    entry = (entry as Record<string, unknown>).import ?? (entry as Record<string, unknown>).default;
  if (typeof entry !== "string") throw new Error(`cannot find the ES module of ${pkg.manifest.name}`);
  return join(pkg.root, entry);
}

/** The bin script `bin` of package `name` for the app in `dir`. */
function binOf(name: string, bin: string, dir: string): string | undefined {
  const pkg = resolvePackage(name, dir);
  if (!pkg) return undefined;
  const b = pkg.manifest.bin;
  const rel = typeof b === "string" ? b : b?.[bin];
  return typeof rel === "string" ? join(pkg.root, rel) : undefined;
}

/** The part of Vite's logger ferry dev filters. */
interface ViteLogger {
  error(msg: string, options?: { error?: { code?: string } | null } & Record<string, unknown>): void;
}

interface ViteDevServer {
  listen(): Promise<unknown>;
  close(): Promise<void>;
  httpServer: { address(): { port: number } | string | null } | null;
  ws: { send(payload: unknown): void };
  config: { plugins: readonly { name: string }[] };
}

/** One tsc diagnostic line (`--pretty false`): file(line,col): error TSn: message. */
const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
const SUMMARY = /Found (\d+) errors?\b/;

/** Runs `ferry dev`; resolves with the exit status. */
export async function dev(options: DevOptions): Promise<number> {
  const config: AppConfig = await loadAppConfig(options.dir);
  const dir = config.dir;
  const name = config.productName ?? config.identifier;
  const appHost = appHostFor(config.identifier);
  const backendPort = await freePort();
  const tokenFile = devTokenFile(config.identifier);
  const say = (line: string) => console.log(`ferry dev: ${line}`);

  // Vite, from the app's own dependencies.
  const vitePkg = resolvePackage("vite", dir);
  if (!vitePkg) throw new Error(`${dir}: vite is not installed here (npm install --save-dev vite)`);
  const vite = (await import(pathToFileURL(esmEntry(vitePkg)).href)) as {
    createServer(config: Record<string, unknown>): Promise<ViteDevServer>;
    createLogger(): ViteLogger;
  };
  // While the backend restarts (or is down until the next save), the page's connection through
  // the proxy is reset and its reconnects are refused; ferry dev already says why, so Vite's
  // stack trace for each is dropped.
  let backendUp = false;
  const logger = vite.createLogger();
  const logError = logger.error.bind(logger);
  const dropped = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE"]);
  logger.error = (msg, opts) => {
    if (!backendUp && dropped.has(opts?.error?.code ?? "") && /proxy/.test(msg)) return;
    logError(msg, opts);
  };
  process.env[DEV_ENV.backend] = `http://127.0.0.1:${backendPort}`;
  process.env[DEV_ENV.appHost] = appHost;
  const server = await vite.createServer({
    root: dir,
    customLogger: logger,
    plugins: [ferryVite()],
    ...(options.port !== undefined ? { server: { port: options.port } } : {}),
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === "string") throw new Error("the dev server did not start");
  const viteOrigin = `http://127.0.0.1:${address.port}`;
  say(`dev server on ${viteOrigin} (the app window loads it as http://${appHost})`);

  // The window engine, owned here.
  const choice = options.noWindow ? { reason: "--no-window" } : windowEngineFor({ identifier: config.identifier, name, dev: true });
  let host: EngineHost | undefined;
  if ("engine" in choice) host = hostEngine(choice.engine, { serverOrigin: viteOrigin });
  else {
    const label = config.app.windows[0]?.label ?? "main";
    const token = tokenStore(tokenFile).tokenFor(label);
    say(`no app window (${choice.reason})`);
    if (process.stdout.isTTY) say(`open ${viteOrigin}/#ferry-token=${token} (it carries the window's token; keep it private)`);
    else say(`the window's token is in ${tokenFile} (label "${label}"); open ${viteOrigin}/#ferry-token=<token>`);
  }

  // The backend child, restarted on edits.
  const entry = resolve(dir, config.build.backend ?? DEFAULT_BACKEND);
  const childScript = new URL("./dev-backend.js", import.meta.url);
  let child: ChildProcess | undefined;
  let restarting = false;
  let stopping = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((r) => (finish = r));

  const startChild = (): Promise<void> =>
    new Promise((ready) => {
      const started = Date.now();
      const c = fork(childScript, [], {
        cwd: dir,
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        env: {
          ...process.env,
          FERRY_DEV_DIR: dir,
          FERRY_DEV_PORT: String(backendPort),
          FERRY_DEV_TOKEN_FILE: tokenFile,
          FERRY_DEV_ORIGINS: viteOrigin,
          ...("engine" in choice ? { FERRY_DEV_ENGINE: JSON.stringify({ name: choice.engine.name, support: choice.engine.support }) } : {}),
        },
      });
      child = c;
      const link: MessageLink = { send: (m) => void (c.connected && c.send(m as object)), onMessage: (fn) => void c.on("message", fn) };
      host?.attach(link);
      c.on("message", (m: { t?: string }) => {
        if (m?.t === "ready") {
          backendUp = true;
          say(`backend ready (${Date.now() - started} ms)`);
          ready();
        }
      });
      c.once("exit", (code, signal) => {
        if (child === c) backendUp = false; // a crash; a restart's stop has set it already
        ready();
        if (child !== c || restarting || stopping) return;
        child = undefined;
        if (code === 0 && host && host.labels.length === 0)
          finish(0); // the app is done: its last window closed
        else say(`backend exited (${signal ?? `status ${code}`}); fix it and save: it restarts on the next change`);
      });
    });

  const stopChild = async () => {
    const c = child;
    child = undefined;
    backendUp = false;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    const timer = setTimeout(() => c.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };

  let pending: ReturnType<typeof setTimeout> | undefined;
  const restart = (why: string) => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      void (async () => {
        if (stopping) return;
        restarting = true;
        say(`${why} changed: restarting the backend`);
        await stopChild();
        restarting = false;
        if (!stopping) await startChild();
      })();
    }, 100);
  };

  // What the backend is made of: its entry's folder, the capabilities and the config.
  const watchers: FSWatcher[] = [];
  const watchPath = (path: string, recursive: boolean) => {
    if (!existsSync(path)) return;
    watchers.push(
      watch(path, { recursive }, (_event, file) => {
        const changed = file ? relative(dir, join(recursive ? path : dirname(path), file.toString())) : relative(dir, path);
        if (/(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(changed)) return;
        restart(changed);
      }),
    );
  };
  watchPath(dirname(entry), true);
  watchPath(join(dir, "capabilities"), true);
  watchPath(config.file, false);

  // The type checker.
  let checker: ChildProcess | undefined;
  if (options.typecheck !== false) {
    const vueTsc = binOf("vue-tsc", "vue-tsc", dir);
    const tsc = vueTsc ?? binOf("typescript", "tsc", dir);
    if (!tsc) say("no type checker: typescript is not installed here");
    else if (!existsSync(join(dir, "tsconfig.json"))) say("no type checker: no tsconfig.json here");
    else {
      checker = spawn(process.execPath, [tsc, "--noEmit", "--watch", "--pretty", "false", "--preserveWatchOutput"], {
        cwd: dir,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let errors: string[] = [];
      let rest = "";
      checker.stdout!.on("data", (chunk: Buffer) => {
        const lines = (rest + chunk.toString("utf8")).split(/\r?\n/);
        rest = lines.pop() ?? "";
        for (const line of lines) {
          if (DIAGNOSTIC.test(line)) {
            errors.push(line);
            console.log(`typecheck: ${line}`);
            continue;
          }
          const summary = SUMMARY.exec(line);
          if (!summary) continue;
          const count = Number(summary[1]);
          say(count === 0 ? "typecheck: no errors" : `typecheck: ${count} error${count === 1 ? "" : "s"}`);
          if (count > 0) {
            const first = DIAGNOSTIC.exec(errors[0] ?? "");
            server.ws.send({
              type: "error",
              err: {
                message: errors.join("\n"),
                stack: "",
                plugin: "ferry typecheck",
                ...(first
                  ? {
                      id: resolve(dir, first[1]!),
                      loc: { file: resolve(dir, first[1]!), line: Number(first[2]), column: Number(first[3]) },
                    }
                  : {}),
              },
            });
          }
          server.ws.send({ type: "custom", event: "ferry:typecheck", data: { errors: count } });
          errors = [];
        }
      });
    }
  }

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(pending);
    for (const w of watchers) w.close();
    checker?.kill();
    await stopChild();
    if ("engine" in choice) await choice.engine.shutdown().catch(() => {});
    await server.close();
    finish(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));
  void host?.ended.then(() => stop(0));

  await startChild();
  // The inspector's token is in the dev token file, as the windows' are: the backend child
  // accepts it, and it outlives restarts, so the open inspector page reconnects by itself.
  const inspector = `${viteOrigin}/__ferry/inspector`;
  const inspectorToken = tokenStore(tokenFile).tokenFor(INSPECTOR_LABEL);
  if (process.stdout.isTTY) say(`IPC inspector: ${inspector}#ferry-token=${inspectorToken} (keep it private)`);
  else say(`IPC inspector: ${inspector}#ferry-token=<token> (the token is in ${tokenFile}, label "${INSPECTOR_LABEL}")`);
  say("watching the backend, capabilities and config; Ctrl+C stops");
  const code = await finished;
  await stop(code);
  return code;
}
