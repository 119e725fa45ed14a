/**
 * The `dialog` plugin: `open` and `save` show the platform's native file dialog from the
 * backend (Linux: zenity or kdialog; macOS: osascript; Windows: PowerShell) and add the
 * chosen paths to the calling window's fs scope, as Tauri does. Cancelling resolves `null`.
 * With no dialog program or no display, calls fail with kind `dialog_unavailable`.
 */

import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { FerryError } from "../protocol/errors.ts";
import type { PluginContext } from "../backend/app.ts";
import type { PermissionManifest } from "../acl/types.ts";
import type { FsPlugin } from "./fs.ts";

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
      (f): f is DialogFilter => typeof f?.name === "string" && Array.isArray(f.extensions) && f.extensions.every((e: unknown) => typeof e === "string" && /^[\w.*-]+$/.test(e)),
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

/** A dialog invocation: program, arguments, and how to split its output into paths. */
interface Invocation {
  program: string;
  args: string[];
  separator: string;
}

const psQuote = (s: string) => `'${s.replace(/'/g, "''")}'`;
const asQuote = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

async function invocation(mode: Mode, o: DialogOptions, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<Invocation | string> {
  if (platform === "darwin") {
    const prompt = o.title ? ` with prompt ${asQuote(o.title)}` : "";
    const script = mode === "save"
      ? `POSIX path of (choose file name${prompt})`
      : o.multiple
        ? `set out to ""\nrepeat with f in (choose ${o.directory ? "folder" : "file"}${prompt} with multiple selections allowed)\nset out to out & POSIX path of f & linefeed\nend repeat\nreturn out`
        : `POSIX path of (choose ${o.directory ? "folder" : "file"}${prompt})`;
    return { program: "osascript", args: ["-e", script], separator: "\n" };
  }
  if (platform === "win32") {
    const lines = ["Add-Type -AssemblyName System.Windows.Forms"];
    if (o.directory) {
      lines.push("$d = New-Object System.Windows.Forms.FolderBrowserDialog", "if ($d.ShowDialog() -eq 'OK') { $d.SelectedPath }");
    } else {
      lines.push(`$d = New-Object System.Windows.Forms.${mode === "save" ? "SaveFileDialog" : "OpenFileDialog"}`);
      if (o.title) lines.push(`$d.Title = ${psQuote(o.title)}`);
      if (o.multiple && mode === "open") lines.push("$d.Multiselect = $true");
      if (o.filters?.length) lines.push(`$d.Filter = ${psQuote(o.filters.map((f) => `${f.name}|${f.extensions.map((e) => `*.${e}`).join(";")}`).join("|"))}`);
      lines.push(`if ($d.ShowDialog() -eq 'OK') { $d.${mode === "save" ? "FileName" : "FileNames"} -join "\`n" }`);
    }
    return { program: "powershell.exe", args: ["-NoProfile", "-NonInteractive", "-Command", lines.join("; ")], separator: "\n" };
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return "no graphical display (DISPLAY and WAYLAND_DISPLAY are unset)";
  if (await onPath("zenity", env)) {
    const args = ["--file-selection"];
    if (mode === "save") args.push("--save", "--confirm-overwrite");
    if (o.directory) args.push("--directory");
    if (o.multiple && mode === "open") args.push("--multiple", "--separator=\n");
    if (o.title) args.push(`--title=${o.title}`);
    if (o.defaultPath) args.push(`--filename=${o.defaultPath}`);
    for (const f of o.filters ?? []) args.push(`--file-filter=${f.name} | ${f.extensions.map((e) => `*.${e}`).join(" ")}`);
    return { program: "zenity", args, separator: "\n" };
  }
  if (await onPath("kdialog", env)) {
    const start = o.defaultPath ?? ".";
    const filter = (o.filters ?? []).map((f) => `${f.extensions.map((e) => `*.${e}`).join(" ")}|${f.name}`).join("\n");
    const args = mode === "save" ? ["--getsavefilename", start] : o.directory ? ["--getexistingdirectory", start] : ["--getopenfilename", start];
    if (filter && !o.directory) args.push(filter);
    if (o.multiple && mode === "open" && !o.directory) args.push("--multiple", "--separate-output");
    if (o.title) args.push("--title", o.title);
    return { program: "kdialog", args, separator: "\n" };
  }
  return "neither zenity nor kdialog is installed (install one, e.g. `apt install zenity`)";
}

/** Runs a dialog; resolves the chosen paths, or [] when the user cancelled. */
async function runDialog(inv: Invocation, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(inv.program, inv.args, { env, signal, encoding: "utf8", maxBuffer: 1 << 20, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const e = err as Error & { code?: unknown };
        if (e.name === "AbortError") return reject(new FerryError("cancelled", "the dialog was cancelled"));
        if (e.code === "ENOENT") return reject(new FerryError("dialog_unavailable", `${inv.program} is not installed`));
        // zenity/kdialog exit 1 and osascript reports "User canceled" when the user cancels.
        if (e.code === 1 && !/error/i.test(stderr.replace(/User cancel+ed/i, ""))) return resolve([]);
        return reject(new FerryError("dialog_unavailable", `${inv.program} failed: ${stderr.trim() || e.message}`));
      }
      resolve(stdout.split(inv.separator).map((s) => s.replace(/\r$/, "")).filter((s) => s.length > 0));
    });
  });
}

const dialogManifest: PermissionManifest = {
  default: { description: "Open and save dialogs.", permissions: ["allow-open", "allow-save"] },
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
    const paths = await runDialog(inv, env, ctx.signal);
    for (const p of paths) options.fs?.allowPath(ctx.window, p, { recursive: o.directory === true });
    return paths;
  };

  return {
    name: "dialog" as const,
    permissions: dialogManifest,
    commands: {
      async open(args: { options?: unknown }, ctx: PluginContext) {
        const paths = await show("open", args, ctx);
        if (paths.length === 0) return null;
        return readOptions(args.options).multiple ? paths : paths[0];
      },
      async save(args: { options?: unknown }, ctx: PluginContext) {
        const paths = await show("save", args, ctx);
        return paths[0] ?? null;
      },
    },
  };
}
