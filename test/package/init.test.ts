/**
 * `ferry init` as a user runs it: from the packed tarball (`npm exec --package=<tarball> --
 * ferry init app --template …`) in a temp folder, then `npm install` in each generated app
 * (the tarball for ferry, the registry for the rest; the three installs run side by side),
 * and in each app its own type check, its own `npm test`, `vite build`, and `npm run dev`:
 * the page loads in Chromium from the dev server, adds a note through the backend, and an
 * edit of its component is applied in place with the component's state kept (React, Vue)
 * or by a reload (vanilla).
 *
 * The tarball is packed from the built dist/ (`npm run build` first, as for every test).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { filesUnder, mustRun, npm, userEnv } from "./helpers.ts";
import { launchChromium } from "../support/browser.ts";
import { eventually } from "../support/wait.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const TEMPLATES = ["vanilla-ts", "react-ts", "vue-ts"] as const;
const { version } = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { version: string };

let tmp = "";
let tarball = "";
const appDir = (template: string) => join(tmp, template, "app");
/** Each template's component, and whether an edit to it keeps the page (HMR) or reloads it. */
const COMPONENT = { "vanilla-ts": "src/main.ts", "react-ts": "src/App.tsx", "vue-ts": "src/App.vue" } as const;
/** What the apps' package.json said before `npm install <tarball>` rewrote the ferry dependency. */
const generated = new Map<string, { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> }>();

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferry-init-"));
  await npm("npm pack", ["pack", "--ignore-scripts", "--pack-destination", tmp], repo);
  const packed = (await readdir(tmp)).filter((f) => f.endsWith(".tgz"));
  assert.equal(packed.length, 1, `npm pack made one tarball, found ${JSON.stringify(packed)}`);
  tarball = join(tmp, packed[0]!);
  // One `npm exec` first (it installs the tarball into npm's cache), then the other two.
  const scaffold = async (template: string) => {
    await mkdir(join(tmp, template));
    // What a user types (`--yes`: no question about installing the package, there is no terminal).
    const exec = ["exec", "--yes", `--package=${tarball}`, "--", "ferry", "init", "app", "--template", template];
    await mustRun(`ferry init --template ${template}`, "npm", exec, join(tmp, template));
    generated.set(template, JSON.parse(await readFile(join(appDir(template), "package.json"), "utf8")));
  };
  await scaffold(TEMPLATES[0]);
  await Promise.all(TEMPLATES.slice(1).map(scaffold));
  await Promise.all(TEMPLATES.map((t) => npm(`npm install in the ${t} app`, ["install", tarball], appDir(t))));
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

