/**
 * Closing the gap between the scope check and the use of a path. The check resolves a
 * path to its real path; by the time the file is opened, an intermediate directory may have
 * been swapped for a symlink. Node has no `openat`, so the fs plugin checks afterwards:
 * an opened handle must be the checked file, and a path used by name must still resolve
 * to itself right before use. Either mismatch refuses the call.
 */

import type { FileHandle } from "node:fs/promises";
import { lstat, realpath } from "node:fs/promises";
import { posix } from "node:path";
import { FerryError } from "../protocol/errors.ts";
import { realPathOf } from "../acl/paths.ts";

const moved = () => new FerryError("permission_denied", "the path changed while it was being used, refused");

/**
 * Throws `permission_denied` unless `handle` is the file at `real` (the checked real path).
 * On Linux the kernel names the opened file (`/proc/self/fd/<fd>`); elsewhere its device
 * and inode must equal those of a fresh `lstat` of `real`.
 */
export async function assertOpenedAt(handle: FileHandle, real: string): Promise<void> {
  if (process.platform === "linux") {
    let opened: string | undefined;
    try {
      opened = await realpath(`/proc/self/fd/${handle.fd}`);
    } catch {
      opened = undefined; // no /proc: fall back to comparing inodes
    }
    if (opened !== undefined) {
      if (opened !== real) throw moved();
      return;
    }
  }
  const [have, want] = await Promise.all([handle.stat(), lstat(real).catch(() => undefined)]);
  if (!want || have.dev !== want.dev || have.ino !== want.ino) throw moved();
}

/**
 * Throws `permission_denied` unless `real` (or, with `leaf` false, its parent) still
 * resolves to itself: no component has become a symlink since the check.
 */
export async function assertStillResolves(real: string, leaf = true): Promise<void> {
  const at = leaf ? real : posix.dirname(real);
  if ((await realPathOf(at)) !== at) throw moved();
}
