/**
 * Regression for the check-then-use race: the scope check resolved `allowed/d/f.txt` while
 * `d` was a directory, and the open that followed went through `d` after it had become a
 * symlink to `outside/`. The race is replayed deterministically: check, swap, then use.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { mkdir, mkdtemp, open, realpath, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FerryError } from "../protocol/errors.ts";
import { realPathOf } from "../acl/paths.ts";
import { assertOpenedAt, assertStillResolves, openRegularFile, NotARegularFile } from "./fs-verify.ts";

let root: string;
const refused = (e: unknown) => e instanceof FerryError && e.kind === "permission_denied";

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), "ferry-fs-verify-")));
  await mkdir(join(root, "allowed/d"), { recursive: true });
  await mkdir(join(root, "outside"));
  await writeFile(join(root, "allowed/d/f.txt"), "inside");
  await writeFile(join(root, "outside/f.txt"), "OUTSIDE SECRET");
  execFileSync("mkfifo", [join(root, "allowed/fifo")]);
  execFileSync("mkfifo", [join(root, "outside/fifo")]);
});

after(() => rm(root, { recursive: true, force: true }));

test("a handle opened through a directory swapped after the check is refused", async () => {
  const checked = await realPathOf(join(root, "allowed/d/f.txt"));
  assert.equal(checked, join(root, "allowed/d/f.txt"));
  // Unchanged: the opened file is the checked one.
  const same = await open(checked, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await assertOpenedAt(same, checked);
    await assertStillResolves(checked);
    await assertStillResolves(checked, false);
  } finally {
    await same.close();
  }
  // The other actor swaps `d` for a symlink between check and use; O_NOFOLLOW guards only the leaf.
  await rename(join(root, "allowed/d"), join(root, "allowed/d.real"));
  await symlink(join(root, "outside"), join(root, "allowed/d"));
  try {
    const swapped = await open(checked, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      await assert.rejects(assertOpenedAt(swapped, checked), refused);
    } finally {
      await swapped.close();
    }
    await assert.rejects(assertStillResolves(checked), refused);
    await assert.rejects(assertStillResolves(checked, false), refused);
    await assert.rejects(assertStillResolves(join(root, "allowed/d")), refused);
  } finally {
    await rm(join(root, "allowed/d"));
    await rename(join(root, "allowed/d.real"), join(root, "allowed/d"));
  }
});

test("a handle to some other file is refused", async () => {
  const h = await open(join(root, "outside/f.txt"), constants.O_RDONLY);
  try {
    await assert.rejects(assertOpenedAt(h, join(root, "allowed/d/f.txt")), refused);
  } finally {
    await h.close();
  }
});

const wrongType = (found: string) => (e: unknown) => e instanceof NotARegularFile && e.found === found;

test("openRegularFile opens a regular file and refuses anything else without waiting", async () => {
  const h = await openRegularFile(join(root, "allowed/d/f.txt"), constants.O_RDONLY);
  try {
    assert.equal((await h.readFile()).toString(), "inside");
  } finally {
    await h.close();
  }
  const fifo = join(root, "allowed/fifo");
  // Reading: open(2) returns at once under O_NONBLOCK, fstat refuses. Writing: no reader, ENXIO.
  await assert.rejects(openRegularFile(fifo, constants.O_RDONLY), wrongType("fifo"));
  await assert.rejects(openRegularFile(fifo, constants.O_WRONLY | constants.O_CREAT), wrongType("fifo"));
  await assert.rejects(openRegularFile(join(root, "allowed"), constants.O_RDONLY), wrongType("directory"));
  await assert.rejects(openRegularFile(join(root, "allowed"), constants.O_WRONLY), wrongType("directory"));
  await assert.rejects(openRegularFile("/dev/null", constants.O_WRONLY | constants.O_APPEND), wrongType("character device"));
});

test("openRegularFile refuses a swapped path as moved, without naming what is outside", async () => {
  const checked = join(root, "allowed/d/fifo");
  await rename(join(root, "allowed/d"), join(root, "allowed/d.real"));
  await symlink(join(root, "outside"), join(root, "allowed/d"));
  try {
    await assert.rejects(openRegularFile(checked, constants.O_RDONLY), refused);
  } finally {
    await rm(join(root, "allowed/d"));
    await rename(join(root, "allowed/d.real"), join(root, "allowed/d"));
  }
});
