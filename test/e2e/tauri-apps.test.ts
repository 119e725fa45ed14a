/**
 * End to end in Chromium: the two examples written only against Tauri's packages run
 * unchanged, driven as a person would (typing, clicking, reading the page).
 *
 * - examples/tauri-commands: a `withGlobalTauri` page whose inline classic script calls
 *   `window.__TAURI__.core.invoke` at load; its capability file is create-tauri-app's,
 *   unchanged (`shell:allow-open` is one start-up warning).
 * - examples/tauri-notes: `ask` / `confirm` of `@tauri-apps/plugin-dialog` answered both ways
 *   through a stand-in `zenity` on PATH, with the current packages and with
 *   `@tauri-apps/api` 2.0.x + `@tauri-apps/plugin-dialog` 2.0.x (npm aliases), whose dialog
 *   protocol predates `buttons`.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import type { LogEntry } from "ferry";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { createCommandsApp } from "../../examples/tauri-commands/app.ts";
import { buildNotesFrontend, createNotesApp } from "../../examples/tauri-notes/app.ts";
import { launchChromium } from "../support/browser.ts";

let chromium: Awaited<ReturnType<typeof launchChromium>>;
let dir: string;

before(async () => {
  chromium = await launchChromium();
  dir = await mkdtemp(join(tmpdir(), "ferry-tauri-apps-"));
});
after(async () => {
  await chromium?.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(server: FerryServer, path = ""): Promise<Page> {
  const page = await chromium.browser.newPage();
  const errors: Error[] = [];
  page.on("pageerror", (err) => errors.push(err));
  const url = new URL(server.window("main").url);
  url.pathname = `/${path}`;
  await page.goto(url.href);
  return Object.assign(page, { errors });
}

describe("examples/tauri-commands: window.__TAURI__ from a classic script", () => {
  let server: FerryServer;
  const logged: LogEntry[] = [];

  before(async () => {
    const app = createCommandsApp({ log: (e) => logged.push(e) });
    server = await serveWs(app, {
      root: fileURLToPath(new URL("../../examples/tauri-commands/ui", import.meta.url)),
      windows: ["main"],
      log: () => {},
    });
  });
  after(() => server?.close());

  test("create-tauri-app's capability file loads; shell:allow-open is one warning", () => {
    const warnings = logged.filter((e) => e.level === "warn");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /^plugin "shell" is not installed, so "shell:allow-open" .* grants nothing/);
  });

  test("the inline script's invoke at load answers; window.__TAURI__ holds @tauri-apps/api's namespaces", async () => {
    const page = await open(server);
    await page.waitForFunction(() => document.querySelector("#greeting")!.textContent !== "");
    assert.equal(await page.textContent("#greeting"), "Hello, World! You've been greeted from TypeScript!");
    const keys = await page.evaluate(() => Object.keys((window as any).__TAURI__).sort());
    const api = Object.keys(await import("@tauri-apps/api"));
    assert.deepEqual(keys, [...api, "dialog", "fs"].sort(), "the API's namespaces, and the plugins ferry implements");
    await page.fill("#greet-input", "Ada");
    await page.click('button:text-is("Greet")');
    await page.waitForFunction(() => document.querySelector("#greeting")!.textContent!.includes("Ada"));
    assert.deepEqual((page as Page & { errors: Error[] }).errors, []);
    await page.close();
  });

  test("answers and errors as Tauri shapes them, read off the page", async () => {
    const page = await open(server);
    const click = async (label: string) => {
      await page.evaluate(() => (document.querySelector("#response")!.textContent = ""));
      await page.click(`button:text-is("${label}")`);
      await page.waitForFunction(() => document.querySelector("#response")!.textContent !== "");
      return page.textContent("#response");
    };
    assert.equal(await click("simple_command"), "Ok(simple_command got value)");
    assert.match(
      (await click("simple_command without its argument"))!,
      /^Err\(invalid args `theArgument` for command `simple_command`: .+\)$/,
    );
    assert.equal(await click("simple_command_with_result"), "Ok(5)");
    // The app's error value, even though its kind ("timeout") is also one of ferry's own.
    assert.equal(
      await click("simple_command_with_result failing"),
      'Err({"kind":"timeout","message":"the upstream service timed out","data":{"after_secs":30}})',
    );
    assert.equal(await click("simple_command_with_result failing with a string"), "Err(a plain string error)");
    assert.equal(await click("a command that does not exist"), 'Err(command simple_comand not found. Did you mean "simple_command"?)');
    // A Tauri part ferry does not have: a string rejection saying so, not "not found".
    const menu = await page.evaluate(() =>
      (window as any).__TAURI__.menu.Menu.new().then(
        () => "resolved",
        (e: unknown) => e,
      ),
    );
    assert.match(String(menu), /^plugin:menu\|new: ferry does not provide Tauri's menu API/);
    await page.close();
  });

  test("the same errors through the ferry client on the same page: FerryError with the app's kind, one shared client", async () => {
    const page = await open(server);
    await page.waitForFunction(() => document.querySelector("#greeting")!.textContent !== "");
    const out = await page.evaluate(async () => {
      const ferry = await import("/__ferry/client.js" as string);
      const shared = (globalThis as any)[Symbol.for("ferry.client.module")];
      // No named helpers in here: the test runner's transform would refer to a helper the page lacks.
      const [typed, plain, missing] = await Promise.all(
        [{ theArgument: "fail" }, { theArgument: "string" }, {}].map((args) =>
          ferry.invoke("simple_command_with_result", args).then(
            () => "resolved",
            (e: any) => ({ isFerryError: e instanceof ferry.FerryError, kind: e.kind, message: e.message, data: e.data }),
          ),
        ),
      );
      return { sameClient: shared.client === ferry.client && shared.FerryError === ferry.FerryError, typed, plain, missing };
    });
    assert.equal(out.sameClient, true, "client.js reuses the module tauri.js brought");
    assert.deepEqual(out.typed, {
      isFerryError: true,
      kind: "timeout",
      message: "the upstream service timed out",
      data: { after_secs: 30 },
    });
    assert.deepEqual(out.plain, { isFerryError: true, kind: "failed", message: "a plain string error", data: "a plain string error" });
    assert.equal(out.missing.kind, "invalid_args");
    assert.match(out.missing.message, /^invalid args `theArgument` for command `simple_command_with_result`: /);
    await page.close();
  });

  test("/__ferry/tauri.js also works as a module script", async () => {
    const root = join(dir, "module-page");
    await mkdir(root, { recursive: true });
    await writeFile(
      join(root, "index.html"),
      `<!doctype html><meta charset="utf-8"><script type="module" src="/__ferry/tauri.js"></script>
<script type="module">document.body.dataset.greeting = await window.__TAURI__.core.invoke("greet", { name: "module" });</script><body></body>`,
    );
    const other = await serveWs(createCommandsApp({ log: () => {} }), { root, windows: ["main"], log: () => {} });
    try {
      const page = await open(other);
      await page.waitForSelector("body[data-greeting]", { state: "attached" });
      assert.equal(await page.getAttribute("body", "data-greeting"), "Hello, module! You've been greeted from TypeScript!");
      await page.close();
    } finally {
      await other.close();
    }
  });
});

const releases = [
  { name: "@tauri-apps/api current + @tauri-apps/plugin-dialog 2.8", alias: {} },
  {
    name: "@tauri-apps/api 2.0.x + @tauri-apps/plugin-dialog 2.0.x",
    alias: { "@tauri-apps/api": "tauri-api-2-0", "@tauri-apps/plugin-dialog": "tauri-plugin-dialog-2-0" },
  },
];

for (const release of releases) {
  describe(`examples/tauri-notes with ${release.name}: ask and confirm answered both ways`, () => {
    let server: FerryServer;
    let bin: string;
    const logged: LogEntry[] = [];

    before(async () => {
      const root = await mkdtemp(join(dir, "notes-"));
      bin = join(root, "bin");
      const dist = join(root, "dist");
      await mkdir(bin);
      await mkdir(dist);
      // A stand-in zenity: records its arguments, exits with what `exit` holds.
      await writeFile(
        join(bin, "zenity"),
        `#!${process.execPath}\nconst fs = require("node:fs");\n` +
          `fs.writeFileSync(${JSON.stringify(join(bin, "args"))}, process.argv.slice(2).join("\\n"));\n` +
          `process.exitCode = Number(fs.readFileSync(${JSON.stringify(join(bin, "exit"))}, "utf8"));\n`,
      );
      await chmod(join(bin, "zenity"), 0o755);
      await buildNotesFrontend(dist, release.alias);
      const bundle = await readFile(join(dist, "main.js"), "utf8");
      // The bundle holds the release asked for: 2.8 sends `buttons`, 2.0 calls plugin:dialog|ask.
      if (Object.keys(release.alias).length > 0) assert.match(bundle, /plugin:dialog\|ask/);
      else assert.match(bundle, /OkCancelCustom/);
      const app = createNotesApp({ dialogEnv: { PATH: bin, DISPLAY: ":0" }, log: (e) => logged.push(e) });
      server = await serveWs(app, { root: dist, windows: ["main"], log: () => {} });
    });
    after(() => server?.close());

    const answer = (code: 0 | 1) => writeFile(join(bin, "exit"), String(code));
    const notes = (page: Page) => page.$$eval("#notes li span", (spans) => spans.map((s) => s.textContent));
    const statusIs = (page: Page, text: string) =>
      page.waitForFunction((text) => document.querySelector("#status")!.textContent === text, text);

    test("the capability names core:window:allow-set-title: one warning, nothing granted", () => {
      const warnings = logged.filter((e) => e.level === "warn");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /^plugin "core:window" is not installed/);
    });

    test("add notes, keep one (No), delete it (Yes), keep all (Cancel), clear (OK)", async () => {
      const page = await open(server);
      await page.waitForSelector("body[data-ready=yes]", { state: "attached" });
      assert.equal(await page.textContent("#window-label"), "main");
      for (const text of ["buy milk", "call Ada"]) {
        await page.fill("#note-input", text);
        await page.click('button:text-is("Add")');
        await page.waitForFunction((text) => [...document.querySelectorAll("#notes li span")].some((s) => s.textContent === text), text);
      }
      assert.deepEqual(await notes(page), ["buy milk", "call Ada"]);

      await answer(1);
      await page.click("#notes li:first-child button");
      await statusIs(page, 'kept "buy milk"');
      assert.deepEqual(await notes(page), ["buy milk", "call Ada"]);
      const askArgs = (await readFile(join(bin, "args"), "utf8")).split("\n");
      assert.deepEqual(askArgs.slice(0, 3), ["--question", "--ok-label=Yes", "--cancel-label=No"]);
      assert.ok(askArgs.includes('--text=Delete "buy milk"?'));

      await answer(0);
      await page.click("#notes li:first-child button");
      await statusIs(page, 'deleted "buy milk"');
      await page.waitForFunction(() => document.querySelectorAll("#notes li").length === 1);
      assert.deepEqual(await notes(page), ["call Ada"]);

      await answer(1);
      await page.click("#clear");
      await statusIs(page, "nothing removed");
      assert.deepEqual((await readFile(join(bin, "args"), "utf8")).split("\n").slice(0, 3), [
        "--question",
        "--ok-label=Remove all",
        "--cancel-label=Keep them",
      ]);
      assert.deepEqual(await notes(page), ["call Ada"]);

      await answer(0);
      await page.click("#clear");
      await statusIs(page, "cleared");
      await page.waitForFunction(() => document.querySelectorAll("#notes li").length === 0);

      // An app error whose kind is its own reaches the page's catch as the value.
      await page.fill("#note-input", "  ");
      await page.click('button:text-is("Add")');
      await statusIs(page, 'could not add: {"kind":"empty_note","message":"a note needs some text"}');
      assert.deepEqual((page as Page & { errors: Error[] }).errors, []);
      await page.close();
    });
  });
}
