/**
 * Issue 14: `ferry dev` on a real app (test/fixtures/dev-app) in a real window under Xvfb.
 * The page asks the backend for its version four times a second and shows it in its title
 * with an id of its page load and whether Vite's error overlay is up, so the window
 * manager's title list is what the test reads — as a person would look at the window.
 *
 * - editing a backend file restarts the backend; the open page gets the new answer with no
 *   reload (same load id) and the browser is the same process;
 * - a type error shows in the terminal and in the page's overlay, and goes when fixed;
 * - no dev server response carries the window token, and each has frame-ancestors;
 * - the IPC inspector's URL is printed, its page and feed work through the dev server;
 * - closing the window ends `ferry dev` with status 0 and the browser with it.
 */

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDisplay, type Display } from "../support/display.ts";
import { makeDevApp, repo } from "../support/dev-app.ts";
import WebSocket from "ws";
import { tokenProtocols } from "ferry/transports/ws";
import { eventually } from "../support/wait.ts";

const work = mkdtempSync(join(tmpdir(), "ferry-dev-loop-"));
const app = join(work, "app");
const xdg = { XDG_DATA_HOME: join(work, "data"), XDG_CACHE_HOME: join(work, "cache"), XDG_CONFIG_HOME: join(work, "config") };

let display: Display | undefined;
let dev: ChildProcess | undefined;
let output = "";

/** The browser's main process: the one with the app's profile and no `--type`. */
function browserPid(): number | undefined {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    const args = cmd.split("\0");
    if (args.some((a) => a.startsWith("--user-data-dir=") && a.includes(work)) && !args.some((a) => a.startsWith("--type=")))
      return Number(pid);
  }
  return undefined;
}

const title = () => display!.windows().find((w) => w.title.startsWith("v="))?.title;

before(async () => {
  makeDevApp(app);
  display = await startDisplay();
  dev = spawn(process.execPath, [join(repo, "bin/ferry.mjs"), "dev"], {
    cwd: app,
    env: { ...display.env, ...xdg },
    stdio: ["ignore", "pipe", "pipe"],
  });
  dev.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  dev.stderr!.on("data", (d: Buffer) => (output += d.toString()));
});

