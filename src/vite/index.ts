/**
 * `ferry/vite`: the Vite plugin for ferry apps. Under `ferry dev` it points the dev server at
 * the backend: `/__ferry/*` (the WebSocket included) is proxied to it, the dev server listens
 * on loopback only and answers the app's stable host (`<identifier>.localhost`), every
 * response gets `frame-ancestors 'none'`, and pages load ferry's dev module (type-check
 * errors in Vite's overlay). The dev server never sees a window token: pages get theirs from
 * the window engine, and the backend accepts the dev server's origin instead.
 *
 * Outside `ferry dev` (plain `vite`, `vite build`) it does nothing.
 *
 * Vite is not a dependency of ferry: the types below are the parts of Vite's plugin API used.
 */

/** The environment `ferry dev` sets for the plugin (in its own process). */
export const DEV_ENV = {
  /** The backend's `http://127.0.0.1:<port>`. */
  backend: "FERRY_DEV_BACKEND",
  /** The app's stable host, `<identifier>.localhost`. */
  appHost: "FERRY_APP_HOST",
} as const;

/** Vite's id of ferry's dev module, imported by every page in dev. */
const DEV_MODULE = "virtual:ferry-dev";
const RESOLVED_DEV_MODULE = "\0ferry-dev";

/**
 * The dev module: ferry's page-side dev warnings (`ferry/client/dev`: duplicate and growing
 * listeners), and removal of Vite's error overlay once the type checker reports no errors
 * (`ferry dev` shows each error there through Vite's HMR channel).
 */
const DEV_MODULE_CODE = `import "ferry/client/dev";
if (import.meta.hot) {
  import.meta.hot.on("ferry:typecheck", (d) => {
    if (d && d.errors === 0) for (const e of document.querySelectorAll("vite-error-overlay")) e.remove();
  });
}
`;

/** The part of a Vite plugin ferry's plugin is (structurally a Vite `Plugin`). */
export interface FerryVitePlugin {
  name: "ferry";
  config(config: unknown, env: { command: string }): Record<string, unknown> | undefined;
  configResolved(config: { plugins: readonly { name: string }[] }): void;
  resolveId(id: string): string | undefined;
  load(id: string): string | undefined;
  transformIndexHtml: {
    order: "pre";
    handler(
      html: string,
      ctx: { server?: unknown },
    ): { tag: string; attrs: Record<string, string>; children: string; injectTo: "head-prepend" }[];
  };
}

/**
 * The plugin: `plugins: [ferry()]` in `vite.config.ts`. `ferry dev` adds it by itself when
 * the config does not, so a config without it works too; two copies act as one.
 */
export function ferry(): FerryVitePlugin {
  let active = true;
  const plugin: FerryVitePlugin = {
    name: "ferry",
    config(_config, env) {
      const backend = process.env[DEV_ENV.backend];
      const appHost = process.env[DEV_ENV.appHost];
      if (env.command !== "serve" || !backend) return undefined;
      return {
        server: {
          host: "127.0.0.1",
          ...(appHost ? { allowedHosts: [appHost] } : {}),
          headers: { "Content-Security-Policy": "frame-ancestors 'none'" },
          // The backend sees its own Host; the page's Origin (the app host) is what it checks.
          proxy: { "/__ferry": { target: backend, ws: true, changeOrigin: true } },
        },
      };
    },
    configResolved(config) {
      // The first ferry plugin in the list does the work.
      active = config.plugins.find((p) => p.name === "ferry") === plugin;
    },
    resolveId(id) {
      return id === DEV_MODULE ? RESOLVED_DEV_MODULE : undefined;
    },
    load(id) {
      return id === RESOLVED_DEV_MODULE ? DEV_MODULE_CODE : undefined;
    },
    transformIndexHtml: {
      order: "pre",
      handler(_html, ctx) {
        if (!active || !ctx.server || !process.env[DEV_ENV.backend]) return [];
        return [{ tag: "script", attrs: { type: "module" }, children: `import ${JSON.stringify(DEV_MODULE)};`, injectTo: "head-prepend" }];
      },
    },
  };
  return plugin;
}
