/**
 * End to end: the published `@tauri-apps/plugin-fs`, bundled unchanged, in Chromium against
 * ferry's fs plugin: rename, copyFile, truncate, exists, lstat, size, open / create with a
 * `FileHandle` (read, seek, write, stat, truncate, close through `plugin:resources|close`),
 * readTextFileLines, watch / watchImmediate; each in and out of the window's scope; errors as
 * Tauri's strings; a handle's id refused from another window; the page's open files and
 * watchers freed when it goes away. All of it twice: against the current plugin-fs and against
 * its 2.0.x release (an npm alias), which sends some calls differently (`unwatch`, `delayMs: null`).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { lstat as nodeLstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { createApp } from "ferry";
import { AccessControl } from "ferry/acl";
import { fsPlugin, resourcesPlugin } from "ferry/plugins/fs";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { launchChromium } from "../support/browser.ts";
import { openTauriPage, writeTauriPage } from "../support/tauri-page.ts";
import { eventually } from "../support/wait.ts";

const pageSource = (pkg: string) => `
import * as fs from "${pkg}";
window.fs = fs;
document.body.dataset.ready = "yes";
`;

/** Open file descriptors of this process (Linux). */
const openFds = async () => (await readdir("/proc/self/fd")).length;

/** inotify watches this process holds (Linux: the `inotify wd:` lines of its inotify descriptors). */
async function inotifyWatches(): Promise<number> {
  let n = 0;
  for (const fd of await readdir("/proc/self/fd")) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    if (target !== "anon_inode:inotify") continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, "utf8").catch(() => "");
    n += info.split("\n").filter((l) => l.startsWith("inotify wd:")).length;
  }
  return n;
}

