/**
 * The browser's WebSocket as a ferry client transport that reconnects: after a drop it
 * connects again with backoff (a dev backend restart), until the page closes the client or
 * the backend refuses the token (4401, 4403) or the window (4429).
 */

import type { ClientTransport, TransportSink } from "./core.ts";
import { framePieces, type Frame } from "../protocol/codec.ts";

const PROTOCOL = "ferry.v1";

/**
 * Opens `url` offering the window token as a subprotocol; frames wait until it opens. Frames
 * that waited `connectTimeout` ms with no connection open are dropped and their calls
 * rejected (the transport keeps trying).
 */
export function browserTransport(url: string, token: string, connectTimeout = 10_000): ClientTransport {
  let sink: TransportSink | undefined;
  let ws: WebSocket;
  let backlog: Frame[] = [];
  let ended = false;
  let delay = 100;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    // A browser reports a server that is down and a refused handshake alike (1006 before
    // open); after open, 1006 is a dropped connection. The client's error says which.
    let opened = false;
    ws = new WebSocket(url, [PROTOCOL, `ferry.token.${token}`]);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      opened = true;
      delay = 100;
      clearTimeout(timer);
      timer = undefined;
      sink?.open?.();
      for (const f of backlog.splice(0)) send(f);
    };
    ws.onmessage = (e: MessageEvent) => {
      sink?.message(typeof e.data === "string" ? e.data : new Uint8Array(e.data as ArrayBuffer));
    };
    ws.onclose = ({ code, reason }: CloseEvent) => {
      if (ended) return;
      // After a normal close or a refused token or window (4401, 4403, 4429) trying again cannot help.
      const retry = code !== 1000 && code < 4000;
      if (opened || !retry) sink?.close(code, reason, opened, retry);
      if (!retry) return void (ended = true);
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 3000);
    };
  };
  const send = (frame: Frame) => {
    if (ws.readyState === 1) for (const piece of framePieces(frame)) ws.send(piece);
    else {
      backlog.push(frame);
      timer ??= setTimeout(() => {
        timer = undefined;
        backlog = [];
        sink?.close(1006, `no connection within ${connectTimeout} ms`, false, true);
      }, connectTimeout);
    }
  };
  open();
  return {
    start(s) {
      sink = s;
    },
    send,
    close() {
      ended = true;
      clearTimeout(timer);
      ws.close(1000);
    },
  };
}
