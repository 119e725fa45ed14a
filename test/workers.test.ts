/**
 * The tutorial's second gotcha, blocking work: CPU-heavy commands run in a worker pool.
 * A `while (true)` command is cancelled from the page over a real socket; its worker is
 * terminated and replaced, and the pool keeps answering.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { allowAll, createApp, workerPool } from "ferry";
import { wsHarness } from "./support/transports.ts";
import { rejection, until } from "./support/wait.ts";

import type * as HeavyModule from "./fixtures/workers/heavy.mjs";

type Heavy = typeof HeavyModule;
const HEAVY = new URL("./fixtures/workers/heavy.mjs", import.meta.url);

test("a page cancels a while(true) command: its worker is replaced, other calls and the pool keep answering", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-workers-"));
  const pool = workerPool<Heavy>(HEAVY, { size: 1 });
  const app = createApp({ authorize: allowAll, commands: { spin: pool.command("spin"), fib: pool.command("fib") } });
  const server = await wsHarness.start(app);
  try {
    const page = await server.connect("main");
    const started = join(dir, "started");
    const ac = new AbortController();
    const spinning = page.invoke("spin", { started }, { signal: ac.signal });
    // One worker, busy forever: a second call waits behind it.
    const waiting = page.invoke<number>("fib", { n: 10 });
    await until(() => existsSync(started), "the loop to start");
    ac.abort();
    assert.equal((await rejection(spinning)).kind, "cancelled");
    // Only a terminated and replaced worker can answer: the loop never ends on its own.
    assert.equal(await waiting, 55);
    assert.equal(pool.threads, 1);
    assert.deepEqual(await Promise.all([page.invoke("fib", { n: 15 }), page.invoke("fib", { n: 1 })]), [610, 1]);
  } finally {
    await server.stop();
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a window that closes mid-loop ends its worker too", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-workers-"));
  const pool = workerPool<Heavy>(HEAVY, { size: 1 });
  const app = createApp({ authorize: allowAll, commands: { spin: pool.command("spin"), fib: pool.command("fib") } });
  const server = await wsHarness.start(app);
  try {
    const doomed = await server.connect("doomed");
    const started = join(dir, "started");
    doomed.invoke("spin", { started }).catch(() => {});
    await until(() => existsSync(started), "the loop to start");
    doomed.close();
    const page = await server.connect("main");
    assert.equal(await page.invoke("fib", { n: 12 }), 144);
  } finally {
    await server.stop();
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("errors cross the thread as kinds; a crashed worker fails its call and is replaced", async () => {
  const pool = workerPool<Heavy>(HEAVY, { size: 2 });
  try {
    const declared = await rejection(pool.run("fail", { kind: "not_found" }));
    assert.equal(declared.kind, "not_found");
    assert.deepEqual(declared.data, { why: "asked" });
    await assert.rejects(pool.run("fail", {}), (err: Error) => !("kind" in err) && /failed with/.test(err.message));
    await assert.rejects(pool.run("crash", {}), /worker running "crash" exited with code 3/);
    assert.equal(await pool.run("fib", { n: 20 }), 6765);
    const missing = await rejection(pool.run("nope" as "fib", { n: 1 }));
    assert.match(missing.message, /exports no function "nope"/);
  } finally {
    await pool.close();
  }
});

test("the queue is bounded, and a closed pool refuses", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ferry-workers-"));
  const pool = workerPool<Heavy>(HEAVY, { size: 1, maxQueued: 2 });
  try {
    const started = join(dir, "started");
    const running = pool.run("spin", { started });
    await until(() => existsSync(started), "the loop to start");
    const queued = [pool.run("fib", { n: 1 }), pool.run("fib", { n: 2 })];
    const over = await rejection(pool.run("fib", { n: 3 }));
    assert.equal(over.kind, "limit_exceeded");
    assert.deepEqual(over.data, { limit: "maxQueued", max: 2 });
    const ended = Promise.all([running, ...queued].map(rejection));
    await pool.close();
    assert.deepEqual(
      (await ended).map((e) => e.kind),
      ["cancelled", "cancelled", "cancelled"],
    );
    assert.equal(pool.threads, 0);
    assert.equal((await rejection(pool.run("fib", { n: 1 }))).kind, "cancelled");
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("bad options are refused at creation", () => {
  assert.throws(() => workerPool(HEAVY, { size: 0 }), /size must be a positive integer, got 0/);
  assert.throws(() => workerPool(HEAVY, { maxQueued: 1.5 }), /maxQueued must be a positive integer/);
});

test("the pool runs from the compiled package under plain node, with no loader", () => {
  const script = fileURLToPath(new URL("./fixtures/workers/plain-node.mjs", import.meta.url));
  const out = spawnSync(process.execPath, [script], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(out.stdout.trim(), "6765");
});
