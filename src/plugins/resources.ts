/**
 * Tauri's resource table: what a plugin holds for a page between calls (an open file, a line
 * reader, a watcher), named by a number (`rid`). Resources belong to the connection that made
 * them: another window's, or another page load's, id is refused as unknown. They are freed by
 * `plugin:resources|close` (what `Resource.close()` in `@tauri-apps/api/core` calls) and,
 * all of them, when the connection goes away. The `resources` core plugin answers `close`;
 * `core:resources:default` grants it.
 */

import { FerryError } from "../protocol/errors.ts";
import type { PluginConnection } from "../backend/connection.ts";
import type { PluginContext } from "../backend/app.ts";
import type { PermissionManifest } from "../acl/types.ts";

/** Something held for a page: `close` frees it (called once). */
export interface Resource {
  close(): void | Promise<void>;
}

/** Resources one connection may hold at once; one more is `limit_exceeded`. */
export const MAX_RESOURCES = 256;

const tables = new WeakMap<PluginConnection, Map<number, Resource>>();
let nextRid = 1;

function tableOf(conn: PluginConnection): Map<number, Resource> {
  let table = tables.get(conn);
  if (!table) {
    const t = (table = new Map());
    tables.set(conn, t);
    conn.onClose(() => {
      for (const r of t.values()) void Promise.resolve(r.close()).catch(() => {});
      t.clear();
    });
  }
  return table;
}

/** Holds `resource` for the calling page and returns its id. */
export function addResource(ctx: PluginContext, resource: Resource): number {
  const table = tableOf(ctx.connection);
  if (table.size >= MAX_RESOURCES) {
    void Promise.resolve(resource.close()).catch(() => {});
    throw new FerryError(
      "limit_exceeded",
      `a page may hold at most ${MAX_RESOURCES} open resources (files, readers, watchers); close some`,
      {
        limit: "resources",
        max: MAX_RESOURCES,
      },
    );
  }
  const rid = nextRid++;
  table.set(rid, resource);
  return rid;
}

/** The calling page's resource `rid` if it is an instance of `type`; else an error naming the id. */
export function getResource<T extends Resource>(ctx: PluginContext, rid: unknown, type: abstract new (...args: any[]) => T): T {
  const r = typeof rid === "number" ? tables.get(ctx.connection)?.get(rid) : undefined;
  if (!(r instanceof type)) throw badRid(rid);
  return r;
}

const badRid = (rid: unknown) =>
  new FerryError("invalid_args", `resource id ${typeof rid === "number" ? rid : JSON.stringify(String(rid))} is invalid`, { rid });

/** Frees the calling page's resource `rid`. */
export async function closeResource(ctx: PluginContext, rid: unknown): Promise<void> {
  const table = tables.get(ctx.connection);
  const r = typeof rid === "number" ? table?.get(rid) : undefined;
  if (!r) throw badRid(rid);
  table!.delete(rid as number);
  await r.close();
}

const PERMISSIONS: PermissionManifest = {
  default: { description: "Close the resources the page holds.", permissions: ["allow-close"] },
};

/**
 * The `resources` core plugin: `plugin:resources|close`, which `FileHandle.close()`, a
 * `readTextFileLines` iterator's end and a `watch`'s stop call. Add it with the fs plugin.
 *
 * @example
 * createApp({ plugins: [fsPlugin({ identifier }), resourcesPlugin()], authorize });
 */
export function resourcesPlugin() {
  return {
    name: "resources" as const,
    permissions: PERMISSIONS,
    commands: {
      close: async (args: { rid?: unknown }, ctx: PluginContext) => {
        await closeResource(ctx, args.rid);
        return null;
      },
    },
  };
}