after(async () => {
  if (dev && dev.exitCode === null) {
    dev.kill("SIGINT");
    await new Promise((r) => dev!.once("exit", r));
  }
  await display?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The page's title, parsed. */
interface Shown {
  version: string;
  load: string;
  overlay: string;
  label: string;
  ticks: number;
}
function shown(): Shown | undefined {
  const m = /^v=(\S+) load=(\w+) overlay=(\w+) label=(\w+) ticks=(\d+)$/.exec(title() ?? "");
  return m ? { version: m[1]!, load: m[2]!, overlay: m[3]!, label: m[4]!, ticks: Number(m[5]) } : undefined;
}
const showing = (want: Partial<Shown>) => () => {
  const now = shown();
  return now && Object.entries(want).every(([k, v]) => now[k as keyof Shown] === v) ? now : undefined;
};

test(
  "ferry dev: the page survives backend restarts, keeps state through hot updates, shows type errors",
  { timeout: 300_000 },
  async () => {
    const first = await eventually(
      showing({ version: "one", overlay: "none" }),
      `the page's first answer (output so far:\n${output})`,
      120_000,
    );
    const load = first.load;
    const pid = await eventually(browserPid, "the browser process");

    // The dev token file: 0600, in the app's cache folder.
    const tokenFile = join(xdg.XDG_CACHE_HOME, "dev.ferry.devlooptest", "ferry", "dev-tokens.json");
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const token = (JSON.parse(readFileSync(tokenFile, "utf8")) as { main: string }).main;
    assert.match(token, /^[0-9a-f]{64}$/);

    // The dev server: never the token, always frame-ancestors.
    const viteOrigin = /dev server on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    assert.ok(viteOrigin, `the dev server's address in:\n${output}`);
    for (const path of ["/", "/src/main.tsx", "/src/Status.tsx", "/@vite/client", "/index.html"]) {
      const res: Response = await fetch(`${viteOrigin}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, path);
      assert.ok(!(await res.text()).includes(token), `${path} carries no token`);
    }

    // The IPC inspector: its URL printed (the token only on a terminal: here, in the token
    // file), its page through the dev server, its feed live with the page's calls.
    const printed = await eventually(
      () => /IPC inspector: (\S+)#ferry-token=<token> \(the token is in (.+), label "__ferry_inspector"\)/.exec(output) ?? undefined,
      `the inspector's URL in:\n${output}`,
    );
    assert.equal(printed[1], `${viteOrigin}/__ferry/inspector`);
    assert.equal(printed[2], tokenFile);
    const inspectorToken = (JSON.parse(readFileSync(tokenFile, "utf8")) as Record<string, string>).__ferry_inspector!;
    assert.match(inspectorToken, /^[0-9a-f]{64}$/);
    const inspectorPage = await fetch(printed[1]);
    assert.equal(inspectorPage.status, 200);
    const inspectorHtml = await inspectorPage.text();
    assert.match(inspectorHtml, /<title>ferry inspector<\/title>/);
    assert.ok(!inspectorHtml.includes(inspectorToken) && !inspectorHtml.includes(token), "the inspector page carries no token");
    const feed = new WebSocket(`${viteOrigin.replace("http", "ws")}/__ferry/ws`, tokenProtocols(inspectorToken), { origin: viteOrigin });
    const rows: { window: string; type: string }[] = [];
    feed.on("message", (data) => {
      const m = JSON.parse(String(data)) as { t: string; p?: (typeof rows)[number] } | { t: string; p?: (typeof rows)[number] }[];
      for (const one of Array.isArray(m) ? m : [m]) if (one.t === "e" && one.p) rows.push(one.p);
    });
    feed.once("open", () => feed.send(JSON.stringify({ t: "i", id: 1, cmd: "watch", a: { handler: 1 } })));
    await eventually(() => rows.some((r) => r.window === "main" && r.type === "call"), "a row of the page's calls in the inspector's feed");
    feed.close();

    // A backend edit: a new backend, the same page and the same browser.
    writeFileSync(join(app, "backend/version.ts"), 'export const VERSION = "two";\n');
    await eventually(
      showing({ version: "two", load, overlay: "none" }),
      `the restarted backend's answer in the same page (title: ${title()})`,
      90_000,
    );
    assert.equal(browserPid(), pid, "the browser is the same process");
    assert.match(output, /version\.ts changed: restarting the backend/);

    // A component edit: updated in place, its state (the count) kept, no reload.
    const before = await eventually(() => (shown()?.ticks ?? 0) >= 20 && shown(), "twenty asks counted");
    const component = join(app, "src/Status.tsx");
    writeFileSync(component, readFileSync(component, "utf8").replace("label=a", "label=b"));
    const after = await eventually(showing({ label: "b", load }), `the edited component (title: ${title()})`, 60_000);
    assert.ok(after.ticks >= before.ticks, `the count went on (${before.ticks} → ${after.ticks}), it did not start again`);

    // A type error: in the terminal and in the page, until it is fixed.
    writeFileSync(join(app, "backend/version.ts"), 'export const VERSION: number = "three";\n');
    await eventually(showing({ version: "three", load, overlay: "shown" }), `the overlay with the new answer (title: ${title()})`, 120_000);
    assert.match(output, /typecheck: .*version\.ts\(1,14\): error TS2322/);
    writeFileSync(join(app, "backend/version.ts"), 'export const VERSION: string = "four";\n');
    await eventually(showing({ version: "four", load, overlay: "none" }), `the overlay gone (title: ${title()})`, 120_000);
    assert.equal(browserPid(), pid, "still the same browser");
    // The page's reconnects while the backend restarted were refused by the proxy: not a stack trace each.
    assert.doesNotMatch(output, /proxy error/);

    // Closing the app's window ends ferry dev, and the browser.
    const exited = new Promise<number | null>((r) => dev!.once("exit", (code) => r(code)));
    // By a part of the title that stays put: the count in it goes up four times a second.
    display!.close(`v=four load=${load} `);
    assert.equal(await exited, 0);
    await eventually(() => browserPid() === undefined, "the browser gone");
  },
);
