/**
 * The WebSocket transport: one loopback HTTP server (127.0.0.1 and ::1, same port) that
 * serves the app's frontend and upgrades `/__ferry/ws` only when the Host and Origin
 * headers match; a connection without a valid window token is closed at once (4401).
 * The window label comes from the token.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { App } from "../backend/app.ts";
import { createRequestHandler, frameAncestorsPolicy } from "./http.ts";
import { createAssetProtocol, type AssetProtocolOptions } from "./asset.ts";
import { checkProtocolName, createProtocolHandler, PROTOCOL_PREFIX, type UriSchemeHandler } from "./protocol.ts";
import { newToken, PROTOCOL, tokenFromProtocols, TokenCloseCode, TokenTable } from "./handshake.ts";
import { writeLaunchFile, type LaunchFile } from "./launch-file.ts";
import { tokenStore, type TokenStore } from "./dev-tokens.ts";
import { INSPECTOR_LABEL } from "../backend/inspector.ts";
import { sendFrame } from "./ws-send.ts";

export { newToken, tokenProtocols, TokenCloseCode } from "./handshake.ts";
export { devTokenFile } from "./dev-tokens.ts";
export type { LaunchFile } from "./launch-file.ts";
export type { AssetProtocolOptions } from "./asset.ts";
export { rangeResponse } from "./protocol.ts";
export type { ProtocolContext, RangeSource, UriSchemeHandler } from "./protocol.ts";

/** Options of `serveWs`. */
export interface ServeOptions {
  /** Port on both loopback addresses; 0 (default) picks a free one. */
  port?: number;
  /** Folder of the app's frontend files, served on the same origin. */
  root?: string;
  /** Window labels to mint tokens for at start. Default `["main"]`. */
  windows?: string[];
  /** Further page origins allowed to connect, e.g. a dev server's `http://localhost:5173`. */
  origins?: string[];
  /** Where refusals and transport errors are reported. Default: console.error. */
  log?: (message: string) => void;
  /**
   * Who may show the app's pages in a frame, as CSP `frame-ancestors` sources (e.g.
   * `["'self'"]`). Default: nobody (`'none'`). Sent with every response.
   */
  frameAncestors?: string[];
  /**
   * A host name of the app's own under `.localhost` (e.g. `dev.ferry.notes.localhost`) that
   * an app window's engine maps to this server, so the app's origin (`http://<appHost>`, no
   * port) and with it its localStorage and IndexedDB stay the same from run to run.
   * Requests with that Host and Origin are the app's own. Names outside `.localhost` are
   * refused: they could resolve to someone else's server.
   */
  appHost?: string;
  /**
   * Dev only: keep the window tokens in this file (`devTokenFile(identifier)`; created 0600)
   * so a restarted backend accepts the pages that are open, which reconnect on their own.
   * `ferry dev` passes it in `FERRY_DEV_TOKEN_FILE`. Never set it in production: whoever
   * reads the file acts as the app's windows.
   */
  tokenFile?: string;
  /**
   * Tauri's asset protocol (`app.security.assetProtocol` plus the app's identifier): when
   * enabled, `convertFileSrc(path)` URLs serve files its scope allows, with `Range` requests.
   * Off by default, as in Tauri.
   *
   * @example
   * serveWs(app, { root: "dist", assetProtocol: { ...config.app.security.assetProtocol!, identifier: config.identifier } });
   */
  assetProtocol?: AssetProtocolOptions;
  /**
   * Custom protocols by name (Tauri's `register_uri_scheme_protocol`): `convertFileSrc(path, name)`
   * in a page gives a URL served by that handler, with the calling window's label. Names are
   * lower-case URI schemes; `asset` is `assetProtocol`'s.
   *
   * @example
   * serveWs(app, {
   *   protocols: { hello: (request, { label }) => new Response(`hello, ${label}`) },
   * });
   */
  protocols?: Record<string, UriSchemeHandler>;
}

