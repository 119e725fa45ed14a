/**
 * The `dialog` plugin: `open` and `save` show the platform's native file dialog from the
 * backend, `message` / `ask` / `confirm` its message box (Linux: zenity or kdialog; macOS: osascript; Windows: PowerShell) and add the
 * chosen paths to the calling window's fs scope, as Tauri does. Cancelling resolves `null`.
 * With no dialog program or no display, calls fail with kind `dialog_unavailable`.
 */

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { access, constants, lstat } from "node:fs/promises";
import { delimiter, dirname, join, posix, win32 } from "node:path";
import { FerryError } from "../protocol/errors.ts";
import type { PluginContext } from "../backend/app.ts";
import type { PermissionManifest } from "../acl/types.ts";
import type { FsPlugin } from "./fs.ts";

/** Options of `dialogPlugin`: the fs plugin that picked paths are granted in, and where dialog programs are found. */
export interface DialogPluginOptions {
  /** The fs plugin whose per-window scope receives picked paths. */
  fs?: Pick<FsPlugin, "allowPath">;
  /** Environment to find dialog programs and the display in. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Platform to pick the dialog program for. Default: `process.platform`. */
  platform?: NodeJS.Platform;
}

interface DialogFilter {
  name: string;
  extensions: string[];
}

interface DialogOptions {
  title?: string;
  defaultPath?: string;
  multiple?: boolean;
  directory?: boolean;
  filters?: DialogFilter[];
}

type Mode = "open" | "save";

function readOptions(raw: unknown): DialogOptions {
  const o = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const out: DialogOptions = {};
  if (typeof o.title === "string") out.title = o.title;
  if (typeof o.defaultPath === "string") out.defaultPath = o.defaultPath;
  if (o.multiple === true) out.multiple = true;
  if (o.directory === true) out.directory = true;
  if (Array.isArray(o.filters)) {
    out.filters = o.filters.filter(
      (f): f is DialogFilter =>
        typeof f?.name === "string" &&
        Array.isArray(f.extensions) &&
        f.extensions.every((e: unknown) => typeof e === "string" && /^[\w.*-]+$/.test(e)),
    );
  }
  return out;
}

