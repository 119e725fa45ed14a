/**
 * The tutorial's first gotcha, a missing registration: in dev mode the app lists at
 * start-up, once, the commands capabilities grant that no code registers and the commands
 * it registers that no capability grants. Outside dev mode it says nothing.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allowAll, createApp, type LogEntry } from "ferry";
import { loadAccessSync } from "ferry/acl";

const greet = () => "hi";

async function withAccess(fn: (authorize: ReturnType<typeof loadAccessSync>["authorize"]) => void): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "ferry-registration-"));
  try {
    // What the access rules were told the app has: greet, start_job, orphan; they grant greet and start_job.
    const access = loadAccessSync({
      root,
      commands: ["greet", "start_job", "orphan"],
      capabilities: [{ identifier: "main", windows: ["main"], permissions: ["allow-greet", "allow-start-job", "core:event:default"] }],
    });
    fn(access.authorize);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test("dev mode: a granted command no code registers, and a registered one nothing grants, each named once", async () => {
  await withAccess((authorize) => {
    const logs: LogEntry[] = [];
    // The app forgot start_job, and registers orphan, which no capability grants.
    const app = createApp({ dev: true, authorize, commands: { greet, orphan: greet }, log: (e) => logs.push(e) });
    const warnings = logs.filter((e) => e.level === "warn").map((e) => e.message);
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(warnings[0]!, /^capabilities grant "start_job", which no code registers: add it to createApp\(\{ commands \}\)/);
    assert.match(
      warnings[1]!,
      /^no capability grants "orphan": every call will be denied; grant it in capabilities\/ \(e\.g\. "allow-orphan"\)/,
    );
    assert.ok(!warnings.join("\n").includes('"greet"'), "greet is granted and registered");
    app.close();
  });
});

test("outside dev mode, and with allowAll, nothing is listed", async () => {
  await withAccess((authorize) => {
    const logs: LogEntry[] = [];
    createApp({ authorize, commands: { greet, orphan: greet }, log: (e) => logs.push(e) }).close();
    createApp({ dev: true, authorize: allowAll, commands: { greet }, log: (e) => logs.push(e) }).close();
    assert.deepEqual(logs, []);
  });
});

test("dev mode: registering the granted command silences its line; the ungranted one stays", async () => {
  await withAccess((authorize) => {
    const logs: LogEntry[] = [];
    createApp({ dev: true, authorize, commands: { greet, start_job: greet, orphan: greet }, log: (e) => logs.push(e) }).close();
    assert.deepEqual(
      logs.map((e) => e.message),
      ['no capability grants "orphan": every call will be denied; grant it in capabilities/ (e.g. "allow-orphan")'],
    );
  });
});
