/**
 * Results are bounded by bytes (docs/flow-control.md): a page that stops reading while its
 * handlers return several large results holds the backend at its outgoing bound (results
 * wait for room, in order, and the page's next calls are not read meanwhile); a second
 * window's calls go on; once the page reads, every result arrives whole.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import WebSocket from "ws";
import { allowAll, createApp, definePlugin, type PluginConnection, type PluginContext } from "ferry";
import { serveWs } from "ferry/transports/ws";
import { connectWs } from "ferry/client/node";
import { until } from "./support/wait.ts";

const MiB = 1024 * 1024;
const BOUND = 4 * MiB;
const RESULT = 3 * MiB;
/** Enough results to fill loopback's kernel buffers several times over. */
const CALLS = 12;

test(
  "a page that stops reading while handlers return large results: held within the bound, others go on",
  { timeout: 120_000 },
  async () => {
    let slow: PluginConnection | undefined;
    let maxBuffered = 0;
    let started = 0;
    const probe = definePlugin({
      name: "probe",
      commands: {
        watch(_args: unknown, ctx: PluginContext) {
          slow = ctx.connection;
          return true;
        },
        big({ fill }: { fill: number }, ctx: PluginContext) {
          if (ctx.connection === slow) started++;
          return new Uint8Array(RESULT).fill(fill);
        },
      },
    });
    const app = createApp({ authorize: allowAll, log: () => {}, plugins: [probe], maxBufferedBytes: BOUND });
    const server = await serveWs(app, { windows: ["slow", "fast"], log: () => {} });
    let sampling = true;
    const sample = () => {
      if (slow) maxBuffered = Math.max(maxBuffered, slow.buffered);
      if (sampling) setImmediate(sample);
    };
    sample();
    const ws = new WebSocket(server.wsUrl, ["ferry.v1", `ferry.token.${server.window("slow").token}`], { origin: server.origin });
    const opened = new Promise((r, j) => ws.once("open", r).once("error", j));
    const fast = await connectWs(server.wsUrl, { token: server.window("fast").token, origin: server.origin });
    try {
      await opened;
      const socket = (ws as unknown as { _socket: Duplex })._socket;
      const texts: Record<string, unknown>[] = [];
      const binaries: Buffer[] = [];
      ws.on("message", (data: Buffer, binary) => {
        if (binary) return void binaries.push(data);
        const parsed = JSON.parse(data.toString("utf8")) as Record<string, unknown> | Record<string, unknown>[];
        texts.push(...(Array.isArray(parsed) ? parsed : [parsed]));
      });
      const call = (id: number, cmd: string, a: unknown = {}) => ws.send(JSON.stringify({ t: "i", id, cmd, a }));
      call(1, "plugin:probe|watch");
      await until(() => texts.some((m) => m.t === "r" && m.id === 1), "the slow page is set up");
      socket.pause(); // the page stops reading: the kernel's buffers fill, then the backend's
      for (let i = 0; i < CALLS; i++) call(10 + i, "plugin:probe|big", { fill: i });
      await until(() => started === CALLS && !slow!.writable, "the slow page's results wait for room", 20_000);
      // Calls the page sends now are not read while its results wait.
      for (let i = CALLS; i < CALLS + 4; i++) call(10 + i, "plugin:probe|big", { fill: i });
      // The fast window is not held back: its own large results arrive.
      for (let i = 0; i < 8; i++) {
        const got = await fast.invoke<Uint8Array>("plugin:probe|big", { fill: 200 + i });
        assert.equal(got.byteLength, RESULT);
        assert.equal(got[RESULT - 1], 200 + i);
      }
      assert.equal(started, CALLS, "the slow page's later calls were not started while its results waited");
      assert.ok(maxBuffered <= BOUND, `held ${maxBuffered} bytes for the slow page, bound ${BOUND}`);
      assert.ok(!slow!.writable, "still full: the page has not read");

      socket.resume();
      const total = CALLS + 4;
      await until(() => binaries.length === total, "every result's bytes", 60_000);
      // Each result's bytes follow its head, in the order of the heads.
      const order = texts.filter((m) => m.t === "r" && (m.id as number) >= 10).map((m) => (m.id as number) - 10);
      assert.deepEqual(
        [...order.slice(0, CALLS)].sort((a, b) => a - b),
        [...Array(CALLS).keys()],
        "the first results are the first calls'",
      );
      assert.equal(binaries.length, total);
      binaries.forEach((b, i) => {
        assert.equal(b.byteLength, RESULT);
        assert.ok(
          b.every((x) => x === order[i]),
          `result ${order[i]} arrived whole`,
        );
      });
      assert.ok(maxBuffered <= BOUND, `held ${maxBuffered} bytes while draining, bound ${BOUND}`);
    } finally {
      sampling = false;
      ws.close();
      fast.close();
      await server.close();
    }
  },
);
