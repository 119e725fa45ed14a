/**
 * The `fs` plugin: Tauri plugin-fs's commands (same names and args), each path checked
 * against the calling window's fs scope before anything touches the disk. Non-blocking
 * `fs/promises` only. Scopes come from the window's grants plus paths its dialogs picked;
 * they are never shared between windows.
 */

import { constants } from "node:fs";
import { lstat, mkdir, readdir, rename, stat, rmdir, unlink, type FileHandle } from "node:fs/promises";
import type { Stats } from "node:fs";
import { addResource, closeResource, getResource } from "./resources.ts";
import { FsWatch, MAX_WATCH_PATHS, watchDelay } from "./fs-watch.ts";
import { Channel } from "../backend/channel.ts";
import { FerryError } from "../protocol/errors.ts";
import { assertStillResolves, NotARegularFile, openRegularFile } from "./fs-verify.ts";
import type { PluginContext } from "../backend/app.ts";
import { defaultPathVariables, PathScope, resolveScopedPath, type LiteralPath, type PathVariables } from "../acl/paths.ts";
import type { CommandScope, PermissionDef, PermissionManifest, PermissionSetDef } from "../acl/types.ts";

/** Options of `fsPlugin`: the app's identity and folders, which give the scope variables (`$APPDATA` …). */
export interface FsPluginOptions {
  /** The app's identifier, naming its folders (`$APPDATA` = `$DATA/<identifier>`). */
  identifier?: string;
  /** The app's resource folder (`$RESOURCE`). */
  resourceDir?: string;
  /** Overrides for path variables (names without `$`), e.g. in tests. */
  variables?: PathVariables;
}

const READ = [
  "read_text_file",
  "read_file",
  "read_dir",
  "exists",
  "stat",
  "lstat",
  "fstat",
  "size",
  "open",
  "read",
  "seek",
  "read_text_file_lines",
  "read_text_file_lines_next",
  "watch",
  "unwatch",
] as const;
const WRITE = [
  "write_text_file",
  "write_file",
  "mkdir",
  "remove",
  "rename",
  "copy_file",
  "truncate",
  "ftruncate",
  "create",
  "write",
] as const;
const hy = (c: string) => `allow-${c.replace(/_/g, "-")}`;

const SCOPE_DIRS: Record<string, string> = {
  app: "$APPDATA",
  appconfig: "$APPCONFIG",
  appdata: "$APPDATA",
  applocaldata: "$APPLOCALDATA",
  appcache: "$APPCACHE",
  applog: "$APPLOG",
  home: "$HOME",
  temp: "$TEMP",
  resource: "$RESOURCE",
  document: "$DOCUMENT",
  download: "$DOWNLOAD",
  desktop: "$DESKTOP",
  picture: "$PICTURE",
  audio: "$AUDIO",
  video: "$VIDEO",
};

/** plugin-fs's permission names: command groups, and scope-<dir>[-recursive] / allow-<dir>-read|write[-recursive]. */
function fsManifest(): PermissionManifest {
  const permissions: PermissionDef[] = [];
  const sets: PermissionSetDef[] = [
    { identifier: "read-all", description: "Every read command (no scope by itself).", permissions: READ.map(hy) },
    { identifier: "write-all", description: "Every write command (no scope by itself).", permissions: WRITE.map(hy) },
    {
      identifier: "read-files",
      description: "Reading files.",
      permissions: ["allow-read-text-file", "allow-read-file", "allow-exists", "allow-stat"],
    },
    {
      identifier: "write-files",
      description: "Writing and removing files.",
      permissions: ["allow-write-text-file", "allow-write-file", "allow-remove"],
    },
    { identifier: "read-dirs", description: "Listing directories.", permissions: ["allow-read-dir", "allow-exists", "allow-stat"] },
  ];
  for (const [name, dir] of Object.entries(SCOPE_DIRS)) {
    permissions.push({
      identifier: `scope-${name}`,
      description: `Scope: ${dir} and its direct entries.`,
      scope: { allow: [{ path: dir }, { path: `${dir}/*` }] },
    });
    permissions.push({
      identifier: `scope-${name}-recursive`,
      description: `Scope: everything under ${dir}.`,
      scope: { allow: [{ path: dir }, { path: `${dir}/**` }] },
    });
    sets.push({
      identifier: `allow-${name}-read-recursive`,
      description: `Read everything under ${dir}.`,
      permissions: ["read-all", `scope-${name}-recursive`],
    });
    sets.push({
      identifier: `allow-${name}-write-recursive`,
      description: `Write everything under ${dir}.`,
      permissions: ["write-all", `scope-${name}-recursive`],
    });
  }
  permissions.push({ identifier: "scope", description: "A scope to widen with allow/deny entries in a capability." });
  return {
    default: {
      description: "Read access to the app's own folders.",
      permissions: ["read-all", "scope-app-recursive", "scope-appconfig-recursive"],
    },
    permissions,
    sets,
  };
}

