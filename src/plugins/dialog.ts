/**
 * The `dialog` plugin: `open` and `save` show the platform's native file dialog from the
 * backend, `message` / `ask` / `confirm` its message box (Linux: zenity or kdialog; macOS: osascript; Windows: PowerShell) and add the
 * chosen paths to the calling window's fs scope, as Tauri does. Cancelling resolves `null`.
 * `message` speaks both protocols of `@tauri-apps/plugin-dialog`: 2.1+ (`buttons`, resolving
 * the button's name) and 2.0 (`okButtonLabel`, and separate `ask` / `confirm`).
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

/**
 * A message box's buttons, first to last: the first is the affirmative one (OK, Yes), a
 * second of two is the negative one (Cancel, No), of three the middle is No and the last
 * Cancel. `results` are what plugin-dialog 2.x's `message` resolves with for each button:
 * Tauri's names (`"Ok"`, `"Yes"` …) for its standard sets, the label for custom ones.
 */
interface Buttons {
  labels: string[];
  results: string[];
}

interface MessageOptions {
  message: string;
  title?: string;
  kind: "info" | "warning" | "error";
  buttons: Buttons;
}

const STANDARD_BUTTONS: Record<string, string[]> = {
  Ok: ["Ok"],
  OkCancel: ["Ok", "Cancel"],
  YesNo: ["Yes", "No"],
  YesNoCancel: ["Yes", "No", "Cancel"],
};

const isLabel = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** plugin-dialog 2.x's `buttons` (`"OkCancel"`, `{ OkCancelCustom: [ok, cancel] }` …), or undefined when absent or malformed. */
function readButtons(raw: unknown): Buttons | undefined {
  if (typeof raw === "string" && STANDARD_BUTTONS[raw]) return { labels: STANDARD_BUTTONS[raw], results: STANDARD_BUTTONS[raw] };
  if (typeof raw !== "object" || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const custom = (labels: unknown[], n: number) => (labels.length === n && labels.every(isLabel) ? { labels, results: labels } : undefined);
  if (isLabel(o.OkCustom)) return { labels: [o.OkCustom], results: [o.OkCustom] };
  if (Array.isArray(o.OkCancelCustom)) return custom(o.OkCancelCustom, 2);
  if (Array.isArray(o.YesNoCancelCustom)) return custom(o.YesNoCancelCustom, 3);
  return undefined;
}

/**
 * Reads a message box call, in either protocol of `@tauri-apps/plugin-dialog`: 2.1 and
 * later send `message` with `buttons`; 2.0 sends `message` with `okButtonLabel`, and `ask` /
 * `confirm` with their own label fields.
 */
function readMessage(mode: MessageMode, raw: Record<string, unknown>): MessageOptions {
  if (typeof raw.message !== "string") throw new FerryError("invalid_args", "message must be a string");
  const kindRaw = raw.kind ?? raw.type_;
  const kind = kindRaw === "warning" || kindRaw === "error" ? kindRaw : "info";
  const str = (v: unknown, fallback: string) => (isLabel(v) ? v : fallback);
  const pair = (ok: string, cancel: string): Buttons => ({ labels: [ok, cancel], results: [ok, cancel] });
  let buttons: Buttons;
  if (mode === "ask") buttons = pair(str(raw.yesButtonLabel, "Yes"), str(raw.noButtonLabel, "No"));
  else if (mode === "confirm")
    buttons = pair(str(raw.okButtonLabel ?? raw.okLabel, "Ok"), str(raw.cancelButtonLabel ?? raw.cancelLabel, "Cancel"));
  else if (raw.buttons !== undefined && raw.buttons !== null) {
    const read = readButtons(raw.buttons);
    if (!read)
      throw new FerryError(
        "invalid_args",
        'buttons must be "Ok", "OkCancel", "YesNo", "YesNoCancel", { OkCustom }, { OkCancelCustom: [ok, cancel] } or { YesNoCancelCustom: [yes, no, cancel] }',
      );
    buttons = read;
  } else {
    const ok = str(raw.okButtonLabel ?? raw.okLabel, "Ok");
    buttons = { labels: [ok], results: [ok] };
  }
  return { message: raw.message, ...(typeof raw.title === "string" ? { title: raw.title } : {}), kind, buttons };
}

/**
 * A message box. Which button closed it is read from the program: its exit status
 * (0 the first button, 1 the last, kdialog's 2 the last of three), or for zenity's extra
 * button and osascript the label it prints.
 */
async function messageInvocation(o: MessageOptions, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<Invocation | string> {
  const labels = o.buttons.labels;
  const question = labels.length > 1;
  if (platform === "darwin") {
    const v = asValues();
    const refs = labels.map((l) => v.ref(l));
    // macOS puts the default (affirmative) button last; Cancel is the cancel button.
    const shown = [...refs].reverse();
    const icon = o.kind === "info" ? "note" : o.kind === "warning" ? "caution" : "stop";
    const title = o.title ? ` with title ${v.ref(o.title)}` : "";
    const cancel = question ? ` cancel button ${refs.at(-1)}` : "";
    const body = `return button returned of (display dialog ${v.ref(o.message)}${title} buttons {${shown.join(", ")}} default button ${refs[0]}${cancel} with icon ${icon})`;
    return { program: "osascript", args: v.args(body), separator: "\n" };
  }
  if (platform === "win32") {
    const v = psValues();
    const icon = o.kind === "info" ? "Information" : o.kind === "warning" ? "Warning" : "Error";
    // MessageBox has no custom labels: the standard set with the same number of buttons.
    const set = labels.length === 3 ? "YesNoCancel" : labels.length === 2 ? (o.buttons.results[0] === "Yes" ? "YesNo" : "OKCancel") : "OK";
    const script = [
      "Add-Type -AssemblyName System.Windows.Forms",
      `$r = [System.Windows.Forms.MessageBox]::Show([string]${v.ref("MESSAGE", o.message)}, [string]${v.ref("TITLE", o.title ?? "")}, '${set}', '${icon}')`,
      "if ($r -eq 'Yes' -or $r -eq 'OK') { exit 0 } elseif ($r -eq 'No' -and '" + set + "' -eq 'YesNoCancel') { exit 2 } else { exit 1 }",
    ].join("; ");
    return { program: "powershell.exe", args: ["-NoProfile", "-NonInteractive", "-Command", script], env: v.env, separator: "\n" };
  }
  const program = await linuxProgram(env);
  if (program.error !== undefined) return program.error;
  if (program.name === "zenity") {
    const args = !question
      ? [o.kind === "info" ? "--info" : o.kind === "warning" ? "--warning" : "--error", `--ok-label=${labels[0]}`]
      : ["--question", `--ok-label=${labels[0]}`, `--cancel-label=${labels.at(-1)}`];
    // zenity prints an extra button's label and exits 1.
    if (labels.length === 3) args.push(`--extra-button=${labels[1]}`);
    args.push(`--text=${o.message}`, "--no-markup");
    if (o.title) args.push(`--title=${o.title}`);
    return { program: "zenity", args, separator: "\n" };
  }
  // kdialog: every page value in `--name=value` form, so none is read as an option.
  const args = !question
    ? [`${o.kind === "info" ? "--msgbox" : o.kind === "warning" ? "--sorry" : "--error"}=${o.message}`]
    : labels.length === 3
      ? [`--yesnocancel=${o.message}`, `--yes-label=${labels[0]}`, `--no-label=${labels[1]}`, `--cancel-label=${labels[2]}`]
      : [`--yesno=${o.message}`, `--yes-label=${labels[0]}`, `--no-label=${labels[1]}`];
  if (o.title) args.push(`--title=${o.title}`);
  return { program: "kdialog", args, separator: "\n" };
}

/** The index of the button that closed a message box, from the program's exit status and output. */
function pressed(buttons: Buttons, program: string, status: number, stdout: string): number {
  const n = buttons.labels.length;
  const printed = stdout.replace(/\r?\n$/, "");
  if (program === "osascript") {
    const i = buttons.labels.indexOf(printed);
    return i >= 0 ? i : n - 1;
  }
  if (status === 0) return 0;
  // zenity's extra button prints its label; kdialog's --yesnocancel exits 2 for Cancel, PowerShell 2 for No.
  if (n === 3 && program === "zenity") return printed === buttons.labels[1] ? 1 : 2;
  if (n === 3 && program === "kdialog") return status === 1 ? 1 : 2;
  if (n === 3 && program === "powershell.exe") return status === 2 ? 1 : 2;
  return n - 1;
}

/** Runs a dialog program; resolves its exit status (0, or 1 and 2, which mean a button other than OK) and output. */
async function runProgram(inv: Invocation, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<{ status: number; stdout: string }> {
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
          // zenity/kdialog exit 1 (kdialog's three-button box 2) and osascript reports "User canceled" when the user cancels.
          if ((e.code === 1 || e.code === 2) && !/error/i.test(stderr.replace(/User cancel+ed/i, ""))) {
            return resolve({ status: e.code, stdout });
          }
          return reject(new FerryError("dialog_unavailable", `${inv.program} failed: ${stderr.trim() || e.message}`));
        }
        resolve({ status: 0, stdout });
      },
    );
  });
}

