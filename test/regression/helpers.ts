/** Shared set-up for regression tests: a real temp dir and one window on the memory transport. */

import assert from "node:assert/strict";
import { mkdtemp, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, FerryError } from "ferry";
import { connectMemory } from "ferry/transports/memory";
import { AccessControl } from "ferry/acl";
import { fsPlugin, type FsPluginOptions } from "ferry/plugins/fs";
import { createClient } from "ferry/client";
import type { PermissionEntry } from "ferry/acl";

export async function tempDir(prefix: string): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), `ferry-${prefix}-`)));
}

/** An app with the fs plugin and one window "w" holding `permissions`. */
export function fsWindow(permissions: PermissionEntry[], options: FsPluginOptions = {}, dev = false) {
  const fs = fsPlugin(options);
  const access = new AccessControl({ commands: [], plugins: [fs], capabilities: [{ identifier: "w", windows: ["w"], permissions }] });
  const app = createApp({ plugins: [fs], authorize: access.authorize, log: () => {}, dev });
  const w = createClient(connectMemory(app, "w"));
  const fsCall = (cmd: string, args: Record<string, unknown>) => w.invoke(`plugin:fs|${cmd}`, args);
  return { fs, app, w, fsCall };
}

/** Asserts that `p` rejects with a FerryError of `kind`; returns it. */
export async function rejectsWith(p: Promise<unknown>, kind: string): Promise<FerryError> {
  let caught: unknown;
  await assert.rejects(p, (err: unknown) => {
    caught = err;
    assert.ok(err instanceof FerryError, `expected a FerryError, got ${String(err)}`);
    assert.equal(err.kind, kind, `${err.kind}: ${err.message}`);
    return true;
  });
  return caught as FerryError;
}