async function onPath(program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * A dialog invocation: program, arguments, extra environment, and how to split its output
 * into paths. Page-supplied text never becomes program source: PowerShell reads it from
 * `$env:FERRY_…` variables, AppleScript from its `argv`, and zenity and kdialog get it as
 * `--name=value` arguments or after `--`.
 */
interface Invocation {
  program: string;
  args: string[];
  env?: Record<string, string>;
  /** What joins several picks: a random token, or (kdialog, which has no choice) a newline. */
  separator: string;
}

/** Collects page values for a PowerShell script: each is an environment variable, never source text. */
function psValues() {
  const env: Record<string, string> = {};
  return {
    env,
    /** The script expression that reads `value` (`$env:FERRY_DIALOG_<NAME>`). */
    ref(name: string, value: string): string {
      env[`FERRY_DIALOG_${name}`] = value;
      return `$env:FERRY_DIALOG_${name}`;
    },
  };
}

/** Collects page values for an AppleScript run handler: each is an item of `argv`. */
function asValues() {
  // osascript's own options end at the first operand; a fixed first operand keeps a value
  // starting with "-" from ever being read as an option.
  const argv = ["ferry"];
  return {
    argv,
    ref(value: string): string {
      argv.push(value);
      return `(item ${argv.length} of argv)`;
    },
    args: (body: string) => ["-e", `on run argv\n${body}\nend run`, ...argv],
  };
}

async function invocation(mode: Mode, o: DialogOptions, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<Invocation | string> {
  // Several picks are joined by a random token, which no file name can anticipate.
  const separator = `:ferry-${randomBytes(12).toString("hex")}:`;
  if (platform === "darwin") {
    const v = asValues();
    const prompt = o.title ? ` with prompt ${v.ref(o.title)}` : "";
    const body =
      mode === "save"
        ? `return POSIX path of (choose file name${prompt})`
        : o.multiple
          ? `set out to ""\nrepeat with f in (choose ${o.directory ? "folder" : "file"}${prompt} with multiple selections allowed)\nset out to out & POSIX path of f & ${v.ref(separator)}\nend repeat\nreturn out`
          : `return POSIX path of (choose ${o.directory ? "folder" : "file"}${prompt})`;
    return { program: "osascript", args: v.args(body), separator };
  }
  if (platform === "win32") {
    const v = psValues();
    const lines = ["Add-Type -AssemblyName System.Windows.Forms"];
    if (o.directory) {
      lines.push("$d = New-Object System.Windows.Forms.FolderBrowserDialog");
      if (o.title) lines.push(`$d.Description = ${v.ref("TITLE", o.title)}`);
      lines.push("if ($d.ShowDialog() -eq 'OK') { $d.SelectedPath }");
    } else {
      lines.push(`$d = New-Object System.Windows.Forms.${mode === "save" ? "SaveFileDialog" : "OpenFileDialog"}`);
      if (o.title) lines.push(`$d.Title = ${v.ref("TITLE", o.title)}`);
      if (o.multiple && mode === "open") lines.push("$d.Multiselect = $true");
      if (o.filters?.length)
        lines.push(
          `$d.Filter = ${v.ref("FILTER", o.filters.map((f) => `${f.name.replace(/\|/g, " ")}|${f.extensions.map((e) => `*.${e}`).join(";")}`).join("|"))}`,
        );
      lines.push(
        `if ($d.ShowDialog() -eq 'OK') { $d.${mode === "save" ? "FileName" : "FileNames"} -join ${v.ref("SEPARATOR", separator)} }`,
      );
    }
    return { program: "powershell.exe", args: ["-NoProfile", "-NonInteractive", "-Command", lines.join("; ")], env: v.env, separator };
  }
  const program = await linuxProgram(env);
  if (program.error !== undefined) return program.error;
  if (program.name === "zenity") {
    // Every page value is the value part of one `--name=value` argument.
    const args = ["--file-selection"];
    if (mode === "save") args.push("--save", "--confirm-overwrite");
    if (o.directory) args.push("--directory");
    if (o.multiple && mode === "open") args.push("--multiple", `--separator=${separator}`);
    if (o.title) args.push(`--title=${o.title}`);
    if (o.defaultPath) args.push(`--filename=${o.defaultPath}`);
    for (const f of o.filters ?? []) args.push(`--file-filter=${f.name} | ${f.extensions.map((e) => `*.${e}`).join(" ")}`);
    return { program: "zenity", args, separator };
  }
  {
    // kdialog takes the start folder and filter as positional arguments: after `--`, so a
    // value starting with "-" is never read as an option.
    const start = o.defaultPath ?? ".";
    const filter = (o.filters ?? []).map((f) => `${f.extensions.map((e) => `*.${e}`).join(" ")}|${f.name.replace(/\n/g, " ")}`).join("\n");
    const args = [mode === "save" ? "--getsavefilename" : o.directory ? "--getexistingdirectory" : "--getopenfilename"];
    if (o.multiple && mode === "open" && !o.directory) args.push("--multiple", "--separate-output");
    if (o.title) args.push(`--title=${o.title}`);
    args.push("--", start);
    if (filter && !o.directory) args.push(filter);
    return { program: "kdialog", args, separator: "\n" };
  }
}

/** The Linux dialog program to use, or why there is none. */
async function linuxProgram(env: NodeJS.ProcessEnv): Promise<{ name: "zenity" | "kdialog" | undefined; error?: string }> {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { name: undefined, error: "no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)" };
  if (await onPath("zenity", env)) return { name: "zenity" };
  if (await onPath("kdialog", env)) return { name: "kdialog" };
  return { name: undefined, error: "neither zenity nor kdialog is installed (install one, e.g. `apt install zenity`)" };
}

type MessageMode = "message" | "ask" | "confirm";

interface MessageOptions {
  message: string;
  title?: string;
  kind: "info" | "warning" | "error";
  ok: string;
  cancel: string;
}

function readMessage(mode: MessageMode, raw: Record<string, unknown>): MessageOptions {
  if (typeof raw.message !== "string") throw new FerryError("invalid_args", "message must be a string");
  const kindRaw = raw.kind ?? raw.type_;
  const kind = kindRaw === "warning" || kindRaw === "error" ? kindRaw : "info";
  const str = (v: unknown, fallback: string) => (typeof v === "string" && v.length > 0 ? v : fallback);
  const ok = mode === "ask" ? str(raw.yesButtonLabel, "Yes") : str(raw.okButtonLabel ?? raw.okLabel, "Ok");
  const cancel = mode === "ask" ? str(raw.noButtonLabel, "No") : str(raw.cancelButtonLabel ?? raw.cancelLabel, "Cancel");
  return { message: raw.message, ...(typeof raw.title === "string" ? { title: raw.title } : {}), kind, ok, cancel };
}

/** A message box; for ask/confirm the exit status says which button was pressed. */
async function messageInvocation(
  mode: MessageMode,
  o: MessageOptions,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<Invocation | string> {
  const question = mode !== "message";
  if (platform === "darwin") {
    const v = asValues();
    const ok = v.ref(o.ok);
    const cancel = question ? v.ref(o.cancel) : "";
    const buttons = question ? `{${cancel}, ${ok}}` : `{${ok}}`;
    const icon = o.kind === "info" ? "note" : o.kind === "warning" ? "caution" : "stop";
    const title = o.title ? ` with title ${v.ref(o.title)}` : "";
    const body = `return button returned of (display dialog ${v.ref(o.message)}${title} buttons ${buttons} default button ${ok}${question ? ` cancel button ${cancel}` : ""} with icon ${icon})`;
    return { program: "osascript", args: v.args(body), separator: "\n" };
  }
  if (platform === "win32") {
    const v = psValues();
    const icon = o.kind === "info" ? "Information" : o.kind === "warning" ? "Warning" : "Error";
    const buttons = mode === "ask" ? "YesNo" : mode === "confirm" ? "OKCancel" : "OK";
    const script = [
      "Add-Type -AssemblyName System.Windows.Forms",
      `$r = [System.Windows.Forms.MessageBox]::Show([string]${v.ref("MESSAGE", o.message)}, [string]${v.ref("TITLE", o.title ?? "")}, '${buttons}', '${icon}')`,
      "if ($r -eq 'Yes' -or $r -eq 'OK') { exit 0 } else { exit 1 }",
    ].join("; ");
    return { program: "powershell.exe", args: ["-NoProfile", "-NonInteractive", "-Command", script], env: v.env, separator: "\n" };
  }
  const program = await linuxProgram(env);
  if (program.error !== undefined) return program.error;
  if (program.name === "zenity") {
    const args = question
      ? ["--question", `--ok-label=${o.ok}`, `--cancel-label=${o.cancel}`]
      : [o.kind === "info" ? "--info" : o.kind === "warning" ? "--warning" : "--error", `--ok-label=${o.ok}`];
    args.push(`--text=${o.message}`, "--no-markup");
    if (o.title) args.push(`--title=${o.title}`);
    return { program: "zenity", args, separator: "\n" };
  }
  // kdialog: every page value in `--name=value` form, so none is read as an option.
  const args = question
    ? [
        `${mode === "ask" ? "--yesno" : "--warningcontinuecancel"}=${o.message}`,
        `${mode === "ask" ? "--yes-label" : "--continue-label"}=${o.ok}`,
        `${mode === "ask" ? "--no-label" : "--cancel-label"}=${o.cancel}`,
      ]
    : [`${o.kind === "info" ? "--msgbox" : o.kind === "warning" ? "--sorry" : "--error"}=${o.message}`];
  if (o.title) args.push(`--title=${o.title}`);
  return { program: "kdialog", args, separator: "\n" };
}

/** Runs a dialog; resolves its output, or null when the user cancelled (exit status 1). */
async function runDialog(inv: Invocation, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve, reject) => {
    execFile(
      inv.program,
      inv.args,
      { env: inv.env ? { ...env, ...inv.env } : env, signal, encoding: "utf8", maxBuffer: 1 << 20, windowsHide: true },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as Error & { code?: unknown };
          if (e.name === "AbortError") return reject(new FerryError("cancelled", "the dialog was cancelled"));
          if (e.code === "ENOENT") return reject(new FerryError("dialog_unavailable", `${inv.program} is not installed`));
          // zenity/kdialog exit 1 and osascript reports "User canceled" when the user cancels.
          if (e.code === 1 && !/error/i.test(stderr.replace(/User cancel+ed/i, ""))) return resolve(null);
          return reject(new FerryError("dialog_unavailable", `${inv.program} failed: ${stderr.trim() || e.message}`));
        }
        resolve(stdout);
      },
    );
  });
}