/** Runs a file dialog; resolves its output, or null when the user cancelled. */
async function runDialog(inv: Invocation, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string | null> {
  const { status, stdout } = await runProgram(inv, env, signal);
  return status === 0 ? stdout : null;
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

  /** Shows a message box; resolves the index of the button that closed it, and the buttons. */
  const box = async (mode: MessageMode, args: Record<string, unknown>, ctx: PluginContext): Promise<[number, Buttons]> => {
    const o = readMessage(mode, args);
    const inv = await messageInvocation(o, env, platform);
    if (typeof inv === "string") throw new FerryError("dialog_unavailable", `no native dialog available: ${inv}`);
    const { status, stdout } = await runProgram(inv, env, ctx.signal);
    return [pressed(o.buttons, inv.program, status, stdout), o.buttons];
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
      /** plugin-dialog 2.x: resolves what the pressed button stands for (`"Ok"`, `"Cancel"`, `"Yes"`, `"No"`, or a custom label). */
      async message(args: Record<string, unknown>, ctx: PluginContext) {
        const [i, buttons] = await box("message", args, ctx);
        return buttons.results[i];
      },
      /** plugin-dialog 2.0: true when the Yes button closed it. */
      ask: async (args: Record<string, unknown>, ctx: PluginContext) => (await box("ask", args, ctx))[0] === 0,
      /** plugin-dialog 2.0: true when the OK button closed it. */
      confirm: async (args: Record<string, unknown>, ctx: PluginContext) => (await box("confirm", args, ctx))[0] === 0,
    },
  };
}
