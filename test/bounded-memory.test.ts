/**
 * The audit's stalled window, end to end in a child process (test/support/bounded-backend.ts):
 * a page stops reading its socket, then 300,000 events of 256 B and a 256 MiB channel
 * stream go to it. The backend's own count of bytes held for it never exceeds the bound;
 * while the page is stalled, the backend's RSS and its live memory after a full collection
 * grow by less than the bound + 32 MiB over its warmed baseline; a second window receives
 * every event, and once the slow page reads again the whole stream arrives, checked by hash.
 *
 * The warm-up sends the same events while the slow page still reads, so JIT, pools and the
 * heap are in place but nothing is held for the slow page yet: what it costs to stall it
 * (the bytes held for it, the queue holding them) is inside the measured growth.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { connectWs } from "ferry/client/node";
import { until } from "./support/wait.ts";

const fixture = fileURLToPath(new URL("./support/bounded-backend.ts", import.meta.url));
const MiB = 1024 * 1024;
const EVENTS = 300_000;
const STREAM = 256 * MiB;

interface Stats {
  maxBuffered: number;
  peakDelta: number;
  phaseDelta: number;
  streamWaiting: boolean;
  streamSent: number;
}

test("a stalled window holds the backend at its bound; the other window gets every event", { timeout: 300_000 }, async () => {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", fixture], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
      });
      void exited.then(() => reject(new Error("the backend exited before it was ready")));
    });
    const info = JSON.parse(line) as { origin: string; wsUrl: string; slow: string; fast: string; bound: number };

    // The slow page: a raw socket that listens to "tick", then stops reading.
    const ws = new WebSocket(info.wsUrl, ["ferry.v1", `ferry.token.${info.slow}`], { origin: info.origin });
    await new Promise((r, j) => ws.once("open", r).once("error", j));
    const socket = (ws as unknown as { _socket: Duplex })._socket;
    const texts: Record<string, unknown>[] = [];
    const received = createHash("sha256");
    let receivedBytes = 0;
    let warmedUp = false;
    ws.on("message", (data: Buffer, binary) => {
      if (binary) {
        received.update(data);
        receivedBytes += data.byteLength;
        return;
      }
      const parsed = JSON.parse(data.toString("utf8")) as Record<string, unknown> | Record<string, unknown>[];
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) {
        if (m.t !== "e") texts.push(m);
        else if ((m.p as { i: number }).i === EVENTS - 1) warmedUp = true; // the last event is never the one dropped
      }
    });
    const send = (m: unknown) => ws.send(JSON.stringify(m));
    send({ t: "i", id: 1, cmd: "plugin:event|listen", a: { event: "tick", handler: 1 } });
    send({ t: "i", id: 2, cmd: "plugin:probe|watch", a: {} });
    await until(() => texts.some((m) => m.t === "r" && m.id === 2), "the slow page is set up");

    // The fast window, a ferry client that reads as fast as it can.
    const fast = await connectWs(info.wsUrl, { token: info.fast, origin: info.origin });
    let ticks = 0;
    await fast.listen("tick", () => ticks++);
    // Warm-up: the same events once, read by both pages, so JIT, pools and the heap's size are
    // in place before the baseline; then the slow page stops reading.
    await fast.invoke("plugin:probe|blast", { n: EVENTS, size: 256 });
    await until(() => ticks === EVENTS, "the warm-up's events", 120_000);
    await until(() => warmedUp, "the slow page read the warm-up", 120_000);
    socket.pause();
    await fast.invoke("plugin:probe|baseline");

    assert.equal(await fast.invoke("plugin:probe|blast", { n: EVENTS, size: 256 }), EVENTS);
    await until(() => ticks === 2 * EVENTS, "the fast window's events", 120_000);

    const stats = () => fast.invoke<Stats>("plugin:probe|stats");
    const afterEvents = await stats();
    await fast.invoke("plugin:probe|mark");
    send({ t: "i", id: 3, cmd: "plugin:probe|stream", a: { ch: "__CHANNEL__:1", total: STREAM, chunk: 256 * 1024 } });
    const deadline = Date.now() + 120_000;
    let held: Stats;
    while (!(held = await stats()).streamWaiting) {
      if (Date.now() > deadline) throw new Error("timed out waiting for the stream to wait for the slow page");
    }
    const retained = await fast.invoke<number>("plugin:probe|retained");
    assert.ok(held.streamSent > 0 && held.streamSent < STREAM, `the stream started and is held back (${held.streamSent} bytes sent)`);
    assert.ok(retained < info.bound + 32 * MiB, `live memory grew ${(retained / MiB).toFixed(1)} MiB`);
    assert.ok(held.maxBuffered <= info.bound, `held ${held.maxBuffered} bytes for the slow page, bound ${info.bound}`);
    // The queued events live outside the JS heap (docs/flow-control.md), so a stalled page does
    // not turn the event stream into old-space garbage: the peak is the bytes held plus young garbage.
    assert.ok(held.peakDelta < info.bound + 32 * MiB, `RSS grew ${(held.peakDelta / MiB).toFixed(1)} MiB at peak`);
    console.log(
      `# slow page: held at most ${(held.maxBuffered / MiB).toFixed(2)} MiB (bound ${info.bound / MiB} MiB); ` +
        `RSS +${(held.peakDelta / MiB).toFixed(1)} MiB at peak (+${(afterEvents.peakDelta / MiB).toFixed(1)} by the end of the events), ` +
        `live +${(retained / MiB).toFixed(1)} MiB`,
    );

    socket.resume();
    await until(() => texts.some((m) => m.t === "r" && m.id === 3), "the stream finished", 120_000);
    const result = texts.find((m) => m.t === "r" && m.id === 3)!;
    assert.equal(receivedBytes, STREAM);
    assert.equal(received.digest("hex"), result.v, "the slow page got the whole stream, by hash");
    const after = await stats();
    assert.ok(after.maxBuffered <= info.bound, `held ${after.maxBuffered} bytes while draining`);
    // Draining, the page reads 256 MiB at full speed: the peak then is mostly the handler's own
    // 256 KiB pieces, written and not yet collected (V8 collects ArrayBuffers by their external
    // size, tens of MiB at a time), so it is printed (31–46 MiB seen here), not asserted.
    console.log(
      `# after the 256 MiB drained: RSS +${(after.peakDelta / MiB).toFixed(1)} MiB at peak; the stream's own: +${(after.phaseDelta / MiB).toFixed(1)} MiB`,
    );
    ws.close();
    fast.close();
  } finally {
    child.kill();
    await exited;
  }
});
