// One linter, type-aware: above all no floating promises (an unhandled rejection ends a
// Node process) and no misused promises in callbacks.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "bench/page/", "bin/", "templates/"] },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's test/describe report their own failures.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/only-throw-error": "off",
      "@typescript-eslint/consistent-type-imports": "error",
      "no-throw-literal": "off",
    },
  },
  // Folder boundaries (DESIGN.md, "Layout"). Tests beside a module import it relatively and
  // may reach anything; the boundaries are for the modules themselves.
  boundary("src/protocol/**", "the protocol is shared by backend and page and imports nothing", [
    { group: ["../*", "node:*", "ws", "esbuild", "@standard-schema/*", "smol-toml"], message: "protocol/ imports only protocol/." },
  ]),
  boundary("src/backend/**", "the core never imports a transport, an engine or a plugin", [
    {
      group: ["../transports/*", "../shell/*", "../plugins/*", "../client/*", "../cli/*", "ws"],
      message: "backend/ imports no transport, engine, plugin or client.",
    },
  ]),
  boundary("src/client/**", "the client runs in pages: no Node modules, no backend", [
    {
      group: ["node:*", "ws", "../backend/*", "../transports/*", "../acl/*", "../plugins/*", "../shell/*", "../cli/*"],
      message: "client/ imports only client/ and protocol/.",
    },
  ]),
  boundary("src/acl/**", "access control sits beside the core, under transports and plugins", [
    {
      group: ["../transports/*", "../shell/*", "../plugins/*", "../client/*", "../cli/*"],
      message: "acl/ imports no transport, engine, plugin or client.",
    },
  ]),
  boundary("src/config/**", "the app config and folders are read by acl, the engines and the cli: they import none of them", [
    {
      group: ["../backend/*", "../acl/*", "../transports/*", "../shell/*", "../plugins/*", "../client/*", "../cli/*", "ws", "esbuild"],
      message: "config/ imports only node:* and protocol/.",
    },
  ]),
  boundary("src/plugins/**", "plugins build on the core; the core never on them", [
    { group: ["../transports/*", "../shell/*", "../client/*", "../cli/*"], message: "plugins/ import no transport, engine or client." },
  ]),
  boundary("src/windows/**", "window engines sit beside the transports: they drive a browser, not a socket", [
    {
      group: ["../transports/*", "../client/*", "../cli/*", "../plugins/*", "ws"],
      message: "windows/ imports no transport, client or plugin.",
    },
  ]),
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "examples/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/src/*", "**/src/**"],
              message: "Import the package by its own specifiers (ferry, ferry/acl, …): that tests the export map and the build.",
            },
          ],
        },
      ],
    },
  },
);

/** One folder's import boundary: `no-restricted-imports` over its modules (not its tests). */
function boundary(files, why, patterns) {
  return {
    files: [files],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: patterns.map((p) => ({ ...p, message: `${p.message} (${why})` })) }] },
  };
}