// The current plugin-fs, and its 2.0.x release through the `tauri-plugin-fs-2-0` npm alias.
for (const [pkg, legacy] of [
  ["@tauri-apps/plugin-fs", false],
  ["tauri-plugin-fs-2-0", true],
] as const)
  describe(`${pkg}'s whole command set over ferry, in Chromium`, () => {
    let server: FerryServer;
    let root: string;
    let work: string;
    let chromium: Awaited<ReturnType<typeof launchChromium>>;
    let page: Page;

    before(async () => {
      root = await mkdtemp(join(tmpdir(), "ferry-fs-e2e-"));
      const site = join(root, "site");
      work = join(root, "work");
      await mkdir(site);
      await mkdir(join(work, "sub"), { recursive: true });
      await writeFile(join(work, "a.txt"), "hello ferry");
      await writeFile(join(work, "lines.txt"), "one\r\ntwo\n\nfour");
      await writeFile(join(work, "sub", "b.bin"), new Uint8Array(100));
      await writeFile(join(root, "outside.txt"), "outside");
      await symlink(join(work, "a.txt"), join(work, "link.txt"));
      await writeTauriPage(site, pageSource(pkg));
      const fs = fsPlugin({ variables: { WORK: work } });
      const resources = resourcesPlugin();
      const scope = {
        identifier: "fs:scope",
        allow: [{ path: "$WORK" }, { path: "$WORK/**" }],
        deny: [{ path: "$WORK/**/secret/**" }],
      };
      const access = new AccessControl({
        commands: [],
        plugins: [fs, resources],
        capabilities: [
          { identifier: "main", windows: ["main", "other"], permissions: ["fs:read-all", "fs:write-all", "core:resources:default", scope] },
          { identifier: "reader", windows: ["reader"], permissions: ["fs:read-all", "core:resources:default", scope] },
        ],
      });
      const app = createApp({ plugins: [fs, resources], authorize: access.authorize, log: () => {} });
      server = await serveWs(app, { root: site, windows: ["main", "other", "reader"], log: () => {} });
      chromium = await launchChromium();
      page = await open("main");
    });

    after(async () => {
      await chromium?.close();
      await server?.close();
      await rm(root, { recursive: true, force: true });
    });

    const open = (label: string): Promise<Page> => openTauriPage(chromium.browser, server.window(label).url);

    /** Runs an async function of `fs` on the page: its value, or what its catch got. */
    const run = <A>(p: Page, fn: (fs: any, arg: A) => Promise<unknown>, arg: A) =>
      p.evaluate(
        async ([src, arg]) => {
          try {
            return { ok: await new Function("fs", "arg", `return (${src})(fs, arg);`)((window as any).fs, arg) };
          } catch (e) {
            return { err: e instanceof Error ? `Error: ${e.message}` : e, type: typeof e };
          }
        },
        [fn.toString(), arg] as const,
      );

    test("rename, copyFile, truncate, exists, lstat, size in scope", async () => {
      const w = work;
      assert.deepEqual(await run(page, (fs, w) => fs.copyFile(`${w}/a.txt`, `${w}/copy.txt`), w), { ok: undefined });
      assert.equal(await readFile(join(work, "copy.txt"), "utf8"), "hello ferry");
      assert.deepEqual(await run(page, (fs, w) => fs.rename(`${w}/copy.txt`, `${w}/moved.txt`), w), { ok: undefined });
      assert.deepEqual(await run(page, (fs, w) => Promise.all([fs.exists(`${w}/copy.txt`), fs.exists(`${w}/moved.txt`)]), w), {
        ok: [false, true],
      });
      assert.deepEqual(await run(page, (fs, w) => fs.truncate(`${w}/moved.txt`, 5), w), { ok: undefined });
      assert.equal(await readFile(join(work, "moved.txt"), "utf8"), "hello");
      const l = await run(
        page,
        async (fs, w) => {
          const [link, target] = await Promise.all([fs.lstat(`${w}/link.txt`), fs.stat(`${w}/link.txt`)]);
          return [link.isSymlink, link.isFile, target.isFile, target.size];
        },
        w,
      );
      assert.deepEqual(l, { ok: [true, false, true, 11] });
      assert.deepEqual(await run(page, (fs, w) => fs.size(`${w}/sub`), w), { ok: 100 });
    });

    test("out of scope, and write commands without write permission: Tauri's string errors", async () => {
      const w = work;
      const outside = join(root, "outside.txt");
      for (const call of [
        (fs: any, a: { w: string; o: string }) => fs.copyFile(a.o, `${a.w}/stolen.txt`),
        (fs: any, a: { w: string; o: string }) => fs.rename(`${a.w}/a.txt`, a.o),
        (fs: any, a: { w: string; o: string }) => fs.truncate(a.o, 0),
        (fs: any, a: { w: string; o: string }) => fs.lstat(a.o),
        (fs: any, a: { w: string; o: string }) => fs.open(a.o, { read: true }),
        (fs: any, a: { w: string; o: string }) => fs.readTextFileLines(a.o).then((it: any) => it.next()),
      ]) {
        const r = await run(page, call, { w, o: outside });
        assert.equal(r.type, "string", `${call}: ${JSON.stringify(r)}`);
        assert.match(String(r.err), /outside this window's fs scope/);
      }
      assert.equal(await readFile(outside, "utf8"), "outside", "nothing touched the file outside");
      const missing = await run(page, (fs, w) => fs.lstat(`${w}/missing.txt`), w);
      assert.deepEqual(missing, { err: `no such file or directory: ${w}/missing.txt`, type: "string" });
      const reader = await open("reader");
      const denied = await run(reader, (fs, w) => fs.rename(`${w}/a.txt`, `${w}/b.txt`), w);
      assert.equal(denied.type, "string");
      assert.match(String(denied.err), /plugin:fs\|rename/);
      assert.equal((await nodeLstat(join(work, "a.txt"))).isFile(), true);
      await reader.close();
    });

    test("a FileHandle reads, seeks, writes, stats, truncates and closes; its id is refused from another window", async () => {
      const w = work;
      const seen = await run(
        page,
        async (fs, w) => {
          const f = await fs.create(`${w}/handle.txt`);
          const wrote = await f.write(new TextEncoder().encode("0123456789"));
          await f.seek(2, fs.SeekMode.Start);
          await f.write(new TextEncoder().encode("ab"));
          await f.close();
          const r = await fs.open(`${w}/handle.txt`, { read: true });
          const buf = new Uint8Array(4);
          const n1 = await r.read(buf);
          const first = new TextDecoder().decode(buf.subarray(0, n1));
          const at = await r.seek(-3, fs.SeekMode.End);
          const n2 = await r.read(buf);
          const last = new TextDecoder().decode(buf.subarray(0, n2));
          const eof = await r.read(buf);
          const size = (await r.stat()).size;
          (window as any).heldRid = r.rid;
          return { wrote, first, at, last, eof, size };
        },
        w,
      );
      assert.deepEqual(seen, { ok: { wrote: 10, first: "01ab", at: 7, last: "789", eof: null, size: 10 } });

      // Another window names main's handle: unknown there, for every command and for close.
      const rid = await page.evaluate(() => (window as any).heldRid as number);
      const other = await open("other");
      for (const [cmd, args] of [
        ["plugin:fs|read", { rid, len: 4 }],
        ["plugin:fs|fstat", { rid }],
        ["plugin:resources|close", { rid }],
      ] as const) {
        const r = await other.evaluate(
          async ([cmd, args]) =>
            (window as any).__TAURI_INTERNALS__.invoke(cmd, args).then(
              () => "resolved",
              (e: unknown) => e,
            ),
          [cmd, args] as const,
        );
        assert.equal(r, `resource id ${rid} is invalid`, cmd);
      }
      await other.close();
      // Still main's, still open.
      const truncated = await run(
        page,
        async (fs, w) => {
          const f = await fs.open(`${w}/handle.txt`, { write: true });
          await f.truncate(4);
          await f.close();
          return (await fs.stat(`${w}/handle.txt`)).size;
        },
        w,
      );
      assert.deepEqual(truncated, { ok: 4 });
      const closed = await run(
        page,
        async (fs) => {
          const { Resource } = (window as any).__TAURI__.core;
          const rid = (window as any).heldRid;
          await new Resource(rid).close();
          return new Resource(rid).close();
        },
        null,
      );
      assert.equal(closed.type, "string");
      assert.match(String(closed.err), /resource id \d+ is invalid/, "a closed id is gone");
    });

    test("readTextFileLines gives the lines, with \\r\\n and an empty line", async () => {
      const lines = await run(
        page,
        async (fs, w) => {
          const out: string[] = [];
          for await (const line of await fs.readTextFileLines(`${w}/lines.txt`)) out.push(line);
          return out;
        },
        work,
      );
      // 2.0.x's own iterator decodes the end flag byte too (a NUL after each line), as it does against Tauri.
      const expected = ["one", "two", "", "four"].map((l) => (legacy ? `${l}\0` : l));
      assert.deepEqual(lines, { ok: expected });
    });

    test("a page's open files are freed when it goes away", async () => {
      const before = await openFds();
      const p = await open("main");
      await run(
        p,
        async (fs, w) => {
          for (let i = 0; i < 20; i++) await fs.open(`${w}/a.txt`, { read: true });
        },
        work,
      );
      assert.ok((await openFds()) >= before + 20, "the handles are open while the page is");
      await p.close();
      await eventually(async () => (await openFds()) < before + 20, "the page's 20 open files to be closed");
    });

    test("a recursive watch reports changes in sub-folders, and none the scope denies", async () => {
      const dir = join(work, `tree-${legacy ? "2.0" : "current"}`);
      await mkdir(join(dir, "deep"), { recursive: true });
      await mkdir(join(dir, "secret"));
      await run(
        page,
        async (fs, d) => {
          const w = window as any;
          w.tree = [];
          w.unwatchTree = await fs.watchImmediate(d, (e: unknown) => w.tree.push(e), { recursive: true });
        },
        dir,
      );
      // The denied write first: events come in order, so once the second is in, the first would be too.
      await writeFile(join(dir, "secret", "s.txt"), "s");
      await writeFile(join(dir, "deep", "d.txt"), "d");
      const tree = await eventually(async () => {
        const e = await page.evaluate(() => (window as any).tree as { paths: string[] }[]);
        return e.some((x) => x.paths[0] === join(dir, "deep", "d.txt")) && e;
      }, "the event from the sub-folder");
      assert.deepEqual(
        tree.filter((e) => e.paths[0]!.includes("/secret/")),
        [],
        "nothing from the denied folder",
      );
      await page.evaluate(() => (window as any).unwatchTree());
    });

    test("watch and watchImmediate report changes in scope; refused out of scope; ended by unwatch and with the window", async () => {
      const dir = join(work, `watched-${legacy ? "2.0" : "current"}`);
      await mkdir(dir);
      const before = await inotifyWatches();
      const p = await open("main");
      await run(
        p,
        async (fs, d) => {
          const w = window as any;
          w.debounced = [];
          w.immediate = [];
          // Long enough that the two writes below, back to back, fall in one window on a loaded machine.
          w.unwatch = await fs.watch(d, (e: unknown) => w.debounced.push(e), { delayMs: 2000 });
          w.unwatchImmediate = await fs.watchImmediate(d, (e: unknown) => w.immediate.push(e));
        },
        dir,
      );
      // inotify holds one watch per folder, however many watchers share it.
      assert.equal(await inotifyWatches(), before + 1, "the folder is watched while the page runs its watchers");
      const file = join(dir, "new.txt");
      await writeFile(file, "x");
      await writeFile(file, "xy");
      const events = (name: string) => p.evaluate((n) => (window as any)[n] as { type: unknown; paths: string[] }[], name);
      const debounced = await eventually(async () => {
        const e = await events("debounced");
        return e.length > 0 && e;
      }, "the debounced event");
      // One event for the path: a create followed by writes stays a create, as Tauri's debouncer sends it.
      assert.deepEqual(debounced, [{ type: { create: { kind: "file" } }, paths: [file], attrs: {} }]);
      const immediate = await eventually(async () => {
        const e = await events("immediate");
        return e.some((x) => JSON.stringify(x.type).includes("modify")) && e;
      }, "the immediate modify events");
      assert.deepEqual(immediate[0], { type: { create: { kind: "file" } }, paths: [file], attrs: {} });
      assert.ok(immediate.every((e) => e.paths[0] === file));

      const out = await run(p, (fs, o) => fs.watch(o, () => {}), join(root, "outside.txt"));
      assert.equal(out.type, "string");
      assert.match(String(out.err), /outside this window's fs scope/);
      const missing = await run(p, (fs, d) => fs.watchImmediate(`${d}/nope`, () => {}), dir);
      assert.deepEqual(missing, { err: `no such file or directory: ${dir}/nope`, type: "string" });

      await p.evaluate(() => (window as any).unwatch());
      await eventually(async () => (await inotifyWatches()) === before + 1, "unwatch to end its watch");

      // At most 16 watchers a page: the 17th is refused.
      const limit = await run(
        p,
        async (fs, d) => {
          for (let i = 0; i < 16; i++) await fs.watchImmediate(d, () => {});
        },
        dir,
      );
      assert.equal(limit.type, "string");
      assert.match(String(limit.err), /at most 16 watchers/);
      await p.close();
      await eventually(async () => (await inotifyWatches()) === before, "the page's watchers to end with it");
    });
  });
