/**
 * `FERRY_LOG=ipc`: one structured line per call and backend emit, naming window, command or
 * event, duration and outcome, and never a value or a token.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createApp, FerryError, type IpcLogLine } from "ferry";
import { wsHarness } from "./support/transports.ts";
import { rejection } from "./support/wait.ts";

test("each call and emit is one line: window, name, duration, bytes, outcome; no args, results or payloads", async () => {
  const lines: IpcLogLine[] = [];
  const app = createApp({
    authorize: ({ command }) => command !== "secret_cmd",
    ipcLog: (line) => lines.push(line),
    log: () => {},
    commands: {
      greet: ({ name }: { name: string }) => `Hello, ${name}!`,
      missing: () => {
        throw new FerryError("not_found", "no such thing", { path: "/very/private" });
      },
      secret_cmd: () => "x",
    },
  });
  const server = await wsHarness.start(app);
  try {
    const page = await server.connect("main");
    assert.equal(await page.invoke("greet", { name: "private-name" }), "Hello, private-name!");
    await rejection(page.invoke("missing"));
    await rejection(page.invoke("secret_cmd"));
    await rejection(page.invoke("gret"));
    app.emit("job-progress", { secret: "payload-value" });
    await page.listen("job-done", () => {});
    app.emit("job-done", { n: 12345 });
    const calls = lines.filter((l) => l.type === "call" && l.name !== "plugin:event|listen");
    assert.deepEqual(
      calls.map((l) => [l.window, l.name, l.outcome]),
      [
        ["main", "greet", "ok"],
        ["main", "missing", "not_found"],
        ["main", "secret_cmd", "permission_denied"],
        ["main", "gret", "command_not_found"],
      ],
    );
    for (const l of calls) assert.ok(typeof l.ms === "number" && l.ms >= 0);
    // Bytes sent: the result frame of a call that succeeded, nothing for a failure.
    const greetFrame = `{"t":"r","id":1,"v":"Hello, private-name!"}`.length;
    assert.deepEqual(
      calls.map((l) => l.bytes),
      [greetFrame, 0, 0, 0],
    );
    // An event's encoded payload; 0 when no page listens (it is not encoded then).
    const events = lines.filter((l) => l.type === "event");
    assert.deepEqual(events, [
      { type: "event", window: "backend", name: "job-progress", bytes: 0, outcome: "ok" },
      { type: "event", window: "backend", name: "job-done", bytes: JSON.stringify({ n: 12345 }).length, outcome: "ok" },
    ]);
    const text = JSON.stringify(lines);
    for (const secret of ["private-name", "Hello", "/very/private", "payload-value"]) assert.ok(!text.includes(secret), secret);
  } finally {
    await server.stop();
  }
});

test("FERRY_LOG=ipc turns the log on, as JSON lines on stderr; without it nothing is written", () => {
  const script = `
    import { allowAll, createApp } from "ferry";
    import { connectMemory } from "ferry/transports/memory";
    import { createClient } from "ferry/client";
    const app = createApp({ authorize: allowAll, commands: { greet: () => "hi" } });
    const page = createClient(connectMemory(app, "main"));
    await page.invoke("greet");
    page.close();
    app.close();
  `;
  const run = (FERRY_LOG: string) =>
    spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, FERRY_LOG } });
  const on = run("warn,ipc");
  assert.equal(on.status, 0, on.stderr);
  const line = on.stderr.split("\n").find((l) => l.startsWith("[ferry] ipc "));
  assert.ok(line, on.stderr);
  const parsed = JSON.parse(line.slice("[ferry] ipc ".length)) as IpcLogLine;
  assert.deepEqual(
    { ...parsed, ms: 0 },
    { type: "call", window: "main", name: "greet", ms: 0, bytes: `{"t":"r","id":1,"v":"hi"}`.length, outcome: "ok" },
  );
  const off = run("");
  assert.equal(off.status, 0, off.stderr);
  assert.ok(!off.stderr.includes("[ferry] ipc"), off.stderr);
});
