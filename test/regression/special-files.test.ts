/**
 * Regression: the fs plugin opened whatever a path named with a blocking open(2). A read of a
 * FIFO with no writer held one of libuv's threads until a writer came; four of them (the
 * default pool) froze every fs call of every window and every static file, and cancelling did
 * not release them. A socket or a device in scope was opened too (`/dev/zero` reads forever).
 * Now a file is opened non-blocking, its handle checked, and anything that is not a regular
 * file is refused at once with `not_a_file`; a `read_dir` of something that is not a directory
 * with `not_a_directory`.
 *
 * On the old code the FIFO reads never settle: every wait below is bounded, so the test fails
 * with "timed out waiting for …" instead of hanging, and `releaseFifos` wakes the stuck threads.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { createApp, type FerryError } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { AccessControl } from "ferry/acl";
import { fsPlugin } from "ferry/plugins/fs";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { createClient, type Client } from "ferry/client";
import { until } from "../support/wait.ts";
import { rejectsWith, tempDir } from "./helpers.ts";

/** More FIFO reads than libuv has threads: on the old code they fill the pool. */
const POOL = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const FIFO_COUNT = POOL + 2;

let root: string;
let fifos: string[];
let socketPath: string;
let socketServer: Server;
let app: ReturnType<typeof createApp>;
let w: Client;
let other: Client;
let server: FerryServer;
/** Every call a test issued; `after` keeps waking FIFOs until all of them settled. */
const outstanding = new Set<Promise<unknown>>();

/**
 * Opens the other end of each FIFO without blocking, then closes it: an open(2) still waiting
 * on a FIFO (the old code) returns, and its read sees end of file. Synchronous on purpose: on
 * the old code the threadpool that async fs calls need is the thing that is stuck.
 */
function releaseFifos(): void {
  for (const fifo of fifos) {
    for (const flag of [constants.O_RDONLY, constants.O_WRONLY]) {
      try {
        closeSync(openSync(fifo, flag | constants.O_NONBLOCK));
      } catch {
        // ENXIO: no reader is waiting on this one.
      }
    }
  }
}

/** Tracks `p` until it settles (and `after` until then keeps waking FIFOs); `settled()` says whether it has. */
function track<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const watched = p.finally(() => {
    done = true;
    outstanding.delete(watched);
  });
  outstanding.add(watched);
  void watched.catch(() => {}); // awaited by the test; this only keeps a late rejection handled
  return { promise: watched, settled: () => done };
}

/** `p`, once it settled; fails (rather than hangs) when it does not settle within the bound. */
async function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  const t = track(p);
  await until(t.settled, what, 5000);
  return t.promise;
}

before(async () => {
  root = await tempDir("special-files");
  await mkdir(join(root, "files"));
  await mkdir(join(root, "other"));
  await mkdir(join(root, "www"));
  await writeFile(join(root, "files/plain.txt"), "plain");
  await writeFile(join(root, "other/note.txt"), "other window's note");
  await writeFile(join(root, "www/index.html"), "<!doctype html><title>app</title>");
  fifos = Array.from({ length: FIFO_COUNT }, (_, i) => join(root, `files/fifo${i}`));
  for (const fifo of fifos) execFileSync("mkfifo", [fifo]);
  execFileSync("mkfifo", [join(root, "www/pipe")]);
  socketPath = join(root, "files/sock");
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(socketPath, resolve));

  const fs = fsPlugin({ variables: { ROOT: root } });
  const access = new AccessControl({
    commands: [],
    plugins: [fs],
    capabilities: [
      {
        identifier: "w",
        windows: ["w"],
        permissions: ["fs:read-all", "fs:write-all", { identifier: "fs:scope", allow: ["$ROOT/files/**", "/dev/null", "/dev/zero"] }],
      },
      { identifier: "other", windows: ["other"], permissions: ["fs:read-all", { identifier: "fs:scope", allow: ["$ROOT/other/**"] }] },
    ],
  });
  app = createApp({ plugins: [fs], authorize: access.authorize, log: () => {} });
  w = createClient(connectMemory(app, "w"));
  other = createClient(connectMemory(app, "other"));
  server = await serveWs(app, { root: join(root, "www"), windows: [], log: () => {} });
});

after(async () => {
  // On the old code threads are still parked in open(2); wake them until every call settled
  // (queued calls reach their open only after earlier ones were woken).
  const start = Date.now();
  while (outstanding.size > 0 && Date.now() - start < 10_000) {
    releaseFifos();
    await new Promise((r) => setTimeout(r, 5));
  }
  w.close();
  other.close();
  await server.close();
  app.close();
  await new Promise((r) => socketServer.close(r));
  await rm(root, { recursive: true, force: true });
});

