/**
 * A ferry backend in a child process for the bounded-memory test: run with `--expose-gc`.
 * Writes one JSON line to stdout with its URL and the tokens of windows "slow" and "fast".
 *
 * - `watch` (called by the slow window) remembers its connection: every emit and send below
 *   samples that connection's own `buffered` count and the process's RSS.
 * - `blast({ n, size })` emits `n` events of `size` bytes to every window, paced by the
 *   caller's connection (the fast window), never by the slow one.
 * - `stream({ ch, total, chunk })` sends `total` bytes on a channel, each send awaited, and
 *   returns the SHA-256 of what it sent.
 * - `baseline` takes the RSS the peak is measured against and the live heap, both after a
 *   full collection; `retained` the live heap over it now; `mark` starts a phase whose own
 *   RSS peak `stats` reports as `phaseDelta`; `stats` reports the peaks.
 */

import { createHash } from "node:crypto";
import { getHeapSpaceStatistics } from "node:v8";
import { allowAll, createApp, definePlugin, type Channel, type PluginConnection, type PluginContext } from "ferry";
import { serveWs } from "ferry/transports/ws";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

let slow: PluginConnection | undefined;
let maxBuffered = 0;
let baseline = process.memoryUsage.rss();
let peak = baseline;
let streamWaiting = false;
let baselineUsage: NodeJS.MemoryUsage | undefined;
let streamSent = 0;

let atPeak: NodeJS.MemoryUsage | undefined;
let spaces: unknown;
let baseSpaces: unknown;
/** RSS when `mark` was called, and the most since. */
let markRss = 0;
let markPeak = 0;
const sample = () => {
  if (slow) maxBuffered = Math.max(maxBuffered, slow.buffered);
  const rss = process.memoryUsage.rss();
  if (rss > markPeak) markPeak = rss;
  if (rss > peak) {
    peak = rss;
    atPeak = process.memoryUsage();
    spaces = getHeapSpaceStatistics();
  }
};
setInterval(sample, 5).unref();

const probe = definePlugin({
  name: "probe",
  commands: {
    watch(_args: unknown, ctx: PluginContext) {
      slow = ctx.connection;
      return true;
    },
    async blast({ n, size }: { n: number; size: number }, ctx: PluginContext) {
      const pad = "e".repeat(size);
      for (let i = 0; i < n;) {
        for (const end = Math.min(n, i + 500); i < end; i++) {
          ctx.app.emit("tick", { i, pad });
          sample();
        }
        await ctx.connection.whenWritable();
        await new Promise((r) => setImmediate(r));
      }
      return n;
    },
    async stream({ ch, total, chunk }: { ch: Channel<Uint8Array>; total: number; chunk: number }, ctx: PluginContext) {
      const hash = createHash("sha256");
      for (let sent = 0, i = 0; sent < total; i++) {
        const bytes = new Uint8Array(Math.min(chunk, total - sent)).fill(i & 255);
        bytes[0] = i >> 8;
        hash.update(bytes);
        const queued = ch.send(bytes);
        streamWaiting = !ctx.connection.writable;
        await queued;
        streamWaiting = false;
        sent += bytes.byteLength;
        streamSent = sent;
        sample();
      }
      ch.close();
      return hash.digest("hex");
    },
    baseline() {
      // After a full collection: the lowest the warmed process sits at, so no garbage of the
      // warm-up is in the baseline to hide the growth measured from it.
      gc();
      baselineUsage = atPeak = process.memoryUsage();
      baseline = peak = baselineUsage.rss;
      baseSpaces = spaces = getHeapSpaceStatistics();
      maxBuffered = 0;
      return baseline;
    },
    /** Live memory now over the baseline's, after a full collection: heap and buffers. */
    retained() {
      gc();
      const now = process.memoryUsage();
      return now.heapUsed + now.external - (baselineUsage!.heapUsed + baselineUsage!.external);
    },
    /** Starts a phase: `stats().phaseDelta` is the RSS peak since, over the RSS now. */
    mark() {
      markRss = markPeak = process.memoryUsage.rss();
      return markRss;
    },
    /** The peaks, and what memory was made of at the RSS peak and at the baseline. */
    stats() {
      sample();
      return {
        maxBuffered,
        peakDelta: peak - baseline,
        phaseDelta: markPeak - markRss,
        streamWaiting,
        streamSent,
        atPeak,
        baselineUsage,
        spaces,
        baseSpaces,
      };
    },
  },
});

const app = createApp({ authorize: allowAll, log: () => {}, plugins: [probe] });
const server = await serveWs(app, { windows: [], log: () => {} });
process.stdout.write(
  `${JSON.stringify({ origin: server.origin, wsUrl: server.wsUrl, slow: server.window("slow").token, fast: server.window("fast").token, bound: app.maxBufferedBytes })}\n`,
);
