/**
 * `npm run soak` (outside `npm test`): a backend child process against
 *
 * 1. fuzzing: `--frames` (default 1,000,000) fuzzed frames from one window — mutated ferry
 *    messages, random JSON, deep nesting, bogus byte announcements, random binary — on a
 *    socket that is reopened whenever the backend closes it;
 * 2. a mixed soak for `--minutes` (default 10): the fuzzer, a window that stops reading
 *    while events are emitted to everyone, reload churn, channel streams that are cancelled
 *    half way, and calls that fail;
 *
 * while a healthy window makes one echo call after another. Prints crashes (the child
 * exiting), the backend's live heap at start and end, the healthy window's worst wait, and
 * the close codes the fuzzer saw.
 */

import { spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { Channel } from "ferry/client";
import { connectWs } from "ferry/client/node";

const { values: args } = parseArgs({ options: { frames: { type: "string" }, minutes: { type: "string" } } });
const FRAMES = Number(args.frames ?? 1_000_000);
const MINUTES = Number(args.minutes ?? 10);

const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(new URL("./backend.ts", import.meta.url))], {
  stdio: ["ignore", "pipe", "inherit"],
});
// The backend goes with this process, however it ends.
process.once("exit", () => child.kill());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
let crashed: string | undefined;
child.once("exit", (code, signal) => (crashed = `backend exited: code ${code}, signal ${signal}`));
const info = await new Promise<{ wsUrl: string; origin: string; tokens: Record<string, string> }>((resolve) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("\n")) resolve(JSON.parse(out.slice(0, out.indexOf("\n"))));
  });
});
const connect = (label: string) => connectWs(info.wsUrl, { token: info.tokens[label]!, origin: info.origin });

// The healthy window: one echo after another; its worst wait is the figure.
const healthy = await connect("healthy");
let worst = 0;
let calls = 0;
let running = true;
const healthyLoop = (async () => {
  while (running && !crashed) {
    const t0 = performance.now();
    const v = { n: calls };
    const back = await healthy.invoke<{ n: number }>("echo", { v });
    if (back.n !== calls) throw new Error("echo answered wrong");
    worst = Math.max(worst, performance.now() - t0);
    calls++;
  }
})();
const heapStart = await healthy.invoke<number>("plugin:soak|heap");

// --- fuzzing ---------------------------------------------------------------------------
const closes = new Map<number, number>();
const VALID: unknown[] = [
  { t: "i", id: 1, cmd: "echo", a: { v: 1 } },
  { t: "i", id: 2, cmd: "plugin:event|listen", a: { event: "tick", handler: 1 } },
  { t: "i", id: 3, cmd: "slow", a: { ms: 50 } },
  { t: "c", id: 3 },
  { t: "i", id: 4, cmd: "plugin:soak|stream", a: { ch: "__CHANNEL__:1", n: 3, size: 10 } },
  { t: "i", id: 5, cmd: "fail" },
];
const junk = (): unknown => {
  switch (randomInt(8)) {
    case 0:
      return randomInt(2 ** 31);
    case 1:
      return randomBytes(randomInt(1, 12)).toString("latin1");
    case 2:
      return null;
    case 3:
      return [junk()];
    case 4:
      return { [randomBytes(3).toString("hex")]: junk() };
    case 5:
      return -1.5;
    case 6:
      return "__CHANNEL__:" + randomInt(10);
    default:
      return true;
  }
};
const mutate = (m: Record<string, unknown>): Record<string, unknown> => {
  const out = { ...m };
  const keys = ["t", "id", "cmd", "a", "$b", "x"];
  for (let i = randomInt(1, 3); i > 0; i--) {
    const k = keys[randomInt(keys.length)]!;
    if (randomInt(4) === 0) delete out[k];
    else out[k] = k === "$b" ? [[["a"], randomInt(-5, 1 << 30)]] : junk();
  }
  return out;
};
const fuzzFrame = (): string | Buffer => {
  switch (randomInt(10)) {
    case 0:
      return randomBytes(randomInt(1, 64));
    case 1:
      return "[".repeat(randomInt(1, 400)) + "]".repeat(randomInt(0, 400));
    case 2:
      return JSON.stringify(
        Array.from({ length: randomInt(1, 50) }, () => mutate(VALID[randomInt(VALID.length)] as Record<string, unknown>)),
      );
    case 3:
      return JSON.stringify(VALID[randomInt(VALID.length)]).slice(0, randomInt(1, 30));
    case 4:
      return randomBytes(randomInt(1, 64)).toString("latin1");
    default:
      return JSON.stringify(mutate(VALID[randomInt(VALID.length)] as Record<string, unknown>));
  }
};