const badOutput = (why: string) =>
  new FerryError("dialog_unavailable", `the dialog's output is not a selection (${why}); nothing was granted`);
const MAX_NEWLINE_PICKS = 256;

/**
 * The paths a dialog's output names, each absolute and existing (for `save`: its folder
 * exists), or a `dialog_unavailable` error; never a guess. One pick is the whole output
 * (a name may contain a newline). Several are split on the invocation's separator; where
 * that is a newline (kdialog), output in which consecutive lines joined are themselves an
 * existing path is ambiguous and refused.
 */
async function pickedPaths(stdout: string, separator: string, mode: Mode, multiple: boolean, platform: NodeJS.Platform): Promise<string[]> {
  const out = stdout.replace(/\r?\n$/, "");
  if (out.length === 0) throw badOutput("it is empty");
  let paths = [out];
  if (multiple) {
    paths = out.split(separator);
    if (paths.at(-1) === "") paths.pop();
    if (separator === "\n" && paths.length > MAX_NEWLINE_PICKS) throw badOutput(`more than ${MAX_NEWLINE_PICKS} lines`);
  }
  const isAbsolute = platform === "win32" ? win32.isAbsolute : posix.isAbsolute;
  const exists = (p: string) =>
    lstat(p).then(
      () => true,
      () => false,
    );
  for (const p of paths) {
    if (p.length === 0 || p.includes("\0") || !isAbsolute(p)) throw badOutput("not an absolute path");
    const present = mode === "save" ? (await lstat(dirname(p)).catch(() => undefined))?.isDirectory() === true : await exists(p);
    if (!present) throw badOutput(mode === "save" ? "its folder does not exist" : "a picked path does not exist");
  }
  if (multiple && separator === "\n") {
    for (let i = 0; i < paths.length; i++) {
      let joined = paths[i]!;
      for (let j = i + 1; j < paths.length; j++) {
        joined += "\n" + paths[j];
        if (await exists(joined)) throw badOutput("a picked name contains a newline, so the lines are ambiguous");
      }
    }
  }
  return paths;
}