/** Options of `server.launchFile(label, options)`. */
export interface LaunchFileOptions {
  /** Delete the file after this many milliseconds even if no page connected; 0: only on connect or close. Default 60 000. */
  ttlMs?: number;
}

/** What opens a page as one window: its label, token and URL. */
export interface WindowAccess {
  /** The window label the token authenticates as. */
  label: string;
  /** The window's secret; whoever holds it acts as this window. */
  token: string;
  /** The page URL with the token in its fragment (never sent over HTTP). */
  url: string;
}

/** A running `serveWs` server: its addresses, window tokens and URLs, and `close`. */
export interface FerryServer {
  /** The port, the same on 127.0.0.1 and ::1. */
  readonly port: number;
  /** The page origin, `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The app's stable origin, `http://<appHost>`, when `appHost` was given. */
  readonly appOrigin: string | undefined;
  /** The WebSocket URL pages connect to. */
  readonly wsUrl: string;
  /**
   * Token and URL for a window label, minted on first use (and again after `revoke`).
   * Throws for `__ferry_inspector`, the inspector's reserved label.
   */
  window(label: string): WindowAccess;
  /**
   * Dev mode (`createApp({ dev: true })`) only: the IPC inspector's label, token and page URL
   * (`/__ferry/inspector#ferry-token=…`, docs/inspector.md), minted at start; undefined
   * otherwise. Its token may only watch the traffic, whatever the capabilities say.
   */
  inspector(): WindowAccess | undefined;
  /**
   * Revokes the window's token: its open connections close with 4403, and the old token
   * is refused (4401) from then on; `window(label)` mints a new one. A socket that merely
   * drops (reload, backend restart) keeps its token: only this revokes. Closing a window
   * (when the engine reports it) calls this.
   */
  revoke(label: string): void;
  /**
   * Writes a file that opens the page as `label` (the token inside, readable only by this
   * user: 0600 in a 0700 folder), for handing to a browser: only the file's path goes on
   * the command line. Deleted once a page authenticates as `label`, on `close`, at process
   * exit, and after `ttlMs`. Rejects once the server is closed.
   *
   * @example
   * const file = await server.launchFile("main");
   * await openInBrowser(file.url);
   */
  launchFile(label: string, options?: LaunchFileOptions): Promise<LaunchFile>;
  /** Stops accepting, closes every connection. */
  close(): Promise<void>;
}

/**
 * The page URL's fragment: the token and, for windows other than "main", the label, which
 * the Tauri bridge reads for `getCurrentWindow().label` (identity still comes from the token).
 */
function pageFragment(label: string, token: string): string {
  return label === "main" ? `ferry-token=${token}` : `ferry-token=${token}&ferry-label=${encodeURIComponent(label)}`;
}

const STATUS: Record<number, string> = { 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" };

/** Where transport refusals and errors go unless the app says otherwise. */
const defaultLog = (m: string) => console.error(`[ferry] ${m}`);

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err);
    server.once("error", onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", onError);
      resolve((server.address() as { port: number }).port);
    });
  });
}

/** What the upgrade gate needs to know, for serveWs and attachWs alike. */
interface GateOptions {
  log: (message: string) => void;
  csp: string;
  /** Where tokens are kept across restarts (dev); default: minted in memory. */
  store?: TokenStore | undefined;
}

/**
 * The `/__ferry/ws` upgrade path and the window tokens: Host and Origin refused before the
 * upgrade (403), a missing or unknown token closed at once after it (4401), the label bound
 * to the token. Shared by `serveWs` and `attachWs`.
 */
