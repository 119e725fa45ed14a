/**
 * The soak's backend, in its own process (run with `--expose-gc`): whatever the fuzzer
 * sends, its exit is a crash. Writes `{ wsUrl, origin, tokens }` as one JSON line.
 */

import { allowAll, createApp, definePlugin, type Channel, type PluginContext } from "ferry";
import { serveWs } from "ferry/transports/ws";

const gc = (globalThis as { gc?: () => void }).gc!;
const LABELS = ["healthy", "fuzz", "slow", "churn", "streamer"];

const soak = definePlugin({
  name: "soak",
  commands: {
    /** Live heap after a full collection, in bytes. */
    heap() {
      gc();
      return process.memoryUsage().heapUsed;
    },
    async stream({ ch, n, size }: { ch: Channel<Uint8Array>; n: number; size: number }, ctx: PluginContext) {
      // At most 8 MiB a call, whatever the fuzzer asks for.
      const piece = new Uint8Array(Math.max(0, Math.min(Number(size) || 0, 64 * 1024)));
      for (let i = 0; i < Math.min(Number(n) || 0, 128) && !ctx.signal.aborted; i++) await ch.send(piece);
      ch.close();
      return n;
    },
    burst({ n }: { n: number }, ctx: PluginContext) {
      for (let i = 0; i < Math.min(Number(n) || 0, 1000); i++) ctx.app.emit("tick", { i, pad: "p".repeat(200) });
      return n;
    },
  },
});

const app = createApp({
  authorize: allowAll,
  log: () => {},
  plugins: [soak],
  commands: {
    echo: ({ v }: { v: unknown }) => v,
    slow: ({ ms }: { ms: number }, ctx) =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(Number(ms) || 0, 2000), "slept");
        ctx.signal.addEventListener("abort", () => clearTimeout(t));
      }),
    fail: () => {
      throw new Error("boom");
    },
  },
});
const server = await serveWs(app, { windows: [], log: () => {} });
const tokens = Object.fromEntries(LABELS.map((l) => [l, server.window(l).token]));
process.stdout.write(`${JSON.stringify({ wsUrl: server.wsUrl, origin: server.origin, tokens })}\n`);
