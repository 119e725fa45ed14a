/**
 * `ferry/client/node`: a ferry client in Node.js, for tests, tools, benchmarks and other
 * processes that talk to a ferry backend the way a page does (token in the subprotocol,
 * Origin header set). The client it returns is `ferry/client`'s: `invoke`, `listen`,
 * `Channel`, `FerryError` behave as in a page.
 *
 * @example
 * import { connectWs } from "ferry/client/node";
 * const { token } = server.window("main");
 * const client = await connectWs(server.wsUrl, { token, origin: server.origin });
 * await client.invoke("greet", { name: "Ada" });
 */

import WebSocket from "ws";
import { createClient, type ClientTransport, type TransportSink } from "../client/core.ts";
import type { ClientOf } from "../client/types.ts";
import type { Frame } from "../protocol/codec.ts";
import { tokenProtocols } from "./handshake.ts";
import { sendFrame } from "./ws-send.ts";

/** How `connectWs` authenticates: the window's token and the Origin to send. */
export interface WsClientOptions {
  /** The window's token. */
  token: string;
  /** The Origin header to send; must be on the backend's allowlist. */
  origin: string;
  /** Largest message accepted from the backend, in bytes. Default 1 GiB (ws's own default, 100 MiB, is below a large result). */
  maxPayload?: number;
}

/** Opens a WebSocket to `url`; frames sent before it opens are queued. */
export function wsClientTransport(url: string, options: WsClientOptions): ClientTransport & { opened: Promise<void> } {
  const ws = new WebSocket(url, tokenProtocols(options.token), {
    origin: options.origin,
    perMessageDeflate: false,
    maxPayload: options.maxPayload ?? 1024 * 1024 * 1024,
  });
  let sink: TransportSink | undefined;
  const backlog: Frame[] = [];
  let isOpen = false;
  /** Why it never opened (`Unexpected server response: 403`, `connect ECONNREFUSED …`). */
  let failure = "";
  const write = (frame: Frame) => sendFrame(ws, frame);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => {
      isOpen = true;
      for (const f of backlog.splice(0)) write(f);
      resolve();
    });
    // A refused handshake (HTTP 403/404) arrives as an error, then a 1006 close.
    ws.once("error", reject);
  });
  opened.catch(() => {});
  ws.on("message", (data, isBinary) => {
    // `ws` hands over a Buffer already; copying it cost a full copy of every frame (10 MiB
    // results included).
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    sink?.message(isBinary ? buf : buf.toString("utf8"));
  });
  ws.on("close", (code, reason) => sink?.close(code, reason.toString() || (isOpen ? "" : failure), isOpen));
  ws.on("error", (err) => {
    // "close" follows and settles every call.
    if (!isOpen && !failure) failure = err.message;
  });
  return {
    opened,
    start(s) {
      sink = s;
    },
    send(frame) {
      if (ws.readyState === WebSocket.CONNECTING) backlog.push(frame);
      else if (ws.readyState === WebSocket.OPEN) write(frame);
    },
    close() {
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    },
  };
}

/**
 * Connects to a ferry backend's WebSocket URL as the window whose token is given. Resolves
 * once the socket is open; rejects when the backend is not there or refused the Host or
 * Origin. A token the backend does not know is refused just after the socket opens (close
 * code 4401): the first call then rejects with `connection_closed` saying so.
 */
export async function connectWs<Api = unknown>(url: string, options: WsClientOptions): Promise<ClientOf<Api>> {
  const transport = wsClientTransport(url, options);
  await transport.opened;
  return createClient<Api>(transport);
}
