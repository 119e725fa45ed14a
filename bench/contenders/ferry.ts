/**
 * ferry over its ws transport, as an app uses it: `createApp` + `serveWs` on the backend,
 * `createClient(wsClientTransport(...))` on the page side, events through `app.emit` and
 * `client.listen`. Commands are plain handlers, like the peers' (no argument schema).
 */

import { allowAll, createApp, type ByteStream, type Channel as BackendChannel } from "ferry";
import { Channel, createClient } from "ferry/client";
import "ferry/client/upload";
import { serveWs, tokenProtocols } from "ferry/transports/ws";
import { wsClientTransport } from "ferry/client/node";
import { openBare } from "./bare.ts";
import { benchBlob, STREAM_CHUNK, streamPiece, type BenchClient, type BenchServer, type Contender, type ServerInfo } from "./types.ts";

/** The window label every bench connection uses. */
export const BENCH_WINDOW = "bench";

/** The ferry app the bench serves (also to the Chromium page). */
export function createBenchApp() {
  return createApp({
    authorize: allowAll,
    // Every bench connection is one window label, up to 1,000 at once (heap per window);
    // the heap-per-listener row registers 10,000 listeners on one connection.
    limits: { connectionsPerWindow: 10_000, listeners: 10_000 },
    commands: {
      greet: ({ name }: { name: string }) => `Hello, ${name}!`,
      blob: () => benchBlob(),
      async stream({ bytes, ch }: { bytes: number; ch: BackendChannel<Uint8Array> }) {
        for (let sent = 0; sent < bytes; sent += STREAM_CHUNK) await ch.send(streamPiece(Math.min(STREAM_CHUNK, bytes - sent)));
        ch.close();
      },
      async upload({ body }: { body: ByteStream }) {
        let got = 0;
        for await (const chunk of body) got += chunk.byteLength;
        return got;
      },
    },
  });
}

async function startServer(options: { origins?: string[] }): Promise<BenchServer> {
  const app = createBenchApp();
  const server = await serveWs(app, { windows: [BENCH_WINDOW], origins: options.origins ?? [], log: () => {} });
  return {
    info: { url: server.wsUrl, token: server.window(BENCH_WINDOW).token, origin: server.origin },
    emit: (event, payload) => app.emit(event, payload),
    close: () => server.close(),
  };
}

function credentials(info: ServerInfo): { token: string; origin: string } {
  if (!info.token || !info.origin) throw new Error("ferry server info without token and origin");
  return { token: info.token, origin: info.origin };
}

async function connect(info: ServerInfo): Promise<BenchClient> {
  const transport = wsClientTransport(info.url, credentials(info));
  await transport.opened;
  const client = createClient(transport);
  return {
    greet: (name) => client.invoke("greet", { name }),
    blob: () => client.invoke<Uint8Array>("blob"),
    async stream(bytes) {
      let got = 0;
      const closed = new Promise<void>((resolve) => {
        const ch = new Channel<Uint8Array>((chunk) => (got += chunk.byteLength));
        ch.onclose = resolve;
        void client.invoke("stream", { bytes, ch });
      });
      await closed;
      return got;
    },
    upload(bytes) {
      const blob = benchBlob();
      let sent = 0;
      // A page stream read as ferry grants credit: at most the backend's bound in flight.
      const body = new ReadableStream<Uint8Array>(
        {
          pull(controller) {
            if (sent >= bytes) return controller.close();
            const n = Math.min(STREAM_CHUNK, bytes - sent);
            sent += n;
            controller.enqueue(blob.subarray(0, n));
          },
        },
        { highWaterMark: 0 },
      );
      return client.invoke<number>("upload", { body });
    },
    async listen(event, onEvent) {
      await client.listen(event, (e) => onEvent(e.payload));
    },
    close: () => client.close(),
  };
}

export const ferry: Contender = {
  name: "ferry",
  label: "ferry",
  startServer,
  connect,
  connectBare: (info) => {
    const { token, origin } = credentials(info);
    return openBare(info.url, tokenProtocols(token), origin);
  },
};