const dataOf = (err: FerryError) => err.data as { path?: string; type?: string };
const read = (c: Client, path: string) => c.invoke<string>("plugin:fs|read_text_file", { path });

test("FIFOs are refused at once, and other windows and static files are served meanwhile", async () => {
  const fifoReads = fifos.map((fifo, i) => track(i % 2 === 0 ? read(w, fifo) : w.invoke("plugin:fs|read_file", { path: fifo })));
  const page = track(fetch(`${server.origin}/index.html`).then(async (res) => ({ status: res.status, body: await res.text() })));
  const note = track(read(other, join(root, "other/note.txt")));
  await until(() => page.settled() && note.settled(), "the other window's read_text_file and a static file to be answered", 5000);
  assert.equal(await note.promise, "other window's note");
  assert.deepEqual(await page.promise, { status: 200, body: "<!doctype html><title>app</title>" });
  await until(() => fifoReads.every((r) => r.settled()), `all ${FIFO_COUNT} FIFO reads to be answered`, 5000);
  for (const [i, r] of fifoReads.entries()) {
    const err = await rejectsWith(r.promise, "not_a_file");
    assert.equal(dataOf(err).path, fifos[i]);
    assert.equal(dataOf(err).type, "fifo");
  }
  // A FIFO in the served folder is not a page, and it does not hold a thread either.
  const pipe = await bounded(fetch(`${server.origin}/pipe`), "the FIFO in the served folder to be answered");
  assert.equal(pipe.status, 404);
  await pipe.body?.cancel();
  // The window itself still works.
  assert.equal(await bounded(read(w, join(root, "files/plain.txt")), "a regular read"), "plain");
});

test("writing to a FIFO is refused at once, with or without a reader", async () => {
  const fifo = fifos[0]!;
  // No reader: a blocking open for writing would wait for one forever.
  const err = await rejectsWith(
    bounded(w.invoke("plugin:fs|write_text_file", { path: fifo, data: "x" }), "a write to a FIFO"),
    "not_a_file",
  );
  assert.equal(dataOf(err).type, "fifo");
  // A reader holds it open: the open succeeds, the handle is refused before anything is written.
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    for (const options of [{}, { append: true }]) {
      await rejectsWith(
        bounded(w.invoke("plugin:fs|write_file", { path: fifo, data: new Uint8Array([1]), options }), "a write to a read FIFO"),
        "not_a_file",
      );
    }
  } finally {
    closeSync(reader);
  }
  assert.ok(statSync(fifo).isFIFO());
});

test("a unix socket is refused as a file", async () => {
  const err = await rejectsWith(bounded(read(w, socketPath), "a read of a socket"), "not_a_file");
  assert.equal(dataOf(err).type, "socket");
  await rejectsWith(bounded(w.invoke("plugin:fs|write_text_file", { path: socketPath, data: "x" }), "a write to a socket"), "not_a_file");
  assert.ok(statSync(socketPath).isSocket());
});

test("devices are refused as files, for reading, writing and appending", async () => {
  for (const device of ["/dev/null", "/dev/zero"]) {
    const err = await rejectsWith(bounded(read(w, device), `a read of ${device}`), "not_a_file");
    assert.equal(dataOf(err).type, "character device");
    await rejectsWith(bounded(w.invoke("plugin:fs|read_file", { path: device }), `read_file of ${device}`), "not_a_file");
    for (const options of [{}, { append: true }]) {
      await rejectsWith(
        bounded(w.invoke("plugin:fs|write_text_file", { path: device, data: "x", options }), `a write to ${device}`),
        "not_a_file",
      );
    }
  }
});

test("a directory where a file is expected, and a file where a directory is expected, are refused by kind", async () => {
  const dir = join(root, "files");
  const err = await rejectsWith(bounded(read(w, dir), "a read of a directory"), "not_a_file");
  assert.equal(dataOf(err).type, "directory");
  await rejectsWith(bounded(w.invoke("plugin:fs|write_text_file", { path: dir, data: "x" }), "a write to a directory"), "not_a_file");
  for (const path of [join(root, "files/plain.txt"), fifos[0]!, socketPath]) {
    await rejectsWith(bounded(w.invoke("plugin:fs|read_dir", { path }), `read_dir of ${path}`), "not_a_directory");
  }
});
