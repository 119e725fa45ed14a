/**
 * A real X display for app-window tests: Xvfb on a free display number, openbox as the
 * window manager, and what a person would do with them — list windows (`wmctrl -l`), close
 * one through the window manager (`wmctrl -c`), take a screenshot (`import -window root`).
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";

const host = hostname();

/** A running display. */
export interface Display {
  /** The environment that puts programs on it (`DISPLAY`). */
  readonly env: NodeJS.ProcessEnv;
  /** Titles of the windows the window manager manages, with their WM_CLASS. */
  windows(): { title: string; wmClass: string }[];
  /** Asks the window manager to close the window with this title, as the user's close button does. */
  close(title: string): void;
  /** Screenshot of the whole screen to `file` (PNG). */
  screenshot(file: string): void;
  /** Stops the window manager and the X server. */
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.error?.message || r.status}`);
  return r.stdout;
}

function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill();
  });
}

/** Starts Xvfb and openbox; resolves once the window manager answers. */
export async function startDisplay(): Promise<Display> {
  const xvfb = spawn("Xvfb", ["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const number = await new Promise<string>((resolve, reject) => {
    let out = "";
    xvfb.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited (${code}) before it gave a display`)));
  });
  const env: NodeJS.ProcessEnv = { ...process.env, DISPLAY: `:${number}` };
  delete env.WAYLAND_DISPLAY;
  const wm = spawn("openbox", ["--sm-disable"], { env, stdio: "ignore" });
  const start = Date.now();
  while (spawnSync("wmctrl", ["-m"], { env }).status !== 0) {
    if (Date.now() - start > 10_000) throw new Error("openbox did not start on the test display");
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    env,
    windows() {
      return run("wmctrl", ["-lx"], env)
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          // id, desktop, WM_CLASS (which may hold spaces), host, title
          const rest = line.replace(/^\S+\s+\S+\s+/, "");
          const at = rest.indexOf(` ${host} `);
          return at < 0 ? { wmClass: rest, title: "" } : { wmClass: rest.slice(0, at).trim(), title: rest.slice(at + host.length + 2) };
        });
    },
    close(title) {
      run("wmctrl", ["-c", title], env);
    },
    screenshot(file) {
      run("import", ["-window", "root", file], env);
    },
    async stop() {
      await stopped(wm);
      await stopped(xvfb);
    },
  };
}

/** Standard deviation of a PNG's pixel values (0: one flat colour), by ImageMagick. */
export function imageSpread(file: string): number {
  return Number(run("convert", [file, "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"], process.env));
}
