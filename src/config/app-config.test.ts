/** The app config's parser: defaults, errors naming file and field, unsupported Tauri fields. */

import { test } from "node:test";
import assert from "node:assert/strict";
import { AppConfigError, parseAppConfig, parseJsonText } from "./app-config.ts";

const FERRY = "/app/ferry.conf.json";
const TAURI = "/app/src-tauri/tauri.conf.json";

/** The problems `parseAppConfig` reports for `doc`, as "path: message" lines. */
function problems(doc: unknown, file = FERRY): string[] {
  try {
    parseAppConfig(doc, file);
  } catch (err) {
    assert.ok(err instanceof AppConfigError, String(err));
    assert.equal(err.file, file);
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail("expected the config to be refused");
}

test("a minimal config gets Tauri's defaults, the title from productName", () => {
  const c = parseAppConfig(
    { identifier: "com.example.notes", productName: "Notes", app: { windows: [{}, { label: "b", title: "B" }] } },
    FERRY,
  );
  assert.equal(c.file, FERRY);
  assert.equal(c.dir, "/app");
  assert.deepEqual(c.app.windows[0], {
    label: "main",
    url: "index.html",
    title: "Notes",
    width: 800,
    height: 600,
    center: false,
    resizable: true,
    visible: true,
    focus: true,
    maximized: false,
    fullscreen: false,
    create: true,
  });
  assert.equal(c.app.windows[1]!.title, "B");
  assert.equal(c.app.withGlobalTauri, false);
  assert.equal(c.app.exitOnLastWindowClosed, true);
  assert.deepEqual(c.app.security, {});
  assert.deepEqual(c.build, {});
  assert.deepEqual(c.unsupported, []);
  const bare = parseAppConfig({ identifier: "x", app: { windows: [{}] } }, FERRY);
  assert.equal(bare.app.windows[0]!.title, "ferry app");
  assert.deepEqual(parseAppConfig({ identifier: "x" }, FERRY).app.windows, [], "no windows listed: none opens at start, as in Tauri");
});

test("every supported field is read as written; null means the default", () => {
  const c = parseAppConfig(
    {
      $schema: "./node_modules/ferry/schema/ferry.conf.schema.json",
      identifier: "dev.ferry.full",
      version: "1.2.3",
      mainBinaryName: "full",
      app: {
        withGlobalTauri: true,
        exitOnLastWindowClosed: false,
        windows: [
          {
            label: "editor:1",
            url: "https://example.com/x?y#z",
            title: "T",
            width: 1024.5,
            height: 700,
            x: -10,
            y: 0,
            center: true,
            resizable: false,
            visible: false,
            focus: false,
            maximized: true,
            fullscreen: true,
            minWidth: 100,
            minHeight: 80,
            maxWidth: 2000,
            maxHeight: 1500,
            create: false,
          },
          { label: "n", x: null, width: null },
        ],
        security: {
          csp: { "default-src": "'self'", "img-src": ["'self'", "data:"] },
          capabilities: ["main", { identifier: "inline", permissions: [] }],
          assetProtocol: { enable: true, scope: { allow: ["$APPDATA/**"], deny: ["$APPDATA/secret"], requireLiteralLeadingDot: false } },
        },
      },
      build: {
        frontendDist: "../dist",
        devUrl: "http://localhost:5173",
        beforeDevCommand: { script: "vite", cwd: "..", wait: false },
        beforeBuildCommand: "vite build",
      },
    },
    FERRY,
  );
  const w = c.app.windows[0]!;
  assert.deepEqual(
    [w.label, w.url, w.width, w.x, w.y, w.minWidth, w.maxHeight, w.create, w.center, w.fullscreen],
    ["editor:1", "https://example.com/x?y#z", 1024.5, -10, 0, 100, 1500, false, true, true],
  );
  assert.equal("x" in c.app.windows[1]!, false);
  assert.equal(c.app.windows[1]!.width, 800);
  assert.deepEqual(c.app.security.csp, { "default-src": "'self'", "img-src": "'self' data:" });
  assert.deepEqual(c.app.security.capabilities, ["main", { identifier: "inline", permissions: [] }]);
  assert.deepEqual(c.app.security.assetProtocol, {
    enable: true,
    scope: { allow: ["$APPDATA/**"], deny: ["$APPDATA/secret"], requireLiteralLeadingDot: false },
  });
  assert.deepEqual(c.build, {
    frontendDist: "../dist",
    devUrl: "http://localhost:5173",
    beforeDevCommand: { script: "vite", cwd: "..", wait: false },
    beforeBuildCommand: "vite build",
  });
  assert.equal(c.app.withGlobalTauri, true);
  assert.equal(c.app.exitOnLastWindowClosed, false);
  assert.deepEqual([c.version, c.mainBinaryName], ["1.2.3", "full"]);
});

test("each bad field is named with its path and what was expected, all at once", () => {
  const found = problems({
    productName: "a/b",
    app: {
      windows: [
        { label: "bad label", width: 0, height: "600", x: "1", url: "file:///etc/passwd", visible: "yes" },
        { label: "main" },
        { label: "main" },
        7,
      ],
      security: { csp: 5, assetProtocol: { enable: 1, scope: { allow: "$HOME" } } },
    },
    build: { devUrl: "localhost:5173", beforeDevCommand: { cwd: "x" } },
  });
  const expected = [
    /^identifier: required: the app's reverse-domain identifier/,
    /^productName: expected a name without/,
    /^app\.windows\[0\]\.label: expected a label of letters, digits/,
    /^app\.windows\[0\]\.url: expected an http\(s\) URL or a path inside the frontend, got "file:\/\/\/etc\/passwd"/,
    /^app\.windows\[0\]\.width: expected a number above 0 \(logical pixels\), got number 0/,
    /^app\.windows\[0\]\.height: expected a number above 0 .*got "600"/,
    /^app\.windows\[0\]\.x: expected a number .*got "1"/,
    /^app\.windows\[0\]\.visible: expected true or false, got "yes"/,
    /^app\.windows\[2\]\.label: duplicate window label "main" \(also app\.windows\[1\]\)/,
    /^app\.windows\[3\]: expected a window object, got number 7/,
    /^app\.security\.csp: expected a policy string or an object/,
    /^app\.security\.assetProtocol\.enable: expected true or false/,
    /^app\.security\.assetProtocol\.scope\.allow: expected a list of strings, got "\$HOME"/,
    /^build\.devUrl: expected an http\(s\) URL/,
    /^build\.beforeDevCommand\.script: expected the command line/,
  ];
  for (const re of expected)
    assert.ok(
      found.some((p) => re.test(p)),
      `${re} not in:\n${found.join("\n")}`,
    );
  assert.equal(found.length, expected.length, found.join("\n"));
});

test("the identifier is checked as Tauri's: reverse-domain, letters, digits, '-'", () => {
  for (const bad of ["com.example/app", "com example", "1com.example", "com..example", 42]) {
    const [p] = problems({ identifier: bad });
    assert.match(p!, /^identifier: /);
    assert.ok(p!.includes(JSON.stringify(bad)) || p!.includes(String(bad)), p);
  }
});

test("ferry.conf.json is strict: an unknown field is an error with a suggestion; Tauri's unused fields are reported", () => {
  const found = problems({ identifier: "x", app: { windows: [{ widht: 3, Title: "t" }], secruity: {} }, bundel: {} });
  assert.deepEqual(found.sort(), [
    'app.secruity: unknown field (did you mean "security"?); see docs/config.md for the fields ferry reads',
    'app.windows[0].Title: unknown field (did you mean "title"?); see docs/config.md for the fields ferry reads',
    'app.windows[0].widht: unknown field (did you mean "width"?); see docs/config.md for the fields ferry reads',
    'bundel: unknown field (did you mean "bundle"?); see docs/config.md for the fields ferry reads',
  ]);
  const c = parseAppConfig(
    {
      identifier: "x",
      app: { trayIcon: {}, windows: [{ decorations: false, alwaysOnTop: true }], security: { freezePrototype: true, pattern: {} } },
      build: { runner: "cross", features: ["a"], beforeBundleCommand: "x" },
      bundle: { active: true, icon: ["a.png"] },
      plugins: { updater: { endpoints: [] }, cli: {} },
    },
    FERRY,
  );
  assert.deepEqual(c.unsupported, [
    "bundle",
    "plugins",
    "app.trayIcon",
    "app.windows[0].decorations",
    "app.windows[0].alwaysOnTop",
    "app.security.freezePrototype",
    "app.security.pattern",
  ]);
});

test("tauri.conf.json is read as-is: unknown fields are reported, not refused; type errors still are", () => {
  const c = parseAppConfig(
    { identifier: "x", futureField: 1, app: { windows: [{ fancyNewThing: true }] }, build: { frontendDist: ["index.html"] } },
    TAURI,
  );
  assert.deepEqual(c.unsupported, [
    "futureField (not a Tauri v2 field ferry knows)",
    "app.windows[0].fancyNewThing (not a Tauri v2 field ferry knows)",
    "build.frontendDist (a list of files)",
  ]);
  assert.deepEqual(problems({ identifier: "x", app: { windows: [{ width: "wide" }] } }, TAURI), [
    'app.windows[0].width: expected a number above 0 (logical pixels), got "wide"',
  ]);
});

test("not an object at the top, or in a section", () => {
  assert.deepEqual(problems([]), [": expected a JSON object, got an array"]);
  assert.deepEqual(problems({ identifier: "x", app: [], build: "b" }), [
    "app: expected an object, got an array",
    'build: expected an object, got "b"',
  ]);
  assert.deepEqual(problems({ identifier: "x", app: { windows: {} } }), ["app.windows: expected a list of windows, got an object"]);
});

test("bad JSON names the line and column", () => {
  const cases: [string, RegExp][] = [
    ['{\n  "identifier": "x",\n}', /invalid JSON at line 3, column 1: /],
    ['{\n  "identifier" "x"\n}', /invalid JSON at line 2, column 16: Expected ':' after property name/],
    ['\uFEFF{\n  "a": 1', /invalid JSON at line 2, column 9: Expected ',' or '}' after property value$/],
    ["", /invalid JSON at line 1, column 1: the file ends too early$/],
  ];
  for (const [text, re] of cases) {
    assert.throws(
      () => parseJsonText(text, "/x/ferry.conf.json"),
      (err: Error) => err instanceof AppConfigError && err.message.startsWith("/x/ferry.conf.json: ") && re.test(err.message),
    );
  }
  assert.deepEqual(parseJsonText('\uFEFF{"a":1}', "f"), { a: 1 });
});
