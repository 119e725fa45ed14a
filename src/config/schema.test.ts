/**
 * schema/ferry.conf.schema.json and `parseAppConfig` agree: the same documents, good and bad,
 * fed to both (ajv as the validator editors' schemas are checked with) must get the same verdict.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { FIELDS, parseAppConfig } from "./app-config.ts";

const schema = JSON.parse(readFileSync(new URL("../../schema/ferry.conf.schema.json", import.meta.url), "utf8")) as {
  definitions: { window: { properties: Record<string, unknown> } };
};
const validate = new Ajv({ allErrors: true }).compile(schema);

const w = (window: Record<string, unknown>) => ({ identifier: "com.example.app", app: { windows: [window] } });
const app = (a: Record<string, unknown>) => ({ identifier: "com.example.app", app: a });
const build = (b: Record<string, unknown>) => ({ identifier: "com.example.app", build: b });
const sec = (s: Record<string, unknown>) => app({ security: s });

/** [name, document, whether it is a valid ferry.conf.json]. */
const CASES: [string, unknown, boolean][] = [
  ["minimal", { identifier: "com.example.app" }, true],
  ["$schema key", { $schema: "../../schema/ferry.conf.schema.json", identifier: "a.b" }, true],
  ["no identifier", { productName: "x" }, false],
  ["identifier null", { identifier: null }, false],
  ["identifier with /", { identifier: "com/example" }, false],
  ["identifier segment starts with digit", { identifier: "com.1x" }, false],
  ["identifier empty segment", { identifier: "com..x" }, false],
  ["identifier one segment", { identifier: "app" }, true],
  ["identifier with hyphens", { identifier: "dev.my-app.x-1" }, true],
  ["productName", { identifier: "a.b", productName: "My App 2" }, true],
  ["productName with :", { identifier: "a.b", productName: "a:b" }, false],
  ["productName empty", { identifier: "a.b", productName: "" }, false],
  ["version", { identifier: "a.b", version: "1.0.0" }, true],
  ["version number", { identifier: "a.b", version: 1 }, false],
  ["unknown top field", { identifier: "a.b", colour: "red" }, false],
  ["bundle and plugins", { identifier: "a.b", bundle: { active: true }, plugins: { fs: {} } }, true],
  ["top is an array", [], false],
  ["app null", { identifier: "a.b", app: null }, true],
  ["app is a string", { identifier: "a.b", app: "x" }, false],
  ["empty window", w({}), true],
  [
    "full window",
    w({
      label: "a-b/c:d_1",
      url: "/x.html",
      title: "",
      width: 1,
      height: 1.5,
      x: -3,
      y: 0,
      center: true,
      resizable: false,
      visible: false,
      focus: false,
      maximized: true,
      fullscreen: false,
      minWidth: 1,
      minHeight: 2,
      maxWidth: 3,
      maxHeight: 4,
      create: false,
    }),
    true,
  ],
  ["window nulls", w({ x: null, width: null, label: null, url: null }), true],
  ["unicode label", w({ label: "fenêtre2" }), true],
  ["label with space", w({ label: "a b" }), false],
  ["label empty", w({ label: "" }), false],
  ["label number", w({ label: 1 }), false],
  ["https url", w({ url: "https://example.com/app" }), true],
  ["http url upper case", w({ url: "HTTP://localhost:1420" }), true],
  ["file url", w({ url: "file:///etc/passwd" }), false],
  ["custom protocol url", w({ url: "doom://index.html" }), false],
  ["javascript url", w({ url: "javascript:alert(1)" }), false],
  ["url without host", w({ url: "http://" }), false],
  ["url with space", w({ url: "http://a b" }), false],
  ["empty url", w({ url: "" }), false],
  ["width 0", w({ width: 0 }), false],
  ["width negative", w({ width: -1 }), false],
  ["width string", w({ width: "800" }), false],
  ["minWidth 0", w({ minWidth: 0 }), false],
  ["x negative", w({ x: -100 }), true],
  ["visible string", w({ visible: "true" }), false],
  ["Tauri window field ferry ignores", w({ decorations: false, theme: "Dark", tabbingIdentifier: "t" }), true],
  ["typo in window field", w({ widht: 3 }), false],
  ["window not an object", app({ windows: ["main"] }), false],
  ["windows not a list", app({ windows: {} }), false],
  ["withGlobalTauri", app({ withGlobalTauri: true, exitOnLastWindowClosed: false }), true],
  ["exitOnLastWindowClosed string", app({ exitOnLastWindowClosed: "no" }), false],
  ["Tauri app fields", app({ trayIcon: { iconPath: "x" }, macOSPrivateApi: true }), true],
  ["unknown app field", app({ tray: {} }), false],
  ["csp string", sec({ csp: "default-src 'self'" }), true],
  ["csp object with lists", sec({ csp: { "img-src": ["'self'", "data:"], "default-src": "'self'" } }), true],
  ["csp null", sec({ csp: null }), true],
  ["csp number", sec({ csp: 1 }), false],
  ["csp directive number", sec({ csp: { "img-src": 1 } }), false],
  ["capabilities", sec({ capabilities: ["main", { identifier: "x", permissions: [] }] }), true],
  ["capabilities number", sec({ capabilities: [1] }), false],
  ["asset protocol list", sec({ assetProtocol: { enable: true, scope: ["$APPDATA/**"] } }), true],
  [
    "asset protocol allow/deny",
    sec({ assetProtocol: { enable: true, scope: { allow: ["$HOME/**"], deny: [], requireLiteralLeadingDot: true } } }),
    true,
  ],
  ["asset protocol scope string", sec({ assetProtocol: { scope: "$HOME" } }), false],
  ["asset protocol enable string", sec({ assetProtocol: { enable: "yes" } }), false],
  ["asset protocol unknown field", sec({ assetProtocol: { enabled: true } }), false],
  ["Tauri security fields", sec({ freezePrototype: true, devCsp: "x", pattern: { use: "brownfield" } }), true],
  ["unknown security field", sec({ cps: "x" }), false],
  ["build folder and dev url", build({ frontendDist: "../dist", devUrl: "http://localhost:5173" }), true],
  ["build frontendDist URL", build({ frontendDist: "https://example.com" }), true],
  ["build frontendDist file list", build({ frontendDist: ["index.html"] }), true],
  ["build frontendDist file URL", build({ frontendDist: "file:///x" }), false],
  ["build frontendDist empty", build({ frontendDist: "" }), false],
  ["build devUrl not http", build({ devUrl: "localhost:5173" }), false],
  ["build hooks", build({ beforeDevCommand: { script: "vite", cwd: "..", wait: true }, beforeBuildCommand: "vite build" }), true],
  ["build hook without script", build({ beforeDevCommand: { cwd: ".." } }), false],
  ["build hook number", build({ beforeBuildCommand: 1 }), false],
  ["build Tauri fields ferry ignores", build({ runner: "cross", features: ["x"], removeUnusedCommands: true }), true],
  ["unknown build field", build({ frontendDir: "dist" }), false],
];

