/**
 * App windows for real: Debian's Chromium in app mode on an Xvfb display with openbox as
 * the window manager. `npm start` as a user runs it (the window, a screenshot, a second
 * start, closing through the window manager, nothing left behind), then the window API
 * from code: the tutorial in its window, two windows with different capabilities, a
 * profile that persists, the navigation guard, and a backend killed with SIGKILL.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FerryError } from "ferry";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { chromiumEngine, createWindows, type Windows } from "ferry/windows";
import { createTutorialApp } from "../../examples/tutorial/commands.ts";
import { tutorialPlugins } from "../../examples/tutorial/access.ts";
import { eventually } from "../support/wait.ts";
import { imageSpread, startDisplay, type Display } from "../support/display.ts";
import { chromiumPath } from "../support/browser.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const ui = join(repo, "examples", "tutorial", "ui");

/** Process ids whose command line (and, with `environ`, environment) holds `text`. */
async function processesWith(text: string, files = ["cmdline"]): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    for (const file of files) {
      try {
        const content = (await readFile(`/proc/${entry}/${file}`, "utf8")).replace(/\0/g, " ");
        if (content.includes(text)) {
          pids.push(Number(entry));
          break;
        }
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
  }
  return pids;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("app windows (Chromium engine, Xvfb + openbox)", () => {
  let display: Display;
  let home: string;

  before(async () => {
    display = await startDisplay();
    home = await mkdtemp(join(tmpdir(), "ferry-windows-"));
  });
  after(async () => {
    await display?.stop();
    await rm(home, { recursive: true, force: true });
  });

  test("npm start opens the tutorial in its own window; a second start is refused; closing it ends the app with 0", async () => {
    const env = { ...display.env, XDG_DATA_HOME: join(home, "npm-start"), FERRY_BROWSER: chromiumPath() };
    // Its own process group, so a failed test can end npm and everything it started.
    const first = spawn("npm", ["start", "--silent"], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let out = "";
    first.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    first.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes("app window open"), `the app window (output so far: ${out})`);
      const win = await eventually(
        () => display.windows().find((w) => w.title === "ferry tutorial"),
        "the window manager to list the window",
      );
      assert.match(win.wmClass, /ferry tutorial$/, "WM_CLASS carries the app's name (--class)");

      // The page painted: the screen is no longer one flat colour.
      const shot = join(home, "npm-start.png");
      await eventually(() => {
        display.screenshot(shot);
        return imageSpread(shot) > 0.15;
      }, "a painted page in the screenshot");

      // A second start on the same profile does not open a window for a second backend.
      const second = spawn("npm", ["start", "--silent"], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
      let secondOut = "";
      second.stderr!.on("data", (d: Buffer) => (secondOut += d.toString()));
      second.stdout!.on("data", (d: Buffer) => (secondOut += d.toString()));
      assert.equal(await exitOf(second), 1, secondOut);
      assert.match(secondOut, /already running \(process \d+\)/);
      assert.equal(display.windows().filter((w) => w.title === "ferry tutorial").length, 1, "still one window");

      const profile = join(env.XDG_DATA_HOME, "dev.ferry.tutorial", "ferry", "chromium");
      assert.ok((await processesWith(profile)).length > 0, "the browser runs on the app's own profile");

      display.close("ferry tutorial");
      assert.equal(await exitOf(first), 0, out);
      await eventually(async () => (await processesWith(profile)).length === 0, "every browser process to end");
      assert.deepEqual(
        (await readdir(profile)).filter((f) => f === "ferry.lock"),
        [],
        "the instance lock is released",
      );
    } finally {
      if (first.exitCode === null) process.kill(-first.pid!, "SIGKILL");
    }
  });

  /** The tutorial backend as `npm start` runs it, on its own profile; resolves once its window is open. */
  async function tutorialBackend(name: string) {
    const env = { ...display.env, XDG_DATA_HOME: join(home, name), FERRY_BROWSER: chromiumPath() };
    const backend = spawn(process.execPath, ["--import", "tsx", "examples/tutorial/server.ts"], {
      cwd: repo,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    backend.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes("app window open"), "the app window");
    const profile = join(env.XDG_DATA_HOME, "dev.ferry.tutorial", "ferry", "chromium");
    assert.ok((await processesWith(profile)).length > 0, "the browser runs on the app's profile");
    return { backend, profile };
  }

  test("SIGKILL of the backend ends the browser too (the DevTools pipe closes)", async () => {
    const { backend, profile } = await tutorialBackend("sigkill");
    backend.kill("SIGKILL");
    await exitOf(backend);
    await eventually(async () => (await processesWith(profile)).length === 0, "the browser to exit after the backend died");
    await eventually(() => !display.windows().some((w) => w.title === "ferry tutorial"), "the window to disappear");
  });

  test("Ctrl+C (SIGINT) closes every window and exits with 0, leaving no browser process", async () => {
    const { backend, profile } = await tutorialBackend("sigint");
    backend.kill("SIGINT");
    assert.equal(await exitOf(backend), 0);
    await eventually(async () => (await processesWith(profile)).length === 0, "every browser process to end");
    assert.ok(!display.windows().some((w) => w.title === "ferry tutorial"));
  });

  describe("from code", () => {
    let windows: Windows;
    let server: FerryServer;
    let profileDir: string;
    const external: string[] = [];

    const start = async () => {
      windows = createWindows({ name: "ferry tutorial", identifier: "dev.ferry.tutorial", version: "0.1.0" });
      const app = createTutorialApp({ plugins: [...tutorialPlugins(), ...windows.plugins], log: () => {} });
      server = await serveWs(app, { root: ui, windows: ["main", "limited"], log: () => {}, appHost: "dev.ferry.tutorial.localhost" });
      const engine = chromiumEngine({
        profileDir,
        appName: "ferry tutorial",
        executable: chromiumPath(),
        env: display.env,
        log: () => {},
        openExternal: async (url) => {
          external.push(url);
          return true;
        },
      });
      await windows.start(engine, server, app);
      return app;
    };
    const stop = async () => {
      await windows.close();
      await server.close();
    };

    before(async () => {
      profileDir = join(home, "from-code", "profile");
    });

    test("greet, read_file and the job's progress bar work in the app window", async () => {
      await start();
      try {
        const main = await windows.open({ label: "main", url: "index.html", title: "tutorial main" });
        await eventually(
          () => display.windows().some((w) => w.title === "tutorial main"),
          "the window titled from its options",
          10_000,
        ).catch((e) => {
          throw new Error(`${(e as Error).message}: ${JSON.stringify(display.windows())}`);
        });
        await main.evaluate(`new Promise((resolve) => {
          const check = () => document.querySelector("#connection")?.textContent === "connected" ? resolve(true) : setTimeout(check, 20);
          check();
        })`);
        const greeting = await main.evaluate(`(async () => {
          document.querySelector("#greet-name").value = "Ada";
          document.querySelector("#greet-form").requestSubmit();
          for (;;) { const t = document.querySelector("#greeting").textContent; if (t) return t; await new Promise(r => setTimeout(r, 20)); }
        })()`);
        assert.equal(greeting, "Hello, Ada!");
        const token = server.window("main").token;
        assert.deepEqual(await processesWith(token, ["cmdline", "environ"]), [], "no process's arguments or environment hold the token");
        const file = join(home, "note.txt");
        await writeFile(file, "a note from the test");
        const content = await main.evaluate(`(async () => {
          document.querySelector("#read-path").value = ${JSON.stringify(file)};
          document.querySelector("#read-form").requestSubmit();
          for (;;) { const t = document.querySelector("#read-content").textContent; if (t) return t; await new Promise(r => setTimeout(r, 20)); }
        })()`);
        assert.equal(content, "a note from the test");
        const progress = await main.evaluate(`(async () => {
          document.querySelector("#job-start").click();
          const seen = new Set();
          for (;;) {
            seen.add(document.querySelector("#job-progress").value);
            if (document.querySelector("#job-progress").value === 100) return [...seen].length;
            await new Promise(r => setTimeout(r, 10));
          }
        })()`);
        assert.ok((progress as number) > 5, `the bar moved through ${String(progress)} values`);
      } finally {
        await stop();
      }
    });

    test("localStorage survives a restart of the app (the profile is the app's)", async () => {
      await start();
      let main = await windows.open({ label: "main", url: "index.html" });
      await main.evaluate(`localStorage.setItem("kept", "across restarts")`);
      await stop();
      await start();
      try {
        main = await windows.open({ label: "main", url: "index.html" });
        assert.equal(await main.evaluate(`localStorage.getItem("kept")`), "across restarts");
      } finally {
        await stop();
      }
    });

    test("two windows: each has its own capabilities, emitTo reaches only its label, closing one revokes only it", async () => {
      const app = await start();
      try {
        const main = await windows.open({ label: "main", url: "index.html", title: "first" });
        const limited = await windows.open({ label: "limited", url: "index.html", title: "second" });
        await eventually(() => display.windows().filter((w) => w.title === "first" || w.title === "second").length === 2, "two windows");
        const listen = `(async () => {
          const { listen } = await import("/__ferry/client.js");
          window.heard = [];
          await listen("job-progress", (e) => window.heard.push(e.payload));
          return true;
        })()`;
        await main.evaluate(listen);
        await limited.evaluate(listen);
        const readFile = `(async () => {
          const { invoke } = await import("/__ferry/client.js");
          try { await invoke("read_file", { path: "/etc/hostname" }); return "allowed"; } catch (e) { return e.kind; }
        })()`;
        assert.equal(await main.evaluate(readFile), "allowed");
        assert.equal(await limited.evaluate(readFile), "permission_denied");
        app.emitTo("limited", "job-progress", 42);
        await limited.evaluate(`new Promise((r) => { const c = () => window.heard.length ? r(true) : setTimeout(c, 10); c(); })`);
        // A round trip in main after the emit: had main been sent the event, it would have arrived by now.
        await main.evaluate(`(async () => (await import("/__ferry/client.js")).invoke("greet", { name: "x" }))()`);
        assert.deepEqual(await limited.evaluate("window.heard"), [42]);
        assert.deepEqual(await main.evaluate("window.heard"), []);
        const closedLabels: string[] = [];
        windows.on((e) => e.type === "closed" && closedLabels.push(e.label));
        await limited.close();
        assert.deepEqual(closedLabels, ["limited"]);
        assert.deepEqual(windows.labels(), ["main"]);
        assert.equal(
          await main.evaluate(`(async () => (await import("/__ferry/client.js")).invoke("greet", { name: "still" }))()`),
          "Hello, still!",
        );
      } finally {
        await stop();
      }
    });

    test("navigation guard: a foreign origin opens in the user's browser and never sees the token", async () => {
      const foreignHits: string[] = [];
      const foreign: Server = createServer((req, res) => {
        foreignHits.push(req.url ?? "");
        if (req.url?.startsWith("/report")) {
          res.end();
          return;
        }
        res.setHeader("content-type", "text/html");
        res.end(
          `<script>fetch("/report?token=" + encodeURIComponent(String(sessionStorage.getItem("ferry-token"))) + "&global=" + typeof window.__FERRY_TOKEN__)</script>`,
        );
      });
      await new Promise<void>((r) => foreign.listen(0, "127.0.0.1", r));
      const foreignUrl = `http://127.0.0.1:${(foreign.address() as { port: number }).port}/page`;
      await start();
      try {
        const main = await windows.open({ label: "main", url: "index.html" });
        const blocked: string[] = [];
        windows.on((e) => e.type === "navigation-blocked" && blocked.push(e.url));
        const token = await main.evaluate(`sessionStorage.getItem("ferry-token")`);
        assert.equal(typeof token, "string", "the app's own page has its token");
        assert.equal(token, server.window("main").token);

        // A top-level navigation away: stopped, handed to the system browser, reported.
        await main.evaluate(`void (location.href = ${JSON.stringify(foreignUrl)})`);
        await eventually(() => blocked.length > 0, "the backend to be told");
        assert.deepEqual(blocked, [foreignUrl]);
        assert.deepEqual(external, [foreignUrl]);
        assert.equal(await main.evaluate("location.origin"), "http://dev.ferry.tutorial.localhost", "the window stays on the app");
        assert.equal(foreignHits.length, 0, "the foreign server was never asked for the page");

        // A foreign frame inside the app loads, and finds no token in its storage.
        await main.evaluate(`new Promise((resolve) => {
          const f = document.createElement("iframe"); f.src = ${JSON.stringify(foreignUrl)}; f.onload = resolve; document.body.append(f);
        })`);
        await eventually(() => foreignHits.some((h) => h.startsWith("/report")), "the foreign frame's report");
        const report = new URL(
          foreignHits.find((h) => h.startsWith("/report"))!,
          "http://x",
        );
        assert.equal(report.searchParams.get("token"), "null");
        assert.equal(report.searchParams.get("global"), "undefined");
      } finally {
        await stop();
        foreign.close();
      }
    });

    test("windows.open refuses a taken label and a malformed one with invalid_args", async () => {
      await start();
      try {
        await windows.open({ label: "main", url: "index.html" });
        for (const label of ["main", "bad label!", ""]) {
          await assert.rejects(
            windows.open({ label, url: "index.html" }),
            (e: unknown) => e instanceof FerryError && e.kind === "invalid_args",
          );
        }
      } finally {
        await stop();
      }
    });
  });
});