function createGate(app: App<any>, opts: GateOptions) {
  const tokens = new TokenTable();
  const access = new Map<string, WindowAccess>();
  /** Open connections per label, for `revoke`. */
  const live = new Map<string, Set<{ close(code: number, reason: string): void }>>();
  let hosts = new Set<string>();
  let origins = new Set<string>();
  /** The page origin window URLs point at; set once the port is known. */
  let pageOrigin = "";

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: app.maxFrameBytes,
    perMessageDeflate: false,
    // Select ferry's protocol only when offered: a page that offered other protocols only
    // still gets its upgrade, then the token close below, instead of a failed handshake.
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });

  /** The label's token and URL, minted on first use. */
  const mint = (label: string): WindowAccess => {
    let entry = access.get(label);
    if (!entry) {
      const token = opts.store ? opts.store.tokenFor(label) : newToken();
      tokens.add(label, token);
      entry = { label, token, url: urlOf(label, token) };
      access.set(label, entry);
    }
    return entry;
  };
  const urlOf = (label: string, token: string): string =>
    label === INSPECTOR_LABEL ? `${pageOrigin}/__ferry/inspector#ferry-token=${token}` : `${pageOrigin}/#${pageFragment(label, token)}`;

  const refuse = (socket: Duplex, status: number, why: string) => {
    opts.log(`refused WebSocket: ${why}`);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS[status]}\r\nConnection: close\r\nContent-Security-Policy: ${opts.csp}\r\nContent-Length: 0\r\n\r\n`,
    );
  };

  const attach = (ws: WebSocket, label: string, origin: string) => {
    // The write callback made for the connection's `written` (it passes the same one for
    // every frame): one closure per connection, not one per frame.
    let doneFor: (() => void) | undefined;
    let done: (err?: Error) => void = () => {};
    const conn = app.connect(
      label,
      {
        send(frame, written) {
          // The last piece's write callback: the frame's bytes have left the process. A write
          // that failed means the socket is going away: "close" follows, and no `written`.
          if (written !== doneFor) {
            doneFor = written;
            done = (err?: Error) => {
              if (!err) written();
            };
          }
          sendFrame(ws, frame, done);
        },
        close(code, reason) {
          ws.close(code, reason);
        },
        pause() {
          ws.pause();
        },
        resume() {
          ws.resume();
        },
      },
      origin,
    );
    ws.on("message", (data, isBinary) => {
      const buf = data as Buffer;
      conn.receive(isBinary ? buf : buf.toString("utf8"));
    });
    ws.on("close", () => conn.dropped());
    ws.on("error", (err) => opts.log(`window "${label}": ${err.message}`));
    return conn;
  };

  /** Keeps the connection findable by `revoke` while it is open. */
  const track = (ws: WebSocket, label: string, conn: { close(code: number, reason: string): void }) => {
    let set = live.get(label);
    if (!set) live.set(label, (set = new Set()));
    set.add(conn);
    ws.once("close", () => {
      set.delete(conn);
      if (set.size === 0 && live.get(label) === set) live.delete(label);
    });
  };

  return {
    refuse,
    /** Sets the exact Host values and page origins allowed (loopback names at `port`, plus `extra`). */
    allow(port: number, ipv6: boolean, extra: readonly string[], origin: string, appHost?: string) {
      const hostNames = ["127.0.0.1", "localhost", ...(ipv6 ? ["[::1]"] : [])];
      hosts = new Set(hostNames.map((h) => `${h}:${port}`));
      origins = new Set([...hostNames.map((h) => `http://${h}:${port}`), ...extra]);
      if (appHost) {
        hosts.add(appHost);
        origins.add(`http://${appHost}`);
      }
      pageOrigin = origin;
      for (const [label, entry] of access) access.set(label, { ...entry, url: urlOf(label, entry.token) });
    },
    hostAllowed: (h: string | undefined) => h !== undefined && hosts.has(h),
    /** The label of the live window whose asset key this is (protocol URLs carry it). */
    labelForKey: (key: string) => tokens.labelForAssetKey(key),
    originAllowed: (origin: string) => origins.has(origin),
    /** Handles an `upgrade` event; `onAuthenticated` runs once a page has proved its token. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, onAuthenticated?: (label: string) => void): void {
      socket.on("error", () => socket.destroy());
      const path = (req.url ?? "").split("?")[0];
      if (path !== "/__ferry/ws") return refuse(socket, 404, `unknown path ${JSON.stringify(path)}`);
      if (!req.headers.host || !hosts.has(req.headers.host)) {
        return refuse(socket, 403, `Host ${JSON.stringify(req.headers.host)} is not allowed`);
      }
      if (!req.headers.origin || !origins.has(req.headers.origin)) {
        return refuse(socket, 403, `Origin ${JSON.stringify(req.headers.origin)} is not allowed`);
      }
      const token = tokenFromProtocols(req.headers["sec-websocket-protocol"]);
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Checked once the socket is open, so the page learns why (4401) instead of a bare
        // 1006 it cannot tell from a server that is down. Host and Origin were checked above:
        // a cross-site page never gets this far.
        const label = tokens.labelFor(token);
        if (label === undefined) {
          opts.log("closed WebSocket: missing, unknown or revoked window token");
          return ws.close(TokenCloseCode.unknownToken, "unknown window token");
        }
        const max = app.limits.connectionsPerWindow;
        if ((live.get(label)?.size ?? 0) >= max) {
          opts.log(`closed WebSocket: window "${label}" already has ${max} connections (limits.connectionsPerWindow)`);
          return ws.close(TokenCloseCode.tooManyConnections, "too many connections for this window");
        }
        track(ws, label, attach(ws, label, req.headers.origin!));
        onAuthenticated?.(label);
      });
    },
    window(label: string): WindowAccess {
      if (label === INSPECTOR_LABEL) throw new Error(`the window label ${JSON.stringify(label)} is reserved for the dev-mode inspector`);
      return mint(label);
    },
    /** The inspector's access (dev mode): its page URL, never an app page's. */
    inspector: (): WindowAccess => mint(INSPECTOR_LABEL),
    /** The entry `window(label)` would return now, without minting one. */
    current: (label: string) => access.get(label),
    revoke(label: string): void {
      tokens.revoke(label);
      opts.store?.forget(label);
      access.delete(label);
      for (const conn of [...(live.get(label) ?? [])]) conn.close(TokenCloseCode.revoked, "window token revoked");
      live.delete(label);
    },
    /** Ends every socket this gate opened. */
    terminate(): void {
      for (const ws of wss.clients) ws.terminate();
    },
  };
}

