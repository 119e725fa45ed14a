/**
 * The WebSocket transport: one loopback HTTP server (127.0.0.1 and ::1, same port) that
 * serves the app's frontend and upgrades `/__ferry/ws` only when the window token, the
 * Host header and the Origin header all match. The window label comes from the token.
 */

import { createServer, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { App } from "../backend/app.ts";
import { framePieces } from "../protocol/codec.ts";
import { createRequestHandler, LaunchLinks } from "./http.ts";
import { newToken, PROTOCOL, tokenFromProtocols, TokenTable } from "./handshake.ts";

export { newToken, tokenProtocols } from "./handshake.ts";

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
}

/** What opens a page as one window: its label, token and URL. */
export interface WindowAccess {
  label: string;
  /** The window's secret; whoever holds it acts as this window. */
  token: string;
  /** The page URL with the token in its fragment (never sent over HTTP). */
  url: string;
}

/** A running `serveWs` server: its addresses, window tokens and URLs, and `close`. */
export interface FerryServer {
  readonly port: number;
  /** The page origin, `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The WebSocket URL pages connect to. */
  readonly wsUrl: string;
  /** Token and URL for a window label, minted on first use. */
  window(label: string): WindowAccess;
  /** A one-time link (no token inside) that opens the page as `label`; for launching browsers. */
  launchUrl(label: string): string;
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

const STATUS: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" };

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

/**
 * Serves `app` over loopback.
 *
 * @example
 * const server = await serveWs(app, { root: "ui", port: 1420 });
 * console.log(server.window("main").url);
 */
export async function serveWs(app: App<any>, options: ServeOptions = {}): Promise<FerryServer> {
  const log = options.log ?? ((m: string) => console.error(`[ferry] ${m}`));
  const tokens = new TokenTable();
  const access = new Map<string, WindowAccess>();
  const launch = new LaunchLinks();
  let hosts = new Set<string>();
  let origins = new Set<string>();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: app.maxFrameBytes,
    perMessageDeflate: false,
    handleProtocols: () => PROTOCOL,
  });

  const handler = createRequestHandler({ root: options.root, hostAllowed: (h) => h !== undefined && hosts.has(h), launch, log });
  const servers = [createServer(handler), createServer(handler)] as const;

  const refuse = (socket: Duplex, status: number, why: string) => {
    log(`refused WebSocket: ${why}`);
    socket.end(`HTTP/1.1 ${status} ${STATUS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const attach = (ws: WebSocket, label: string, origin: string) => {
    const conn = app.connect(
      label,
      {
        send(frame) {
          if (typeof frame === "string") ws.send(frame);
          else for (const piece of framePieces(frame)) ws.send(piece, { binary: typeof piece !== "string" });
        },
        close(code, reason) {
          ws.close(code, reason);
        },
      },
      origin,
    );
    ws.on("message", (data, isBinary) => {
      const buf = data as Buffer;
      conn.receive(isBinary ? buf : buf.toString("utf8"));
    });
    ws.on("close", () => conn.dropped());
    ws.on("error", (err) => log(`window "${label}": ${err.message}`));
  };

  for (const server of servers) {
    server.on("upgrade", (req, socket, head) => {
      socket.on("error", () => socket.destroy());
      const path = (req.url ?? "").split("?")[0];
      if (path !== "/__ferry/ws") return refuse(socket, 404, `unknown path ${JSON.stringify(path)}`);
      if (!req.headers.host || !hosts.has(req.headers.host)) {
        return refuse(socket, 403, `Host ${JSON.stringify(req.headers.host)} is not allowed`);
      }
      if (!req.headers.origin || !origins.has(req.headers.origin)) {
        return refuse(socket, 403, `Origin ${JSON.stringify(req.headers.origin)} is not allowed`);
      }
      const label = tokens.labelFor(tokenFromProtocols(req.headers["sec-websocket-protocol"]));
      if (label === undefined) return refuse(socket, 401, "missing or unknown window token");
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, label, req.headers.origin!));
    });
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

  const hostNames = ["127.0.0.1", "localhost", ...(ipv6 ? ["[::1]"] : [])];
  hosts = new Set(hostNames.map((h) => `${h}:${port}`));
  origins = new Set([...hostNames.map((h) => `http://${h}:${port}`), ...(options.origins ?? [])]);
  const origin = `http://127.0.0.1:${port}`;

  const window = (label: string): WindowAccess => {
    let entry = access.get(label);
    if (!entry) {
      const token = newToken();
      tokens.add(label, token);
      entry = { label, token, url: `${origin}/#${pageFragment(label, token)}` };
      access.set(label, entry);
    }
    return entry;
  };
  for (const label of options.windows ?? ["main"]) window(label);

  return {
    port,
    origin,
    wsUrl: `ws://127.0.0.1:${port}/__ferry/ws`,
    window,
    launchUrl: (label) => origin + launch.create(pageFragment(label, window(label).token)),
    async close() {
      app.close();
      for (const ws of wss.clients) ws.terminate();
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
      for (const s of servers) s.closeAllConnections();
      await closed;
    },
  };
}