const asOptions = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});

function ioError(err: unknown, path: string): FerryError {
  if (err instanceof FerryError) return err;
  if (err instanceof NotARegularFile) {
    return new FerryError("not_a_file", `${path} is a ${err.found}, not a regular file`, { path, type: err.found });
  }
  const e = err as NodeJS.ErrnoException;
  if (e.name === "AbortError") return new FerryError("cancelled", "the call was cancelled");
  const data = { path, code: e.code };
  if (e.code === "ENOENT") return new FerryError("not_found", `no such file or directory: ${path}`, data);
  if (e.code === "EEXIST") return new FerryError("already_exists", `already exists: ${path}`, data);
  if (e.code === "ELOOP") return new FerryError("permission_denied", `${path} is a symbolic link, refused`, data);
  if (e.code === "ENOTDIR") return new FerryError("not_a_directory", `not a directory: ${path}`, data);
  return new FerryError("io", `${e.code ?? "io error"}: ${path}`, data);
}

/**
 * The permission bits of a page's `mode` option, or undefined when it has none. Only 0o777
 * is ever used: a page never sets setuid, setgid or sticky. Anything up to 0o177777 is taken
 * (a mode from `stat`, file type bits included, as the kernel takes it); a mode that is not
 * an integer in that range is `invalid_args`.
 */
function pageMode(mode: unknown): number | undefined {
  if (mode === undefined || mode === null) return undefined;
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || mode > 0o177777) {
    throw new FerryError("invalid_args", "options.mode must be an integer from 0 to 0o177777 (only its 0o777 permission bits are used)");
  }
  return mode & 0o777;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Uint8Array.from(data as number[]);
  throw new FerryError("invalid_args", "data must be bytes (Uint8Array, ArrayBuffer or an array of 0..255)");
}

function fileInfo(s: Stats, isSymlink: boolean) {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink,
    size: s.size,
    mtime: s.mtimeMs,
    atime: s.atimeMs,
    birthtime: s.birthtimeMs,
    readonly: (s.mode & 0o200) === 0,
    fileAttributes: null,
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    blksize: s.blksize,
    blocks: s.blocks,
  };
}

/** Largest `len` of one `FileHandle.read` call. */
const MAX_READ = 16 * 1024 * 1024;
/** Longest line `readTextFileLines` returns; a longer one is an error, never held whole. */
const MAX_LINE = 16 * 1024 * 1024;

/** A byte count a page sent (`len`): a non-negative integer, 0 when absent. */
function length(v: unknown, name: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
    throw new FerryError("invalid_args", `${name} must be a non-negative integer`);
  return v;
}

/** A file a page opened (`open`, `create`): the handle and the position its reads and writes use. */
class OpenFile {
  position = 0;
  constructor(
    readonly handle: FileHandle,
    readonly append: boolean,
  ) {}
  close(): Promise<void> {
    return this.handle.close();
  }
}

/** `readTextFileLines`' reader: one line a call, as UTF-8 bytes plus a last byte 0, or `[1]` at the end. */
class LineReader {
  private buffered = new Uint8Array(0);
  private done = false;
  constructor(private readonly handle: FileHandle) {}

