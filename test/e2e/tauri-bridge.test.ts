/**
 * End to end: a page built from the published `@tauri-apps/api` and `@tauri-apps/plugin-fs`
 * packages (bundled by esbuild, unchanged) runs in Chromium against the tutorial backend
 * on a real ws server, through ferry's Tauri bridge (`/__ferry/tauri.js`). The tutorial's
 * capabilities decide access (window `main`, and `limited`), its fs plugin reads files;
 * a test plugin adds commands for channels, bytes and errors.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { Channel as BackendChannel, definePlugin, type App, type BackendEvent } from "ferry";
import { loadAccessSync } from "ferry/acl";
import type { FsPlugin } from "ferry/plugins/fs";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { createTutorialApp } from "../../examples/tutorial/commands.ts";
import { tutorialCommands, tutorialPlugins, tutorialRoot } from "../../examples/tutorial/access.ts";
import { launchChromium } from "../support/browser.ts";
import { bundlePage } from "../support/tauri-page.ts";

/** The test page's script: Tauri's own packages, exposed for `page.evaluate`. */
const PAGE_SOURCE = `
import * as core from "@tauri-apps/api/core";
import * as event from "@tauri-apps/api/event";
import * as mocks from "@tauri-apps/api/mocks";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { readTextFile, readFile } from "@tauri-apps/plugin-fs";
window.tauri = { core, event, mocks, getCurrentWindow, readTextFile, readFile };
window.log = [];
document.body.dataset.ready = "yes";
`;

const PAGE_HTML = `<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="/__ferry/tauri.js"></script>
<script type="module" src="/app.js"></script>
</head><body></body></html>`;

/** Commands the page calls besides the tutorial's. */
const testPlugin = definePlugin({
  name: "test",
  commands: {
    // A handler ported from Rust: snake_case names, the page sends camelCase.
    stream: {
      rename: "camelCase",
      handler: async ({ count, on_event }: { count: number; on_event: BackendChannel<number> }) => {
        assert.ok(on_event instanceof BackendChannel, "the Tauri Channel arrives as a channel");
        for (let i = 0; i < count; i++) await on_event.send(i);
        on_event.close();
        return count;
      },
    },
    // Delivers a channel's messages out of order on the wire (indexes 2, 0, 3, 1, then the end).
    shuffled: {
      rename: "camelCase",
      handler: ({ on_event }: { on_event: BackendChannel<string> }, ctx) => {
        // Reaches past the public context to the connection's internal queue: this test forges the wire order.
        const conn = (ctx as unknown as { connection: { enqueue(frame: string): void } }).connection;
        const frame = (i: number, v: string) => `{"t":"m","c":${on_event.id},"i":${i},"v":${JSON.stringify(v)}}`;
        conn.enqueue(frame(2, "c"));
        conn.enqueue(frame(0, "a"));
        conn.enqueue(`{"t":"m","c":${on_event.id},"i":4,"end":true}`);
        conn.enqueue(frame(3, "d"));
        conn.enqueue(frame(1, "b"));
        return null;
      },
    },
    echo_path: {
      rename: "camelCase",
      handler: ({ file_path, filePath }: { file_path?: string; filePath?: string }) => ({ file_path, filePath }),
    },
    echo_bytes: ({ data }: { data: unknown }) => {
      assert.ok(data instanceof Uint8Array, "bytes arrive as bytes");
      return new Uint8Array([...data].reverse());
    },
    raw_body: ({ body, headers }: { body: unknown; headers: Record<string, string> }) => {
      assert.ok(body instanceof Uint8Array, "a raw body arrives as bytes");
      return { length: body.byteLength, first: body[0], headers };
    },
    announce: (_args: unknown, { app }) => app.emit("from-backend", { n: 1 }),
    plain_failure: () => {
      throw "disk is full";
    },
    secret: () => "the backend let a denied command through",
  },
});

