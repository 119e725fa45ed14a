/**
 * A 256 MiB binary result end to end over the ws transport, measuring how many copies of
 * it each side holds: the backend (a child process) and the Node client.
 *
 *   node bench/launch.mjs large [MiB]     (compiled, plain node: see bench/launch.mjs)
 *
 * "Copies" are the growth of `process.memoryUsage().arrayBuffers` over each side's idle
 * baseline, in units of the result's size: sampled every millisecond on the backend while
 * it sends, and on the client at the moment the result resolves (before GC can reclaim the
 * socket chunks it was assembled from). The target (docs: DESIGN.md) is at most two.
 */

import { fork } from "node:child_process";
import { createClient } from "ferry/client";
import { wsClientTransport } from "ferry/client/node";

const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 256) * MiB;

if (process.env.FERRY_LARGE_CHILD) {
  const { allowAll, createApp } = await import("ferry");
  const { serveWs } = await import("ferry/transports/ws");
  const blob = new Uint8Array(size).fill(7);
  let peak = 0;
  let sampling: ReturnType<typeof setInterval> | undefined;
  const app = createApp({
    authorize: allowAll,
    commands: {
      big: () => {
        const base = process.memoryUsage().arrayBuffers;
        peak = base;
        sampling = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
        return blob;
      },
      peak: () => {
        clearInterval(sampling);
        return peak;
      },
    },
  });
  const server = await serveWs(app, { windows: ["bench"], log: () => {} });
  process.send!({
    url: server.wsUrl,
    origin: server.origin,
    token: server.window("bench").token,
    baseline: process.memoryUsage().arrayBuffers - size,
  });
} else {
  // The backend is this same compiled script, on plain node like this process.
  const child = fork(process.argv[1]!, [String(size / MiB)], {
    env: { ...process.env, FERRY_LARGE_CHILD: "1" },
    execArgv: ["--expose-gc"],
  });
  // The backend child ends with this process, whatever happens here.
  process.once("exit", () => child.kill());
  const info = await new Promise<{ url: string; origin: string; token: string; baseline: number }>((r) =>
    child.once("message", r as never),
  );
  const transport = wsClientTransport(info.url, { token: info.token, origin: info.origin });
  await transport.opened;
  const client = createClient(transport);
  const before = process.memoryUsage().arrayBuffers;
  const started = performance.now();
  const result = await client.invoke<Uint8Array>("big");
  const ms = performance.now() - started;
  const clientHeld = process.memoryUsage().arrayBuffers - before;
  const serverPeak = await client.invoke<number>("peak");
  if (result.byteLength !== size || result[size - 1] !== 7) throw new Error("wrong result");
  const serverCopies = (serverPeak - info.baseline) / size;
  const clientCopies = clientHeld / size;
  console.log(`${size / MiB} MiB result in ${ms.toFixed(0)} ms (${(size / MiB / (ms / 1000)).toFixed(0)} MiB/s)`);
  console.log(`backend: peak ${serverCopies.toFixed(2)} copies (the handler's own buffer counts as 1)`);
  console.log(`client:  ${clientCopies.toFixed(2)} copies held when the result resolved`);
  // 0.05 of slack: other small buffers move `arrayBuffers` too.
  const met = serverCopies <= 2.05 && clientCopies <= 2.05;
  console.log(`target (DESIGN.md: 256 MiB with ≤ 2 copies held): ≤ 2 on each side → ${met ? "met" : "MISSED"}`);
  client.close();
  child.kill();
}