  async next(): Promise<Uint8Array> {
    for (;;) {
      const nl = this.buffered.indexOf(0x0a);
      if (nl >= 0 || (this.done && this.buffered.length > 0)) {
        const end = nl >= 0 ? nl : this.buffered.length;
        const line = this.buffered.subarray(0, end > 0 && this.buffered[end - 1] === 0x0d ? end - 1 : end);
        const out = new Uint8Array(line.length + 1);
        out.set(line);
        this.buffered = this.buffered.subarray(nl >= 0 ? nl + 1 : end);
        return out;
      }
      if (this.done) return Uint8Array.of(1);
      if (this.buffered.length > MAX_LINE) throw new FerryError("io", `a line is longer than ${MAX_LINE} bytes`);
      const chunk = new Uint8Array(64 * 1024);
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) this.done = true;
      else {
        const joined = new Uint8Array(this.buffered.length + bytesRead);
        joined.set(this.buffered);
        joined.set(chunk.subarray(0, bytesRead), this.buffered.length);
        this.buffered = joined;
      }
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Bytes under `path`: a file's size, or a folder's files' sizes summed (links not followed), as plugin-fs's `size`. */
async function sizeOf(path: string, signal: AbortSignal): Promise<number> {
  const info = await lstat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    signal.throwIfAborted();
    const child = `${path === "/" ? "" : path}/${entry.name}`;
    total += entry.isDirectory() ? await sizeOf(child, signal) : (await lstat(child)).size;
  }
  return total;
}

/** The fs plugin with the per-window scope additions dialogs make. */
export interface FsPlugin {
  name: "fs";
  commands: Record<string, (args: any, ctx: PluginContext) => unknown>;
  permissions: PermissionManifest;
  /** The path variables scopes expand. */
  readonly variables: PathVariables;
  /**
   * Adds one exact path (not a pattern) to a window's scope, as a dialog pick does. With
   * `origin`, only pages on that origin in the window get it (a remote page loaded into the
   * same window later does not inherit what the local page picked).
   */
  allowPath(window: string, path: string, options?: { recursive?: boolean; origin?: string | undefined }): void;
}

/** Picks are kept per window label and page origin. */
const pickKey = (window: string, origin: string | undefined) => (origin === undefined ? window : `${window}\n${origin}`);

/**
 * Creates the fs plugin.
 *
 * @example
 * const fs = fsPlugin({ identifier: "com.example.notes" });
 * createApp({ plugins: [fs], authorize: access.authorize });
 */
export function fsPlugin(options: FsPluginOptions = {}): FsPlugin {
  const variables: PathVariables = {
    ...defaultPathVariables({
      identifier: options.identifier ?? "ferry.app",
      ...(options.resourceDir ? { resourceDir: options.resourceDir } : {}),
    }),
    ...options.variables,
  };
  const compiled = new WeakMap<CommandScope, Promise<PathScope>>();
  const picked = new Map<string, { entries: LiteralPath[]; scope?: Promise<PathScope> }>();
  const none: CommandScope = { allow: [], deny: [] };

  const scopeOf = async (ctx: PluginContext): Promise<PathScope> => {
    const granted = ctx.scope ?? none;
    let base = compiled.get(granted);
    if (!base) compiled.set(granted, (base = PathScope.compile(granted, variables)));
    const extra = picked.get(pickKey(ctx.window, ctx.connection.origin));
    if (!extra) return base;
    extra.scope ??= PathScope.compile({ allow: extra.entries, deny: [] }, variables);
    return PathScope.merge(await base, await extra.scope);
  };

  const checked = async (args: { path?: unknown; options?: unknown }, ctx: PluginContext, followLeaf = true): Promise<string> =>
    (await checkedIn(args, ctx, followLeaf)).real;

  const checkedIn = async (args: { path?: unknown; options?: unknown }, ctx: PluginContext, followLeaf = true) => {
    const scope = await scopeOf(ctx);
    const real = await resolveScopedPath(
      { path: args.path, baseDir: asOptions(args.options).baseDir, followLeaf, dev: ctx.app.dev },
      scope,
      variables,
    );
    return { real, scope };
  };

  /**
   * Removes a directory tree only if the window may touch every entry in it: the tree is
   * walked first without following links, each entry checked against the scope, and then
   * exactly the walked entries are deleted, deepest first. An entry that appears after the
   * walk makes its directory's `rmdir` fail instead of being deleted unchecked.
   */
  const removeTree = async (top: string, scope: PathScope, signal: AbortSignal): Promise<void> => {
    const order: { path: string; dir: boolean }[] = [];
    const walk = async (dir: string): Promise<void> => {
      signal.throwIfAborted();
      for (const name of await readdir(dir)) {
        const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
        if (!scope.allows(path)) {
          throw new FerryError("permission_denied", "remove refused: the directory holds entries outside this window's fs scope", {
            path: top,
          });
        }
        const info = await lstat(path);
        if (info.isDirectory()) await walk(path);
        order.push({ path, dir: info.isDirectory() });
      }
    };
    await walk(top);
    for (const e of order) {
      signal.throwIfAborted();
      await assertStillResolves(e.path, false);
      await (e.dir ? rmdir(e.path) : unlink(e.path));
    }
    await rmdir(top);
  };

  const readBytes = async (real: string, signal: AbortSignal): Promise<Uint8Array> => {
    const handle = await openRegularFile(real, constants.O_RDONLY);
    try {
      return await handle.readFile({ signal });
    } finally {
      await handle.close();
    }
  };

  const writeBytes = async (real: string, data: Uint8Array | string, opts: Record<string, unknown>, signal: AbortSignal) => {
    let flags = constants.O_WRONLY;
    if (opts.createNew === true) flags |= constants.O_CREAT | constants.O_EXCL;
    else if (opts.create !== false) flags |= constants.O_CREAT;
    // Truncation waits until the handle is known to be the checked file, and a regular one.
    if (opts.append === true) flags |= constants.O_APPEND;
    const handle = await openRegularFile(real, flags, pageMode(opts.mode) ?? 0o666);
    try {
      if (opts.append !== true) await handle.truncate(0);
      await handle.writeFile(data, { signal });
    } finally {
      await handle.close();
    }
  };

  /** `open` / `create`: plugin-fs's `OpenOptions` (read by default), the file checked and held for the page. */
  const openHandle = async (args: { path?: unknown; options?: unknown }, ctx: PluginContext, opts: Record<string, unknown>) => {
    const write = opts.write === true || opts.append === true;
    const read = opts.read === true || (opts.read === undefined && !write);
    let flags = read && write ? constants.O_RDWR : write ? constants.O_WRONLY : constants.O_RDONLY;
    if (opts.append === true) flags |= constants.O_APPEND;
    if (write && opts.createNew === true) flags |= constants.O_CREAT | constants.O_EXCL;
    else if (write && opts.create === true) flags |= constants.O_CREAT;
    const handle = await openRegularFile(await checked(args, ctx), flags, pageMode(opts.mode) ?? 0o666);
    try {
      if (write && opts.truncate === true && opts.append !== true) await handle.truncate(0);
      return addResource(ctx, new OpenFile(handle, opts.append === true));
    } catch (err) {
      await handle.close();
      throw err;
    }
  };

  const run = async <T>(args: { path?: unknown }, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      // The page's path as text for messages; never String() on what the page sent (`{ toString: 1 }`).
      throw ioError(err, typeof args.path === "string" ? args.path : args.path instanceof URL ? args.path.href : "(not a path)");
    }
  };