let fuzzSent = 0;
let fuzzing = true;
async function fuzzer(limit: number): Promise<void> {
  while (fuzzing && fuzzSent < limit && !crashed) {
    const ws = new WebSocket(info.wsUrl, ["ferry.v1", `ferry.token.${info.tokens.fuzz}`], { origin: info.origin });
    ws.on("error", () => {});
    const closed = new Promise<void>((r) =>
      ws.once("close", (code) => {
        closes.set(code, (closes.get(code) ?? 0) + 1);
        r();
      }),
    );
    await new Promise((r) => ws.once("open", r).once("close", r));
    let mark = 1e9;
    while (ws.readyState === WebSocket.OPEN && fuzzing && fuzzSent < limit) {
      for (let i = 0; i < 100; i++) {
        const f = fuzzFrame();
        ws.send(f, { binary: typeof f !== "string" });
        fuzzSent++;
      }
      // Go at the backend's pace: 100 frames, then a call whose answer says it read them.
      // (Unpaced, this loop starves the runner's own event loop: write callbacks come back
      // at once, and the healthy window's answers are never read.)
      const id = ++mark;
      const answered = new Promise<void>((r) => {
        const on = (data: Buffer, binary: boolean) => {
          if (!binary && data.includes(`"id":${id},`)) {
            ws.off("message", on);
            r();
          }
        };
        ws.on("message", on);
        ws.once("close", () => r());
      });
      ws.send(JSON.stringify({ t: "i", id, cmd: "echo", a: { v: 0 } }));
      await answered;
    }
    if (ws.readyState === WebSocket.OPEN) ws.close();
    await closed;
  }
}

const t0 = Date.now();
await fuzzer(FRAMES);
const fuzzSeconds = (Date.now() - t0) / 1000;
const worstAfterFuzz = worst;
console.log(`fuzzed ${fuzzSent.toLocaleString("en-US")} frames in ${fuzzSeconds.toFixed(0)} s; healthy worst wait ${worst.toFixed(1)} ms`);

// --- mixed soak -----------------------------------------------------------------------
const until = Date.now() + MINUTES * 60_000;
const soakLoops: Promise<void>[] = [];
fuzzSent = 0;
soakLoops.push(fuzzer(Number.MAX_SAFE_INTEGER));

// A window that listens and then stops reading, while everyone is sent events.
const slow = new WebSocket(info.wsUrl, ["ferry.v1", `ferry.token.${info.tokens.slow}`], { origin: info.origin });
await new Promise((r) => slow.once("open", r));
slow.send(JSON.stringify({ t: "i", id: 1, cmd: "plugin:event|listen", a: { event: "tick", handler: 1 } }));
(slow as unknown as { _socket: Duplex })._socket.pause();
let ticks = 0;
await healthy.listen("tick", () => ticks++);
let emitted = 0;
soakLoops.push(
  (async () => {
    while (Date.now() < until && !crashed) {
      emitted += await healthy.invoke<number>("plugin:soak|burst", { n: 500 });
    }
  })(),
);

// Reload churn: a window that connects, calls, cancels, and goes, over and over.
let reloads = 0;
soakLoops.push(
  (async () => {
    while (Date.now() < until && !crashed) {
      const c = await connect("churn");
      const ac = new AbortController();
      const pending = c.invoke("slow", { ms: 500 }, { signal: ac.signal }).catch(() => {});
      await c.invoke("fail").catch(() => {});
      ac.abort();
      await pending;
      c.close();
      reloads++;
    }
  })(),
);

// Channel streams cancelled half way.
let streams = 0;
soakLoops.push(
  (async () => {
    const c = await connect("streamer");
    while (Date.now() < until && !crashed) {
      const ac = new AbortController();
      let got = 0;
      const ch = new Channel<Uint8Array>(() => {
        if (++got === 50) ac.abort();
      });
      await c.invoke("plugin:soak|stream", { ch, n: 100, size: 64 * 1024 }, { signal: ac.signal }).catch(() => {});
      streams++;
    }
    c.close();
  })(),
);

const progress = setInterval(() => {
  console.log(
    `  ${((until - Date.now()) / 60_000).toFixed(1)} min left: fuzz ${fuzzSent.toLocaleString("en-US")}, events ${emitted.toLocaleString("en-US")}, reloads ${reloads}, streams ${streams}, healthy calls ${calls.toLocaleString("en-US")}, worst ${worst.toFixed(1)} ms`,
  );
}, 60_000);
await Promise.race([Promise.all(soakLoops.slice(1)), new Promise((r) => child.once("exit", r))]);
fuzzing = false;
await soakLoops[0];
clearInterval(progress);
running = false;
await healthyLoop.catch(() => {});
const heapEnd = crashed ? NaN : await healthy.invoke<number>("plugin:soak|heap");
const lines = [
  `| crashes | ${crashed ? crashed : "0"} |`,
  `| fuzzed frames (phase 1) | ${FRAMES.toLocaleString("en-US")} in ${fuzzSeconds.toFixed(0)} s |`,
  `| mixed soak | ${MINUTES} min: ${fuzzSent.toLocaleString("en-US")} more fuzzed frames, ${emitted.toLocaleString("en-US")} events emitted (healthy window received ${ticks.toLocaleString("en-US")}), ${reloads} reloads, ${streams} cancelled streams |`,
  `| backend live heap (after a full GC) | ${(heapStart / 2 ** 20).toFixed(1)} MiB at start, ${(heapEnd / 2 ** 20).toFixed(1)} MiB at end |`,
  `| healthy window's worst wait | ${worstAfterFuzz.toFixed(1)} ms while fuzzed, ${worst.toFixed(1)} ms over the whole run (${calls.toLocaleString("en-US")} echo calls) |`,
  `| fuzzer's connections closed by the backend | ${[...closes].map(([code, n]) => `${code}: ${n}`).join(", ")} |`,
];
console.log(["| | |", "|---|---|", ...lines].join("\n"));
healthy.close();
slow.terminate();
child.kill();
process.exit(crashed ? 1 : 0);