describe("Tauri's JS packages over ferry's bridge, in Chromium", () => {
  let server: FerryServer;
  let files: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  const backendEvents: BackendEvent[] = [];
  let stopBackendListener: () => void;

  before(async () => {
    files = await mkdtemp(join(tmpdir(), "ferry-tauri-"));
    await writeFile(join(files, "index.html"), PAGE_HTML);
    await writeFile(join(files, "notes.txt"), "ferry ⛴ notes\n");
    await bundlePage(files, PAGE_SOURCE);
    const [fs, dialog] = tutorialPlugins();
    const access = loadAccessSync({ root: tutorialRoot, commands: tutorialCommands, plugins: [fs!, dialog!] });
    const app = createTutorialApp({
      plugins: [fs!, dialog!, testPlugin],
      // The tutorial's capabilities decide; the test plugin's commands are granted here, all but one.
      authorize: (request) =>
        request.command.startsWith("plugin:test|") ? request.command !== "plugin:test|secret" : access.authorize(request),
      log: () => {},
    });
    // "to-app" is this test's own event, outside the tutorial's event map.
    stopBackendListener = (app as App).listen("to-app", (e) => backendEvents.push(e));
    server = await serveWs(app, { root: files, windows: ["main", "limited"], log: () => {} });
    // As the tutorial's file dialog does when the user picks a file: main, on this page's origin, may read it.
    (fs as FsPlugin).allowPath("main", join(files, "notes.txt"), { origin: server.origin });
    chromium = await launchChromium();
  });

  after(async () => {
    stopBackendListener?.();
    await chromium?.close();
    await server?.close();
    await rm(files, { recursive: true, force: true });
  });

  async function open(label: string): Promise<Page> {
    const page = await chromium.browser.newPage();
    page.on("pageerror", (err) => console.error(`page ${label}:`, err));
    await page.goto(server.window(label).url);
    await page.waitForSelector("body[data-ready=yes]", { state: "attached" });
    return page;
  }

  /** The rejection value of `invoke(cmd, args)` on the page, as the page's catch sees it. */
  const caught = (page: Page, cmd: string, args: unknown) =>
    page.evaluate(
      async ([cmd, args]) => {
        try {
          await (window as any).tauri.core.invoke(cmd, args);
          return { rejected: false };
        } catch (e) {
          return { rejected: true, type: typeof e, isError: e instanceof Error, value: e };
        }
      },
      [cmd, args] as const,
    );

  test("the bridge installs Tauri's globals with the window's labels", async () => {
    const page = await open("main");
    assert.ok(!server.window("main").url.includes("ferry-label"), "main's URL is unchanged: label main is the default");
    assert.ok(server.window("limited").url.endsWith("&ferry-label=limited"));
    const launch = await server.launchFile("limited");
    assert.ok((await readFile(launch.path, "utf8")).includes(`/#ferry-token=${server.window("limited").token}&amp;ferry-label=limited`));
    launch.remove();
    const seen = await page.evaluate(() => {
      const w = window as any;
      const i = w.__TAURI_INTERNALS__;
      return {
        fns: ["invoke", "transformCallback", "unregisterCallback", "runCallback", "convertFileSrc"].map((k) => typeof i[k]),
        callbacks: i.callbacks instanceof Map,
        metadata: i.metadata,
        unregisterListener: typeof w.__TAURI_EVENT_PLUGIN_INTERNALS__.unregisterListener,
        isTauri: w.tauri.core.isTauri(),
        label: w.tauri.getCurrentWindow().label,
      };
    });
    assert.deepEqual(seen.fns, ["function", "function", "function", "function", "function"]);
    assert.equal(seen.callbacks, true);
    assert.deepEqual(seen.metadata, { currentWindow: { label: "main" }, currentWebview: { windowLabel: "main", label: "main" } });
    assert.equal(seen.unregisterListener, "function");
    assert.equal(seen.isTauri, true);
    assert.equal(seen.label, "main");
    const limited = await open("limited");
    assert.equal(await limited.evaluate(() => (window as any).tauri.getCurrentWindow().label), "limited");
    assert.ok(limited.url().includes("ferry-token="), "the window's URL carries its token");
    assert.ok(!limited.url().includes("ferry-label"), "the bridge removes the label from the URL");
    await page.close();
    await limited.close();
  });

  test("invoke, camelCase args for snake_case handlers, typed and plain errors, a denied command", async () => {
    const page = await open("main");
    assert.equal(await page.evaluate(() => (window as any).tauri.core.invoke("greet", { name: "Ada" })), "Hello, Ada!");
    assert.deepEqual(await page.evaluate(() => (window as any).tauri.core.invoke("plugin:test|echo_path", { filePath: "/a/b" })), {
      file_path: "/a/b",
    });

    // The tutorial's typed error: the serialized { kind, message } object, as from a Rust error enum.
    const missing = join(files, "missing.txt");
    const typed = await caught(page, "read_file", { path: missing });
    assert.equal(typed.rejected, true);
    assert.equal(typed.type, "object");
    assert.equal(typed.isError, false);
    assert.deepEqual(typed.value, { kind: "not_found", message: `no file at ${missing}`, data: { path: missing } });

    // A handler that throws a string rejects with that string, like Rust's Err(String).
    assert.deepEqual(await caught(page, "plugin:test|plain_failure", {}), {
      rejected: true,
      type: "string",
      isError: false,
      value: "disk is full",
    });

    // ferry's own errors arrive as strings, as Tauri's do.
    const invalid = await caught(page, "greet", { name: 42 });
    assert.equal(invalid.type, "string");
    // Tauri's wording, naming the key as the page sent it.
    assert.match(String(invalid.value), /^invalid args `name` for command `greet`: /);
    const denied = await caught(page, "plugin:test|secret", {});
    assert.equal(denied.rejected, true);
    assert.equal(denied.type, "string");
    assert.equal(denied.value, 'window "main" may not call "plugin:test|secret"');
    await page.close();
  });

  test("listen, once, unlisten, emit and emitTo with Tauri's targets", async () => {
    const main = await open("main");
    const limited = await open("limited");
    // Page-side helpers: every listener pushes what it sees into window.log.
    const listenOn = (page: Page, name: string, event: string, how: "listen" | "once" = "listen") =>
      page.evaluate(
        async ([name, event, how]) => {
          const w = window as any;
          w.unlisten ??= {};
          w.unlisten[name] = await w.tauri.event[how](event, (e: unknown) => w.log.push([name, e]));
        },
        [name, event, how] as const,
      );
    const logOf = (page: Page) => page.evaluate(() => (window as any).log as [string, { event: string; id: number; payload: unknown }][]);
    const waitLog = (page: Page, name: string, count: number) =>
      page.waitForFunction(([name, count]) => (window as any).log.filter((l: [string]) => l[0] === name).length >= count, [
        name,
        count,
      ] as const);

    await listenOn(main, "news", "news");
    await listenOn(main, "news-once", "news", "once");
    await listenOn(limited, "news", "news");
    await main.evaluate(() => (window as any).tauri.event.emit("news", { n: 1 }));
    await waitLog(main, "news", 1);
    await waitLog(main, "news-once", 1);
    await waitLog(limited, "news", 1);
    const [first] = (await logOf(main)).filter((l) => l[0] === "news");
    assert.equal(first![1].event, "news");
    assert.deepEqual(first![1].payload, { n: 1 });
    assert.equal(typeof first![1].id, "number");

    // unlisten stops delivery; once fired only once. A marker event orders the check.
    await main.evaluate(() => (window as any).unlisten.news());
    await listenOn(main, "marker", "marker");
    await main.evaluate(async () => {
      await (window as any).tauri.event.emit("news", { n: 2 });
      await (window as any).tauri.event.emit("marker", null);
    });
    await waitLog(main, "marker", 1);
    await waitLog(limited, "news", 2);
    const mainLog = await logOf(main);
    assert.equal(mainLog.filter((l) => l[0] === "news").length, 1, "no event after unlisten");
    assert.equal(mainLog.filter((l) => l[0] === "news-once").length, 1, "once fires once");

    // Tauri's rule (EventTarget docs, "Any: any and all event targets"): `listen` defaults to
    // the Any target, so main's listener hears emitTo("limited") too, as in Tauri.
    await listenOn(main, "direct", "direct");
    await listenOn(limited, "direct", "direct");
    await main.evaluate(async () => {
      const { emitTo } = (window as any).tauri.event;
      await emitTo("limited", "direct", 1);
      await emitTo({ kind: "AnyLabel", label: "limited" }, "direct", 2);
      await emitTo({ kind: "WebviewWindow", label: "limited" }, "direct", 3);
      await emitTo({ kind: "Any" }, "direct", 4);
    });
    await waitLog(limited, "direct", 4);
    await waitLog(main, "direct", 4);
    assert.deepEqual(
      (await logOf(limited)).filter((l) => l[0] === "direct").map((l) => l[1].payload),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      (await logOf(main)).filter((l) => l[0] === "direct").map((l) => l[1].payload),
      [1, 2, 3, 4],
    );

    // The backend's own emit reaches Tauri listeners.
    await listenOn(limited, "from-backend", "from-backend");
    await main.evaluate(() => (window as any).tauri.core.invoke("plugin:test|announce"));
    await waitLog(limited, "from-backend", 1);
    assert.deepEqual((await logOf(limited)).find((l) => l[0] === "from-backend")![1].payload, { n: 1 });

    // The App target reaches the backend's listeners.
    await limited.evaluate(() => (window as any).tauri.event.emitTo({ kind: "App" }, "to-app", "hi"));
    assert.deepEqual(backendEvents, [{ event: "to-app", payload: "hi", window: "limited" }]);
    await main.close();
    await limited.close();
  });

  test("a Channel streams 10,000 messages in order, reorders out-of-order deliveries, and closes", async () => {
    const page = await open("main");
    const result = await page.evaluate(async () => {
      const { core } = (window as any).tauri;
      const got: number[] = [];
      const onEvent = new core.Channel((n: number) => got.push(n));
      const returned = await core.invoke("plugin:test|stream", { count: 10_000, onEvent });
      let inOrder = got.length === 10_000;
      for (let i = 0; i < got.length; i++) if (got[i] !== i) inOrder = false;
      return { returned, count: got.length, inOrder, callbackLeft: (window as any).__TAURI_INTERNALS__.callbacks.has(onEvent.id) };
    });
    assert.deepEqual(result, { returned: 10_000, count: 10_000, inOrder: true, callbackLeft: false });

    const shuffled = await page.evaluate(async () => {
      const { core } = (window as any).tauri;
      const got: string[] = [];
      const onEvent = new core.Channel((s: string) => got.push(s));
      await core.invoke("plugin:test|shuffled", { onEvent });
      return { got, callbackLeft: (window as any).__TAURI_INTERNALS__.callbacks.has(onEvent.id) };
    });
    assert.deepEqual(shuffled, { got: ["a", "b", "c", "d"], callbackLeft: false });
    await page.close();
  });

  test("bytes travel as bytes (arguments, results, raw bodies); readTextFile through the tutorial's fs plugin", async () => {
    const page = await open("main");
    const notes = join(files, "notes.txt");
    const out = await page.evaluate(async (notes) => {
      const { core, readTextFile } = (window as any).tauri;
      const reversed: unknown = await core.invoke("plugin:test|echo_bytes", { data: new Uint8Array([1, 2, 3]) });
      const raw = await core.invoke("plugin:test|raw_body", new Uint8Array([7, 8]), { headers: { "X-Path": "a%2Fb" } });
      return {
        reversedIsArrayBuffer: reversed instanceof ArrayBuffer,
        reversed: [...new Uint8Array(reversed as ArrayBuffer)],
        raw,
        text: await readTextFile(notes),
      };
    }, notes);
    assert.deepEqual(out, {
      reversedIsArrayBuffer: true,
      reversed: [3, 2, 1],
      raw: { length: 2, first: 7, headers: { "x-path": "a%2Fb" } },
      text: "ferry ⛴ notes\n",
    });
    // Outside main's fs scope, and a command its capability does not grant: Tauri-style string rejections.
    const refused = await page.evaluate(async (notes) => {
      const { readTextFile, readFile } = (window as any).tauri;
      const [outside, notGranted] = await Promise.all(
        [readTextFile("/etc/hostname"), readFile(notes)].map((p: Promise<unknown>) =>
          p.then(
            () => "resolved",
            (e: unknown) => e,
          ),
        ),
      );
      return { outside, notGranted };
    }, notes);
    assert.equal(refused.outside, `path "/etc/hostname" is outside this window's fs scope`);
    assert.equal(typeof refused.notGranted, "string");
    assert.match(refused.notGranted as string, /^"plugin:fs\|read_file" is not allowed for window "main"/);
    await page.close();
  });

  test("mockIPC takes over from the bridge and clearMocks gives it back", async () => {
    const page = await open("main");
    const out = await page.evaluate(async () => {
      const { core, event, mocks } = (window as any).tauri;
      const calls: unknown[] = [];
      mocks.mockIPC(
        (cmd: string, args: unknown) => {
          calls.push([cmd, args]);
          return `mocked ${cmd}`;
        },
        { shouldMockEvents: true },
      );
      mocks.mockWindows("mocked-window");
      const mocked = await core.invoke("greet", { name: "Ada" });
      const mockedLabel = (window as any).tauri.getCurrentWindow().label;
      const heard: unknown[] = [];
      await event.listen("mock-event", (e: { payload: unknown }) => heard.push(e.payload));
      await event.emit("mock-event", 5);
      mocks.clearMocks();
      const real = await core.invoke("greet", { name: "Ada" });
      const realLabel = (window as any).tauri.getCurrentWindow().label;
      const got: number[] = [];
      const ch = new core.Channel((n: number) => got.push(n));
      await core.invoke("plugin:test|stream", { count: 3, onEvent: ch });
      return { mocked, mockedLabel, calls, heard, real, realLabel, got };
    });
    assert.deepEqual(out, {
      mocked: "mocked greet",
      mockedLabel: "mocked-window",
      calls: [["greet", { name: "Ada" }]],
      heard: [5],
      real: "Hello, Ada!",
      realLabel: "main",
      got: [0, 1, 2],
    });
    await page.close();
  });

  test("the tutorial page has the bridge installed", async () => {
    const app = createTutorialApp({ log: () => {} });
    const tutorial = await serveWs(app, { root: fileURLToPath(new URL("../../examples/tutorial/ui", import.meta.url)), log: () => {} });
    try {
      const page = await chromium.browser.newPage();
      let sockets = 0;
      page.on("websocket", () => sockets++);
      await page.goto(tutorial.window("main").url);
      await page.waitForFunction(() => typeof (window as any).__TAURI_INTERNALS__?.invoke === "function");
      const greeting = await page.evaluate(() => (window as any).__TAURI_INTERNALS__.invoke("greet", { name: "Tauri" }));
      assert.equal(greeting, "Hello, Tauri!");
      await page.getByText("connected", { exact: true }).waitFor();
      assert.equal(sockets, 1, "the page's own ferry client and the bridge share one connection");
      await page.close();
    } finally {
      await tutorial.close();
    }
  });
});