/** The asset protocol and the app's own, behind the gate's window keys and Origin allowlist. */
function protocolHandler(
  gate: ReturnType<typeof createGate>,
  options: { assetProtocol?: AssetProtocolOptions | undefined; protocols?: Record<string, UriSchemeHandler> | undefined },
  log: (message: string) => void,
) {
  const protocols = new Map<string, UriSchemeHandler>();
  for (const [name, handler] of Object.entries(options.protocols ?? {})) {
    checkProtocolName(name);
    if (typeof handler !== "function") throw new TypeError(`protocols.${name}: expected a function (request, { label }) => Response`);
    protocols.set(name, handler);
  }
  const asset = createAssetProtocol(options.assetProtocol, log);
  if (asset) protocols.set("asset", asset);
  return createProtocolHandler({ protocols, labelForKey: gate.labelForKey, originAllowed: gate.originAllowed, log });
}

/**
 * Serves `app` over loopback: the app's frontend files, ferry's client modules and the
 * WebSocket, on 127.0.0.1 and ::1 at one port.
 *
 * @example
 * const server = await serveWs(app, { root: "ui", port: 1420 });
 * console.log(server.window("main").url);
 */
export async function serveWs(app: App<any>, options: ServeOptions = {}): Promise<FerryServer> {
  if (options.appHost !== undefined && !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+localhost$/.test(options.appHost)) {
    throw new Error(
      `appHost must be a lower-case name under .localhost (e.g. "dev.ferry.notes.localhost"), got ${JSON.stringify(options.appHost)}`,
    );
  }
  const log = options.log ?? defaultLog;
  const csp = frameAncestorsPolicy(options.frameAncestors);
  const gate = createGate(app, { log, csp, store: options.tokenFile === undefined ? undefined : tokenStore(options.tokenFile) });
  /** Launch files not yet deleted, per label. */
  const launchFiles = new Map<string, Set<LaunchFile>>();
  let stopped = false;

  const protocols = protocolHandler(gate, options, log);
  const handler = createRequestHandler({ root: options.root, hostAllowed: gate.hostAllowed, csp, log, protocols, inspector: app.dev });
  const servers = [createServer(handler), createServer(handler)] as const;

  const removeLaunchFiles = (label?: string) => {
    for (const [l, files] of launchFiles) {
      if (label !== undefined && l !== label) continue;
      for (const f of files) f.remove();
      launchFiles.delete(l);
    }
  };

  for (const server of servers) {
    // Once the page has its token, its launch file is no longer needed.
    server.on("upgrade", (req, socket, head) => gate.upgrade(req, socket, head, removeLaunchFiles));
    server.on("clientError", (_err, socket) => socket.destroy());
  }

  const port = await listen(servers[0], options.port ?? 0, "127.0.0.1").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE") throw new Error(`port ${options.port} is in use on 127.0.0.1; pick another with --port`);
    throw err;
  });
  let ipv6 = true;
  await listen(servers[1], port, "::1").catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EADDRNOTAVAIL" && err.code !== "EAFNOSUPPORT") {
      servers[0].close();
      throw err;
    }
    ipv6 = false;
  });

  const origin = `http://127.0.0.1:${port}`;
  gate.allow(port, ipv6, options.origins ?? [], origin, options.appHost);
  try {
    for (const label of options.windows ?? ["main"]) gate.window(label);
    if (app.dev) gate.inspector();
  } catch (err) {
    // A refused dev token file: nothing may keep listening for a server the caller never got.
    for (const server of servers) server.close();
    throw err;
  }

  return {
    port,
    origin,
    appOrigin: options.appHost === undefined ? undefined : `http://${options.appHost}`,
    wsUrl: `ws://127.0.0.1:${port}/__ferry/ws`,
    window: gate.window,
    inspector: () => (app.dev ? gate.inspector() : undefined),
    revoke(label) {
      gate.revoke(label);
      removeLaunchFiles(label);
    },
    async launchFile(label, opts = {}) {
      if (stopped) throw new Error("the server is closed");
      const entry = gate.window(label);
      const file = await writeLaunchFile(entry.url, opts.ttlMs ?? 60_000);
      if (stopped || gate.current(label) !== entry) {
        file.remove(); // its token died while it was written
        throw new Error(stopped ? "the server is closed" : `window ${JSON.stringify(label)} was revoked`);
      }
      const files = launchFiles.get(label) ?? new Set();
      for (const f of files) if (f.removed) files.delete(f);
      launchFiles.set(label, files.add(file));
      return file;
    },
    async close() {
      stopped = true;
      removeLaunchFiles();
      app.close();
      gate.terminate();
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
      for (const s of servers) s.closeAllConnections();
      await closed;
    },
  };
}