for (const template of TEMPLATES) {
  describe(template, () => {
    test("writes the app: its package.json names this ferry and pins vite", () => {
      const pkg = generated.get(template)!;
      assert.equal(pkg.name, "app");
      assert.equal(pkg.dependencies.ferry, `^${version}`);
      assert.equal(pkg.devDependencies.vite, "8.3.8");
    });

    test("the layout of the app contract, with .gitignore restored from _gitignore", async () => {
      const files = (await filesUnder(appDir(template))).filter((f) => !f.startsWith("node_modules/"));
      for (const f of [
        ".gitignore",
        "README.md",
        "ferry.conf.json",
        "capabilities/default.json",
        "backend/main.ts",
        "test/backend.test.ts",
        "index.html",
        "vite.config.ts",
        "tsconfig.json",
        "src/api.ts",
      ]) {
        assert.ok(files.includes(f), `${f} missing in the ${template} app`);
      }
      assert.ok(!files.some((f) => f.endsWith("_gitignore")));
      const conf = JSON.parse(await readFile(join(appDir(template), "ferry.conf.json"), "utf8")) as Record<string, unknown>;
      assert.equal(conf.identifier, "com.example.app");
      assert.equal(conf.productName, "app");
    });

    test("its type check passes (tsc, or vue-tsc for Vue)", async () => {
      const r = await mustRun("npm run typecheck", "npm", ["run", "typecheck"], appDir(template));
      assert.match(r.stdout, template === "vue-ts" ? /vue-tsc --noEmit/ : /tsc --noEmit/);
    });

    test("its own npm test calls the commands for real and passes", async () => {
      const r = await mustRun("npm test", "npm", ["test"], appDir(template));
      assert.match(r.stdout, /^# pass 5$/m);
      assert.match(r.stdout, /^# fail 0$/m);
    });

    test("vite build writes dist/index.html with the bundled page", async () => {
      await mustRun("vite build", "npx", ["vite", "build"], appDir(template));
      const html = await readFile(join(appDir(template), "dist/index.html"), "utf8");
      const script = /<script type="module" crossorigin src="\/assets\/(index-[\w-]+\.js)">/.exec(html);
      assert.ok(script, `no bundled script in dist/index.html:\n${html}`);
      assert.ok(existsSync(join(appDir(template), "dist/assets", script[1]!)));
      assert.match(html, /<title>app<\/title>/);
    });

    test("npm run dev: the page works through the dev server, and a component edit is applied", { timeout: 180_000 }, async () => {
      const dir = appDir(template);
      // The app's folders (dev token file, notes) in the temp folder, not this user's home.
      const xdg = join(tmp, template, "xdg");
      const env = userEnv(
        Object.fromEntries(["CACHE", "DATA", "CONFIG", "STATE"].map((k) => [`XDG_${k}_HOME`, join(xdg, k.toLowerCase())])),
      );
      delete env.DISPLAY; // --no-window says so too: the page is Chromium's, headless
      const dev = spawn("npm", ["run", "dev", "--", "--no-window"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      let out = "";
      dev.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
      dev.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
      const exited = new Promise<number | null>((r) => dev.once("exit", r));
      const chromium = await launchChromium();
      try {
        const origin = await eventually(
          () => /dev server on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
          `the dev server's address:\n${out}`,
          60_000,
        );
        const tokenFile = await eventually(
          () => /the window's token is in (\S+) \(label "main"\)/.exec(out)?.[1],
          `the token file:\n${out}`,
        );
        await eventually(() => out.includes("backend ready"), `the backend:\n${out}`, 60_000);
        const token = (JSON.parse(await readFile(tokenFile, "utf8")) as Record<string, string>).main!;
        const page = await chromium.browser.newPage();
        await page.goto(`${origin}/#ferry-token=${token}`);
        await page.locator("h1", { hasText: "app" }).waitFor();
        // A note through the backend, by way of the dev server's proxy.
        await page.locator("input").fill("first note");
        await page.locator("button", { hasText: "Add" }).click();
        await page.locator("li", { hasText: "first note" }).waitFor();
        // State the edit must keep (or, for vanilla, lose with the reload).
        await page.locator("input").fill("a draft");
        await page.evaluate("window.__beforeEdit = true");
        const file = join(dir, COMPONENT[template]);
        const source = await readFile(file, "utf8");
        assert.ok(source.includes("A new note"), `${file} has the placeholder the test edits`);
        await writeFile(file, source.replace("A new note", "Another note"));
        await page.locator('input[placeholder="Another note"]').waitFor({ timeout: 60_000 });
        const kept = (await page.evaluate("window.__beforeEdit === true")) as boolean;
        if (template === "vanilla-ts") {
          assert.equal(kept, false, "vanilla-ts reloads the page");
          assert.equal(await page.locator("input").inputValue(), "");
        } else {
          assert.equal(kept, true, `${template} updates the component in place, without a reload`);
          assert.equal(await page.locator("input").inputValue(), "a draft", "the component's state is kept");
        }
        await page.locator("li", { hasText: "first note" }).waitFor();
      } finally {
        await chromium.close();
        if (dev.exitCode === null) process.kill(-dev.pid!, "SIGINT");
        const timer = setTimeout(() => dev.exitCode === null && process.kill(-dev.pid!, "SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    });
  });
}
