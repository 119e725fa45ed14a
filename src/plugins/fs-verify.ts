/**
 * Closing the gap between the scope check and the use of a path. The check resolves a
 * path to its real path; by the time the file is opened, an intermediate directory may have
 * been swapped for a symlink. Node has no `openat`, so the fs plugin checks afterwards:
 * an opened handle must be the checked file, and a path used by name must still resolve
 * to itself right before use. Either mismatch refuses the call.
 *
 * Also opening only what a command expects: a file is opened non-blocking and its handle
 * must be a regular file. A blocking open(2) of a FIFO waits for the other end in one of
 * libuv's four threads, and four such waits froze every fs call and static file of the app.
 */

import { constants, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { lstat, open, realpath } from "node:fs/promises";
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

/** Thrown when a path where a command expects a regular file names something else. */
export class NotARegularFile extends Error {
  constructor(
    /** What the path is: `directory`, `fifo`, `socket`, `character device`, `block device` … */
    readonly found: string,
  ) {
    super(`expected a regular file, found a ${found}`);
    this.name = "NotARegularFile";
  }
}

/** The kind of file `s` describes, as messages name it. */
export function fileTypeOf(s: Stats): string {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "directory";
  if (s.isFIFO()) return "fifo";
  if (s.isSocket()) return "socket";
  if (s.isCharacterDevice()) return "character device";
  if (s.isBlockDevice()) return "block device";
  if (s.isSymbolicLink()) return "symbolic link";
  return "special file";
}

/**
 * Never wait in open(2) (a FIFO without its other end, a serial line), never follow a leaf
 * link (the checked path is already real), never become the process's controlling terminal.
 */
const NO_WAIT = constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY;

/**
 * Opens the checked file `real` with `flags` (plus `O_NONBLOCK | O_NOFOLLOW | O_NOCTTY`) and
 * returns the handle only if it is a regular file at `real`; otherwise closes it and throws
 * `NotARegularFile` (or `permission_denied` from {@link assertOpenedAt}). Nothing here blocks a
 * thread: a FIFO opened for reading opens at once and is refused by its `fstat`; one opened
 * for writing with no reader, a socket, or a directory opened for writing fail in open(2)
 * (`ENXIO`, `EISDIR`) and are refused the same way. O_NONBLOCK is left on the handle: reads
 * and writes of a regular file ignore it. Truncate only after this returns.
 */
export async function openRegularFile(real: string, flags: number, mode?: number): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(real, flags | NO_WAIT, mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENXIO" && code !== "EISDIR") throw err;
    // Only to name it in the message; the refusal does not depend on it.
    const info = await lstat(real).catch(() => undefined);
    throw new NotARegularFile(info ? fileTypeOf(info) : code === "EISDIR" ? "directory" : "special file");
  }
  try {
    // Where first: a file outside the scope is refused as such, its type never named.
    await assertOpenedAt(handle, real);
    const info = await handle.stat();
    if (!info.isFile()) throw new NotARegularFile(fileTypeOf(info));
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}