/** Options of `attachWs`. */
export interface AttachOptions {
  /**
   * Page origins allowed to connect besides the server's own loopback origins, e.g. a dev
   * server's `http://localhost:5173` when the page is served elsewhere.
   */
  origins?: string[];
  /** Window labels to mint tokens for once the server listens. Default `["main"]`. */
  windows?: string[];
  /** Where refusals and transport errors are reported. Default: console.error. */
  log?: (message: string) => void;
  /** CSP `frame-ancestors` sources for ferry's own responses (`/__ferry/*`). Default: `'none'`. */
  frameAncestors?: string[];
  /** Tauri's asset protocol, served under `/__ferry/protocol/asset/` (see `ServeOptions.assetProtocol`). */
  assetProtocol?: AssetProtocolOptions;
  /** Custom protocols by name, served under `/__ferry/protocol/<name>/` (see `ServeOptions.protocols`). */
  protocols?: Record<string, UriSchemeHandler>;
}

/** ferry mounted on an existing `http.Server` (see `attachWs`). */
export interface FerryAttachment {
  /** Token and URL for a window label, minted on first use; throws before the server listens. */
  window(label: string): WindowAccess;
  /** Revokes the window's token (see `FerryServer.revoke`). */
  revoke(label: string): void;
  /**
   * Answers ferry's own HTTP paths (`/__ferry/client.js`, `/__ferry/tauri.js`, `/__ferry/protocol/…`) and returns
   * true, or returns false for the app's own routes. For Express:
   * `expressApp.use((req, res, next) => attachment.handleRequest(req, res) || next())`.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops handling upgrades and closes every ferry connection; the server itself stays. */
  close(): void;
}

