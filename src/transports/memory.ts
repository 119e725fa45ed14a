/**
 * The in-memory transport: a page client and a backend connection in one process, with
 * every frame encoded and decoded as on a socket. For tests; behaves as the ws transport.
 */

import type { App } from "../backend/app.ts";
import { CloseCode } from "../backend/connection.ts";
import type { Frame } from "../protocol/codec.ts";
import type { ClientTransport, TransportSink } from "../client/core.ts";

function toBytes(frame: Frame): string | Uint8Array {
  if (typeof frame === "string") return frame;
  return Buffer.concat(frame);
}

function frameSize(data: string | Uint8Array): number {
  return typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
}

/**
 * Connects a page-side transport to `app` as window `label` (already authenticated, as
 * the ws transport's handshake would).
 *
 * @example
 * const client = createClient(connectMemory(app, "main"));
 */
export function connectMemory(app: App<any>, label: string): ClientTransport {
  let sink: TransportSink | undefined;
  let open = true;
  const toPage = (fn: (s: TransportSink) => void) => setImmediate(() => sink && fn(sink));
  const conn = app.connect(label, {
    send(frame) {
      const data = toBytes(frame);
      toPage((s) => s.message(data));
    },
    close(code, reason) {
      open = false;
      toPage((s) => s.close(code, reason));
    },
  });
  return {
    start(s) {
      sink = s;
    },
    send(frame) {
      if (!open) return;
      const data = toBytes(frame);
      if (frameSize(data) > app.maxFrameBytes) {
        conn.close(CloseCode.tooBig, "frame too large");
        return;
      }
      setImmediate(() => conn.receive(data));
    },
    close() {
      if (!open) return;
      open = false;
      setImmediate(() => conn.dropped());
    },
  };
}

/** Sends a raw frame to a fresh memory connection, for tests that speak the wire protocol. */
export function rawMemoryPeer(app: App<any>, label: string) {
  const received: (string | Uint8Array)[] = [];
  const closes: { code: number; reason: string }[] = [];
  const transport = connectMemory(app, label);
  transport.start({ message: (d) => received.push(d), close: (code, reason) => closes.push({ code, reason }) });
  return { send: (data: string | Uint8Array) => transport.send(typeof data === "string" ? data : [data]), received, closes, close: () => transport.close() };
}