  const commands: FsPlugin["commands"] = {
    read_text_file: (args, ctx) => run(args, async () => new TextDecoder().decode(await readBytes(await checked(args, ctx), ctx.signal))),
    read_file: (args, ctx) => run(args, async () => readBytes(await checked(args, ctx), ctx.signal)),
    write_text_file: (args, ctx) =>
      run(args, async () => {
        if (typeof args.data !== "string") throw new FerryError("invalid_args", "data must be a string");
        await writeBytes(await checked(args, ctx), args.data, asOptions(args.options), ctx.signal);
        return null;
      }),
    write_file: (args, ctx) =>
      run(args, async () => {
        const bytes = toBytes(args.data);
        await writeBytes(await checked(args, ctx), bytes, asOptions(args.options), ctx.signal);
        return null;
      }),
    read_dir: (args, ctx) =>
      run(args, async () => {
        const real = await checked(args, ctx);
        await assertStillResolves(real);
        const entries = await readdir(real, { withFileTypes: true });
        return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile(), isSymlink: e.isSymbolicLink() }));
      }),
    exists: (args, ctx) =>
      run(args, async () => {
        const real = await checked(args, ctx);
        await assertStillResolves(real, false);
        return lstat(real).then(
          () => true,
          () => false,
        );
      }),
    stat: (args, ctx) =>
      run(args, async () => {
        const real = await checked(args, ctx);
        await assertStillResolves(real);
        return fileInfo(await stat(real), false);
      }),
    mkdir: (args, ctx) =>
      run(args, async () => {
        const opts = asOptions(args.options);
        const mode = pageMode(opts.mode);
        const real = await checked(args, ctx);
        await assertStillResolves(real);
        await mkdir(real, { recursive: opts.recursive === true, ...(mode !== undefined ? { mode } : {}) });
        return null;
      }),
    remove: (args, ctx) =>
      run(args, async () => {
        // Acts on the named entry itself: removing a link never removes what it points to.
        const { real, scope } = await checkedIn(args, ctx, false);
        await assertStillResolves(real, false);
        const info = await lstat(real);
        if (info.isDirectory()) {
          if (asOptions(args.options).recursive === true) await removeTree(real, scope, ctx.signal);
          else await rmdir(real);
        } else await unlink(real);
        return null;
      }),
    lstat: (args, ctx) =>
      run(args, async () => {
        const real = await checked(args, ctx, false);
        await assertStillResolves(real, false);
        const info = await lstat(real);
        return fileInfo(info, info.isSymbolicLink());
      }),
    size: (args, ctx) =>
      run(args, async () => {
        const real = await checked(args, ctx);
        await assertStillResolves(real);
        return sizeOf(real, ctx.signal);
      }),
    rename: (args, ctx) =>
      run({ path: args.oldPath }, async () => {
        const opts = asOptions(args.options);
        // Both names act on the entries themselves: renaming a link moves the link.
        const from = await checked({ path: args.oldPath, options: { baseDir: opts.oldPathBaseDir } }, ctx, false);
        const to = await checked({ path: args.newPath, options: { baseDir: opts.newPathBaseDir } }, ctx, false);
        await assertStillResolves(from, false);
        await rename(from, to);
        return null;
      }),
    copy_file: (args, ctx) =>
      run({ path: args.fromPath }, async () => {
        const opts = asOptions(args.options);
        const from = await checked({ path: args.fromPath, options: { baseDir: opts.fromPathBaseDir } }, ctx);
        const to = await checked({ path: args.toPath, options: { baseDir: opts.toPathBaseDir } }, ctx);
        const src = await openRegularFile(from, constants.O_RDONLY);
        try {
          const dst = await openRegularFile(to, constants.O_WRONLY | constants.O_CREAT, (await src.stat()).mode & 0o777);
          try {
            await dst.truncate(0);
            const chunk = new Uint8Array(64 * 1024);
            for (let at = 0; ;) {
              ctx.signal.throwIfAborted();
              const { bytesRead } = await src.read(chunk, 0, chunk.length, at);
              if (bytesRead === 0) break;
              for (let off = 0; off < bytesRead;) off += (await dst.write(chunk, off, bytesRead - off, at + off)).bytesWritten;
              at += bytesRead;
            }
          } finally {
            await dst.close();
          }
        } finally {
          await src.close();
        }
        return null;
      }),
    truncate: (args, ctx) =>
      run(args, async () => {
        const len = length(args.len, "len");
        const handle = await openRegularFile(await checked(args, ctx), constants.O_WRONLY);
        try {
          await handle.truncate(len);
        } finally {
          await handle.close();
        }
        return null;
      }),
    open: (args, ctx) => run(args, async () => openHandle(args, ctx, asOptions(args.options))),
    create: (args, ctx) => run(args, async () => openHandle(args, ctx, { write: true, create: true, truncate: true })),
    read: async (args, ctx) => {
      const file = getResource(ctx, args.rid, OpenFile);
      const len = length(args.len, "len");
      if (len > MAX_READ) throw new FerryError("invalid_args", `len must be at most ${MAX_READ} bytes a call`);
      const out = new Uint8Array(len + 8);
      const { bytesRead } = await file.handle.read(out, 0, len, file.position);
      file.position += bytesRead;
      // plugin-fs reads the count from the last 8 bytes, big-endian.
      const result = out.subarray(0, bytesRead + 8);
      result.fill(0, bytesRead);
      new DataView(result.buffer, result.byteOffset + bytesRead, 8).setBigUint64(0, BigInt(bytesRead));
      return result;
    },
    write: async (args, ctx) => {
      const file = getResource(ctx, args.rid, OpenFile);
      const bytes = toBytes(args.data);
      const { bytesWritten } = await file.handle.write(bytes, 0, bytes.byteLength, file.append ? null : file.position);
      file.position = file.append ? (await file.handle.stat()).size : file.position + bytesWritten;
      return bytesWritten;
    },
    seek: async (args, ctx) => {
      const file = getResource(ctx, args.rid, OpenFile);
      if (typeof args.offset !== "number" || !Number.isSafeInteger(args.offset)) {
        throw new FerryError("invalid_args", "offset must be an integer");
      }
      const base = args.whence === 0 ? 0 : args.whence === 1 ? file.position : args.whence === 2 ? (await file.handle.stat()).size : NaN;
      if (Number.isNaN(base)) throw new FerryError("invalid_args", "whence must be a SeekMode (0 Start, 1 Current, 2 End)");
      const to = base + args.offset;
      if (to < 0) throw new FerryError("invalid_args", "invalid seek to a negative or overflowing position");
      file.position = to;
      return to;
    },
    fstat: async (args, ctx) => fileInfo(await getResource(ctx, args.rid, OpenFile).handle.stat(), false),
    ftruncate: async (args, ctx) => {
      await getResource(ctx, args.rid, OpenFile).handle.truncate(length(args.len, "len"));
      return null;
    },
    read_text_file_lines: (args, ctx) =>
      run(args, async () => {
        const handle = await openRegularFile(await checked(args, ctx), constants.O_RDONLY);
        return addResource(ctx, new LineReader(handle));
      }),
    read_text_file_lines_next: async (args, ctx) => getResource(ctx, args.rid, LineReader).next(),
    watch: (args, ctx) =>
      run({ path: Array.isArray(args.paths) ? args.paths[0] : args.paths }, async () => {
        const paths: unknown[] = Array.isArray(args.paths) ? args.paths : [args.paths];
        if (paths.length === 0 || paths.length > MAX_WATCH_PATHS) {
          throw new FerryError("invalid_args", `paths must name 1 to ${MAX_WATCH_PATHS} paths`);
        }
        if (!(args.onEvent instanceof Channel)) throw new FerryError("invalid_args", "onEvent must be a Channel");
        const opts = asOptions(args.options);
        const delayMs = watchDelay(opts.delayMs);
        const scope = await scopeOf(ctx);
        const reals: { real: string; dir: boolean }[] = [];
        for (const path of paths) {
          const real = await checked({ path, options: { baseDir: opts.baseDir } }, ctx);
          await assertStillResolves(real);
          reals.push({ real, dir: (await stat(real)).isDirectory() });
        }
        const watcher = new FsWatch({
          paths: reals,
          recursive: opts.recursive === true,
          delayMs,
          scope,
          channel: args.onEvent as Channel<never>,
          connection: ctx.connection,
        });
        return addResource(ctx, watcher);
      }),
    unwatch: async (args, ctx) => {
      getResource(ctx, args.rid, FsWatch);
      await closeResource(ctx, args.rid);
      return null;
    },
    // Apple platforms' security-scoped bookmarks: nothing to start or stop elsewhere; the path is still checked.
    start_accessing_security_scoped_resource: (args, ctx) => run(args, async () => (await checked(args, ctx), null)),
    stop_accessing_security_scoped_resource: (args, ctx) => run(args, async () => (await checked(args, ctx), null)),
  };

  return {
    name: "fs",
    commands,
    permissions: fsManifest(),
    variables,
    allowPath(window, path, opts = {}) {
      const key = pickKey(window, opts.origin);
      let entry = picked.get(key);
      if (!entry) picked.set(key, (entry = { entries: [] }));
      entry.entries.push({ literal: path, ...(opts.recursive ? { recursive: true } : {}) });
      delete entry.scope;
    },
  };
}
export { resourcesPlugin } from "./resources.ts";
