/**
 * Regression: `decide()` treated any origin not named by `remote.urls` as the app's own, and
 * dialog picks were kept per window label only, so a remote page loaded into a window
 * inherited what the local page had picked. With `localOrigins` a foreign origin gets
 * nothing; picks are kept per (window, origin).
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createApp } from "ferry";
import { AccessControl } from "ferry/acl";
import { fsPlugin } from "ferry/plugins/fs";
import { dialogPlugin } from "ferry/plugins/dialog";
import { serveWs } from "ferry/transports/ws";
import { wsClientTransport } from "ferry/client/node";
import { createClient } from "ferry/client";
import { rejectsWith, tempDir } from "./helpers.ts";

const capabilities = [
  { identifier: "default", windows: ["main"], permissions: ["allow-greet"] },
  {
    identifier: "web",
    windows: ["main"],
    local: false,
    remote: { urls: ["https://docs.example.com/*"] },
    permissions: ["allow-start-job"],
  },
];

test("with localOrigins, an origin neither local nor remote gets nothing", () => {
  const a = new AccessControl({ commands: ["greet", "start_job"], capabilities, localOrigins: () => ["http://127.0.0.1:1420"] });
  assert.equal(a.decide("main", "greet", false, "http://127.0.0.1:1420").allowed, true);
  assert.equal(a.decide("main", "greet").allowed, true, "no origin (in-process) is local");
  assert.equal(a.decide("main", "start_job", false, "https://docs.example.com").allowed, true);
  assert.equal(a.decide("main", "greet", false, "http://localhost:5173").allowed, false);
  assert.equal(a.decide("main", "greet", false, "https://docs.example.com.evil.io").allowed, false);
  // The local decision was not poisoned by the foreign one sharing its label.
  assert.equal(a.decide("main", "greet", false, "http://127.0.0.1:1420").allowed, true);
  // Without localOrigins the old, documented behaviour stays.
  const legacy = new AccessControl({ commands: ["greet", "start_job"], capabilities });
  assert.equal(legacy.decide("main", "greet", false, "http://localhost:5173").allowed, true);
});

test("a remote page in the same window does not inherit the local page's dialog picks", async () => {
  const dir = await tempDir("origin-picks");
  const bin = join(dir, "bin");
  await mkdir(bin);
  await writeFile(join(dir, "picked.txt"), "picked");
  await writeFile(join(bin, "zenity"), `#!/bin/sh\nprintf '%s\\n' '${join(dir, "picked.txt")}'\n`);
  await chmod(join(bin, "zenity"), 0o755);
  const fs = fsPlugin();
  const dialog = dialogPlugin({ fs, env: { PATH: bin, DISPLAY: ":0" }, platform: "linux" });
  let server: Awaited<ReturnType<typeof serveWs>> | undefined;
  const acl = new AccessControl({
    commands: [],
    plugins: [fs, dialog],
    capabilities: [
      { identifier: "local", windows: ["main"], permissions: ["dialog:allow-open", "fs:allow-read-text-file"] },
      {
        identifier: "web",
        windows: ["main"],
        local: false,
        remote: { urls: ["https://docs.example.com"] },
        permissions: ["fs:allow-read-text-file"],
      },
    ],
    localOrigins: () => (server ? [server.origin] : []),
  });
  const app = createApp({ plugins: [fs, dialog], authorize: acl.authorize, log: () => {} });
  server = await serveWs(app, { windows: ["main"], origins: acl.remoteOrigins(), log: () => {} });
  const { token } = server.window("main");
  const local = createClient(wsClientTransport(server.wsUrl, { token, origin: server.origin }));
  const remote = createClient(wsClientTransport(server.wsUrl, { token, origin: "https://docs.example.com" }));
  try {
    const path = join(dir, "picked.txt");
    assert.equal(await local.invoke("plugin:dialog|open", {}), path);
    assert.equal(await local.invoke("plugin:fs|read_text_file", { path }), "picked");
    await rejectsWith(remote.invoke("plugin:fs|read_text_file", { path }), "permission_denied");
  } finally {
    local.close();
    remote.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