const dialogManifest: PermissionManifest = {
  default: {
    description: "Every dialog: open, save, message, ask, confirm.",
    permissions: ["allow-open", "allow-save", "allow-message", "allow-ask", "allow-confirm"],
  },
};

/**
 * Creates the dialog plugin; pass the fs plugin so picked paths become readable/writable
 * for the window that picked them.
 *
 * @example
 * const fs = fsPlugin();
 * createApp({ plugins: [fs, dialogPlugin({ fs })], authorize: access.authorize });
 */
export function dialogPlugin(options: DialogPluginOptions = {}) {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;

  const show = async (mode: Mode, args: { options?: unknown }, ctx: PluginContext) => {
    const o = readOptions(args.options);
    const inv = await invocation(mode, o, env, platform);
    if (typeof inv === "string") throw new FerryError("dialog_unavailable", `no native file dialog available: ${inv}`);
    const out = await runDialog(inv, env, ctx.signal);
    if (out === null) return null;
    const paths = await pickedPaths(out, inv.separator, mode, o.multiple === true && mode === "open", platform);
    const origin = ctx.connection.origin;
    for (const p of paths) options.fs?.allowPath(ctx.window, p, { recursive: o.directory === true, origin });
    return paths;
  };

  /** Shows a message box; resolves true when the OK/Yes button closed it. */
  const box = async (mode: MessageMode, args: Record<string, unknown>, ctx: PluginContext): Promise<boolean> => {
    const o = readMessage(mode, args);
    const inv = await messageInvocation(mode, o, env, platform);
    if (typeof inv === "string") throw new FerryError("dialog_unavailable", `no native dialog available: ${inv}`);
    return (await runDialog(inv, env, ctx.signal)) !== null;
  };

  return {
    name: "dialog" as const,
    permissions: dialogManifest,
    commands: {
      async open(args: { options?: unknown }, ctx: PluginContext) {
        const paths = await show("open", args, ctx);
        if (!paths || paths.length === 0) return null;
        return readOptions(args.options).multiple ? paths : paths[0];
      },
      async save(args: { options?: unknown }, ctx: PluginContext) {
        const paths = await show("save", args, ctx);
        return paths?.[0] ?? null;
      },
      async message(args: Record<string, unknown>, ctx: PluginContext) {
        await box("message", args, ctx);
        return null;
      },
      ask: (args: Record<string, unknown>, ctx: PluginContext) => box("ask", args, ctx),
      confirm: (args: Record<string, unknown>, ctx: PluginContext) => box("confirm", args, ctx),
    },
  };
}
