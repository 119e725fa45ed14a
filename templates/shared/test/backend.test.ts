// The backend's commands called for real, as the page calls them: through ferry's in-memory
// transport (every frame encoded and decoded as on the socket), with the capabilities of
// capabilities/default.json and the data folder in a temp directory.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Channel, createClient } from "ferry/client";
import { appDirs, loadAppConfig } from "ferry/config";
import { connectMemory } from "ferry/transports/memory";
import { createBackend, type App, type Progress } from "../backend/main.ts";

const dir = fileURLToPath(new URL("..", import.meta.url));
let data = "";
let app: App;

before(async () => {
  data = await mkdtemp(join(tmpdir(), "app-test-"));
  const config = await loadAppConfig(dir);
  app = createBackend({ dev: true, dir, config, dirs: { ...appDirs(config.identifier), appData: data }, plugins: [] });
});

after(async () => {
  app.close();
  await rm(data, { recursive: true, force: true });
});

const connect = (window = "main") => createClient<App>(connectMemory(app, window));

test("notes are added, listed, kept in the data folder and deleted", async () => {
  const api = connect();
  const note = await api.invoke("add_note", { text: "  buy milk  " });
  assert.equal(note.text, "buy milk");
  assert.deepEqual(
    (await api.invoke("list_notes")).map((n) => n.text),
    ["buy milk"],
  );
  const saved = JSON.parse(await readFile(join(data, "notes.json"), "utf8")) as { id: string }[];
  assert.deepEqual(
    saved.map((n) => n.id),
    [note.id],
  );
  await api.invoke("delete_note", { id: note.id });
  assert.deepEqual(await api.invoke("list_notes"), []);
  api.close();
});

test("bad input is refused with the schema's message", async () => {
  const api = connect();
  await assert.rejects(api.invoke("add_note", { text: "   " }), (e: { kind: string; message: string }) => {
    assert.equal(e.kind, "invalid_args");
    assert.match(e.message, /write something first/);
    return true;
  });
  await assert.rejects(api.invoke("delete_note", { id: "nope" }), { kind: "not_found" });
  api.close();
});

test("every window hears notes-changed; unlisten stops it", async () => {
  const api = connect();
  const heard: number[] = [];
  const unlisten = await api.listen("notes-changed", (e) => heard.push(e.payload.count));
  const first = new Promise((resolve) => void api.once("notes-changed", resolve));
  await api.invoke("add_note", { text: "one" });
  await first;
  assert.deepEqual(heard, [1]);
  unlisten();
  await api.invoke("add_note", { text: "two" });
  await api.invoke("list_notes"); // a round trip after the event: it would have arrived by now
  assert.deepEqual(heard, [1]);
  api.close();
});

test("export_notes streams its progress and writes the file under the data folder", async () => {
  const api = connect();
  const total = (await api.invoke("list_notes")).length;
  assert.ok(total > 0);
  const seen: Progress[] = [];
  const result = await api.invoke("export_notes", { progress: new Channel<Progress>((p) => seen.push(p)) });
  assert.equal(result.count, total);
  assert.equal(result.path, join(data, "exports", "notes.md"));
  assert.deepEqual(seen.at(-1), { done: total, total });
  assert.equal(seen.length, total);
  assert.match(await readFile(result.path, "utf8"), /- .*: one\n- .*: two\n/);
  api.close();
});

test("a window the capabilities do not name may call nothing", async () => {
  const api = connect("other");
  await assert.rejects(api.invoke("list_notes"), { kind: "permission_denied" });
  api.close();
});