/** True for a listening address on the loopback interface. */
function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address === "::ffff:127.0.0.1";
}

/**
 * Mounts ferry on an `http.Server` the program already has (an Express app's server, a Vite
 * dev server's `httpServer`): WebSocket upgrades on `/__ferry/ws` with the same checks as
 * `serveWs` — exact Host and Origin allowlists, the window token, 4401 without one — and,
 * through `handleRequest`, ferry's client modules. Other upgrade paths are left to the
 * server's other listeners. The server must listen on a loopback address: on any other,
 * every upgrade is refused and the refusal logged.
 *
 * @example
 * const http = createServer(expressApp);
 * const ferry = attachWs(app, http);
 * expressApp.use((req, res, next) => ferry.handleRequest(req, res) || next());
 * http.listen(3000, "127.0.0.1", () => console.log(ferry.window("main").url));
 */
export function attachWs(app: App<any>, server: Server, options: AttachOptions = {}): FerryAttachment {
  const log = options.log ?? defaultLog;
  const csp = frameAncestorsPolicy(options.frameAncestors);
  const gate = createGate(app, { log, csp });
  let ready = false;
  let refusedAddress: string | undefined;

  const onListening = () => {
    const addr = server.address();
    if (addr === null || typeof addr === "string") {
      refusedAddress = String(addr);
      log(`attachWs: the server listens on ${refusedAddress}, not a loopback TCP port; ferry refuses every connection`);
      return;
    }
    if (!isLoopback(addr.address)) {
      refusedAddress = addr.address;
      log(`attachWs: the server listens on ${addr.address}, not loopback; ferry refuses every connection (listen on "127.0.0.1")`);
      return;
    }
    gate.allow(
      addr.port,
      addr.address === "::1",
      options.origins ?? [],
      addr.address === "::1" ? `http://[::1]:${addr.port}` : `http://127.0.0.1:${addr.port}`,
    );
    ready = true;
    for (const label of options.windows ?? ["main"]) gate.window(label);
  };
  if (server.listening) onListening();
  else server.once("listening", onListening);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? "").split("?")[0] !== "/__ferry/ws") {
      // Another listener's path. With no other listener, nobody owns the socket: Node would
      // have destroyed it, so do that (a page could otherwise pile up open sockets).
      if (server.listenerCount("upgrade") === 1) socket.destroy();
      return;
    }
    if (!ready) {
      return gate.refuse(
        socket,
        503,
        refusedAddress ? `the server is not on loopback (${refusedAddress})` : "the server is not listening yet",
      );
    }
    gate.upgrade(req, socket, head);
  };
  server.on("upgrade", onUpgrade);
  const protocols = protocolHandler(gate, options, log);
  const modules = createRequestHandler({ root: undefined, hostAllowed: gate.hostAllowed, csp, log, protocols });

  return {
    window(label) {
      if (!ready)
        throw new Error(
          refusedAddress ? `attachWs: the server is not on loopback (${refusedAddress})` : "attachWs: the server is not listening yet",
        );
      return gate.window(label);
    },
    revoke: gate.revoke,
    handleRequest(req, res) {
      const path = (req.url ?? "").split("?")[0] ?? "";
      if (path !== "/__ferry/client.js" && path !== "/__ferry/tauri.js" && !path.startsWith(PROTOCOL_PREFIX)) return false;
      void modules(req, res);
      return true;
    },
    close() {
      server.off("upgrade", onUpgrade);
      server.off("listening", onListening);
      gate.terminate();
    },
  };
}
