/**
 * The in-memory transport: a page client and a backend connection in one process, with
 * every frame encoded and decoded as on a socket. For tests; behaves as the ws transport.
 */

import type { App } from "../backend/app.ts";
import { CloseCode } from "../backend/connection.ts";
import { framePieces } from "../protocol/codec.ts";
import type { ClientTransport, TransportSink } from "../client/core.ts";

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
  // A frame counts against the app's buffer bound until the page has it.
  const conn = app.connect(label, {
    send(frame, written) {
      const pieces = framePieces(frame);
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        const last = i === pieces.length - 1;
        toPage((s) => {
          s.message(piece);
          if (last) written();
        });
      }
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
      for (const piece of framePieces(frame)) {
        // Real bytes, as the ws transport counts a frame against maxFrameBytes.
        if ((typeof piece === "string" ? Buffer.byteLength(piece) : piece.byteLength) > app.maxFrameBytes) {
          conn.close(CloseCode.tooBig, "frame too large");
          return;
        }
        setImmediate(() => conn.receive(piece));
      }
    },
    close() {
      if (!open) return;
      open = false;
      setImmediate(() => conn.dropped());
    },
  };
}
