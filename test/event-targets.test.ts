/**
 * Event targets follow Tauri v2's delivery rules (crates/tauri/src/event: `EventTarget`,
 * `emit_to`, and listeners' `match_any_or_filter`), over real connections of two windows,
 * `main` and `editor`. Each test names the rule it checks. A listener without a target
 * (what the ferry client sends by default) hears its own window only.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { allowAll, createApp, type App } from "ferry";
import { createClient, type Client, type EventTarget } from "ferry/client";
import { connectMemory } from "ferry/transports/memory";

let app: App;
let main: Client;
let editor: Client;

before(() => {
  app = createApp({ authorize: allowAll, log: () => {} });
  main = createClient(connectMemory(app, "main"));
  editor = createClient(connectMemory(app, "editor"));
});
after(() => app.close());

let n = 0;
/**
 * Registers a listener on `client` with `target`, runs `emit`, then a marker broadcast that
 * every listener hears, and returns the payloads the listener got before the marker.
 */
async function heard(client: Client, target: EventTarget | undefined, emit: (event: string) => Promise<void> | void): Promise<unknown[]> {
  const event = `rule-${n++}`;
  const got: unknown[] = [];
  let marked!: () => void;
  const marker = new Promise<void>((resolve) => (marked = resolve));
  const unlisten = await client.listen(
    event,
    (e) => (e.payload === "marker" ? marked() : got.push(e.payload)),
    target === undefined ? undefined : { target },
  );
  await emit(event);
  await main.emit(event, "marker");
  await marker;
  unlisten();
  return got;
}

test('"Any and all event targets": an Any listener hears emitTo to another window, and to the app', async () => {
  assert.deepEqual(await heard(main, { kind: "Any" }, (e) => main.emitTo("editor", e, "to editor")), ["to editor"]);
  assert.deepEqual(await heard(main, { kind: "Any" }, (e) => app.emitTo("editor", e, "backend to editor")), ["backend to editor"]);
  assert.deepEqual(await heard(main, { kind: "Any" }, (e) => main.emitTo({ kind: "App" }, e, "to app")), ["to app"]);
});

test('"AnyLabel: any Window, Webview or WebviewWindow that have this label": a listener for another label hears emits to it', async () => {
  // listen(event, h, { target: "editor" }) is AnyLabel; registered in main, it hears events for editor.
  assert.deepEqual(await heard(main, "editor", (e) => editor.emitTo("editor", e, "plain label")), ["plain label"]);
  assert.deepEqual(await heard(main, "editor", (e) => main.emitTo({ kind: "WebviewWindow", label: "editor" }, e, "webview window")), [
    "webview window",
  ]);
  assert.deepEqual(await heard(main, { kind: "Window", label: "editor" }, (e) => main.emitTo("editor", e, "any label")), ["any label"]);
  assert.deepEqual(await heard(main, "editor", (e) => main.emitTo("main", e, "to main")), [], "not events for other labels");
});

test("other targets match exactly: a Window listener does not hear an emit to the WebviewWindow of that label", async () => {
  assert.deepEqual(
    await heard(main, { kind: "Window", label: "editor" }, (e) => main.emitTo({ kind: "WebviewWindow", label: "editor" }, e, "x")),
    [],
  );
  assert.deepEqual(
    await heard(main, { kind: "Window", label: "editor" }, (e) => main.emitTo({ kind: "Window", label: "editor" }, e, "y")),
    ["y"],
  );
});

test("an emit to every target reaches every listener, whatever its target", async () => {
  assert.deepEqual(await heard(main, { kind: "Window", label: "editor" }, (e) => editor.emit(e, "all")), ["all"]);
  assert.deepEqual(await heard(main, { kind: "App" }, (e) => app.emit(e, "all")), ["all"]);
});

test("the App target: only Any and App listeners hear emitTo({ kind: App })", async () => {
  assert.deepEqual(await heard(main, { kind: "App" }, (e) => editor.emitTo({ kind: "App" }, e, "app")), ["app"]);
  assert.deepEqual(await heard(main, "main", (e) => editor.emitTo({ kind: "App" }, e, "app")), []);
});

test("ferry's default listener hears its own window: emitTo to another window does not reach it", async () => {
  assert.deepEqual(await heard(main, undefined, (e) => editor.emitTo("editor", e, "for editor")), []);
  assert.deepEqual(await heard(main, undefined, (e) => app.emitTo("editor", e, "for editor")), []);
  assert.deepEqual(await heard(main, undefined, (e) => editor.emitTo("main", e, "for main")), ["for main"]);
  assert.deepEqual(await heard(main, undefined, (e) => app.emitFilter(e, "filtered", (l) => l === "main")), ["filtered"]);
});

test("a bad target is refused with invalid_args", async () => {
  await assert.rejects(
    main.listen("x", () => {}, { target: { kind: "Elsewhere" } as never }),
    (e: unknown) => (e as { kind?: string }).kind === "invalid_args",
  );
});
