/** The browser's WebSocket as a ferry client transport. */

import type { ClientTransport, TransportSink } from "./core.ts";
import { framePieces } from "../protocol/codec.ts";

const PROTOCOL = "ferry.v1";

/** Opens `url` offering the window token as a subprotocol; frames wait until it opens. */
export function browserTransport(url: string, token: string): ClientTransport {
  const ws = new WebSocket(url, [PROTOCOL, `ferry.token.${token}`]);
  ws.binaryType = "arraybuffer";
  let sink: TransportSink | undefined;
  const backlog: (string | Uint8Array)[] = [];
  // A browser reports a server that is down and a refused handshake alike (1006 before
  // open); after open, 1006 is a dropped connection. The client's error says which.
  let opened = false;
  ws.onopen = () => {
    opened = true;
    for (const f of backlog.splice(0)) ws.send(f);
  };
  ws.onmessage = (e: MessageEvent) => {
    sink?.message(typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer));
  };
  ws.onclose = (e: CloseEvent) => {
    sink?.close(e.code, e.reason, opened);
  };
  return {
    start(s) {
      sink = s;
    },
    send(frame) {
      const pieces = framePieces(frame);
      if (ws.readyState === WebSocket.CONNECTING) backlog.push(...pieces);
      else if (ws.readyState === WebSocket.OPEN) for (const piece of pieces) ws.send(piece);
    },
    close() {
      ws.close(1000);
    },
  };
}