test("the schema and parseAppConfig give every document the same verdict", () => {
  const disagree: string[] = [];
  for (const [name, doc, ok] of CASES) {
    const bySchema = validate(doc) === true;
    let byParser = true;
    try {
      parseAppConfig(doc, "/app/ferry.conf.json");
    } catch {
      byParser = false;
    }
    if (bySchema !== ok || byParser !== ok) disagree.push(`${name}: expected ${ok}, schema ${bySchema}, parser ${byParser}`);
  }
  assert.deepEqual(disagree, []);
});

test("the one rule JSON Schema cannot state: unique window labels (the parser refuses duplicates)", () => {
  const doc = app({ windows: [{ label: "a" }, { label: "a" }] });
  assert.equal(validate(doc), true);
  assert.throws(() => parseAppConfig(doc, "/app/ferry.conf.json"), /duplicate window label "a"/);
});

test("the schema lists exactly the fields ferry reads and Tauri knows, object by object", () => {
  type Node = { properties?: Record<string, Node>; anyOf?: Node[] };
  const fields = (node: Node | undefined): Record<string, Node> =>
    node?.properties ?? node?.anyOf?.find((a) => a.properties)?.properties ?? {};
  const top = schema as unknown as Node;
  const objects: [keyof typeof FIELDS, string[]][] = [
    ["top", Object.keys(fields(top))],
    ["app", Object.keys(fields(fields(top).app))],
    ["build", Object.keys(fields(fields(top).build))],
    ["window", Object.keys(schema.definitions.window.properties)],
    ["security", Object.keys(fields(fields(fields(top).app).security))],
  ];
  for (const [name, keys] of objects) {
    const expected = [...new Set([...FIELDS[name].ferry, ...FIELDS[name].tauri])].sort();
    assert.deepEqual([...keys].sort(), expected, name);
  }
});
