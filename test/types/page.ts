/**
 * A page typed by the backend's `App` type alone: every line here must compile, and each
 * `@ts-expect-error` must meet an error. Exact types are checked with `Equal`.
 */

import {
  Channel,
  client,
  invoke,
  listen,
  type Client,
  type ErrorOf,
  type FerryError,
  type FrameworkErrorKind,
  type TypedClient,
} from "ferry/client";
import { connectWs } from "ferry/client/node";
import type { App, Events, plainCommands, Renamed } from "./backend.ts";

/** True when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is `true`. */
const check = <T extends true>(): T | undefined => undefined;

const api = client<App>();
check<Equal<typeof api, TypedClient<App>>>();

export async function commands(): Promise<void> {
  // Results, typed.
  const hello = await api.invoke("greet", { name: "Ada" });
  check<Equal<typeof hello, string>>();
  // The schema's input: `times` has a default, so the page may leave it out.
  await api.invoke("greet", { name: "Ada", times: 2 });
  const text = await api.invoke("read_file", { path: "/etc/hosts" }, { timeout: 1000 });
  check<Equal<typeof text, string>>();
  // Bytes arrive as a Uint8Array; a Date as its JSON string; an array item is never undefined.
  // A channel written inside the args takes its message type from the command.
  const bytes = await api.invoke("download_zod", { url: "u", progress: new Channel((p) => p.done) });
  check<Equal<typeof bytes, Uint8Array>>();
  const s = await api.invoke("stats");
  check<Equal<typeof s, { at: string; bytes: Uint8Array; sizes: number[] }>>();
  // A class instance with methods, or an object with a function in it, is refused: never.
  const point = await api.invoke("origin");
  check<Equal<typeof point, { at: never }>>();
  const fn = await api.invoke("withMethod");
  check<Equal<typeof fn, never>>();
  // A Map cannot be sent (not_serializable): the result types as never.
  const map = await api.invoke("lookup", { ids: ["a"] });
  check<Equal<typeof map, never>>();
  // A plain handler's parameter is the args object; no parameter means no args.
  check<Equal<Awaited<ReturnType<typeof version>>, string>>();
  const none = await api.invoke("start_job");
  check<Equal<typeof none, null>>();
  // camelCase on the page for a command that renames.
  await api.invoke("open_file", { filePath: "/a", readOnly: true });
  // Plugin commands go through the untyped invoke<T>, on the same connection.
  const fromPlugin = await invoke<string>("plugin:fs|read_text_file", { path: "/a" });
  check<Equal<typeof fromPlugin, string>>();
  // The untyped API is unchanged.
  const untyped = await invoke<number>("anything", { at: 1 });
  check<Equal<typeof untyped, number>>();
  await listen<string>("whatever", (e) => e.payload.toUpperCase());
}
const version = () => api.invoke("version");

export function channels(): void {
  // The channel's message type comes from the schema, in each library.
  const zodChannel = new Channel<{ done: number; total: number }>((p) => p.done / p.total);
  void api.invoke("download_zod", { url: "u", progress: zodChannel });
  void api.invoke("download_valibot", { url: "u", progress: new Channel((p) => p.total) });
  void api.invoke("download_arktype", { url: "u", progress: new Channel((p) => p.done) });
  // @ts-expect-error: a channel of strings where the command sends progress objects
  void api.invoke("download_arktype", { url: "u", progress: new Channel<string>() });
  // @ts-expect-error: the command's channel is an argument it needs
  void api.invoke("download_valibot", { url: "u" });
}

export async function errors(): Promise<void> {
  // .catch knows the rejection: the command's declared kinds and the framework's, by kind.
  await api.invoke("read_file", { path: "/x" }).catch((e) => {
    switch (e.kind) {
      case "not_found":
        check<Equal<typeof e.data, { path: string }>>();
        return e.data.path;
      case "io":
        return e.data.code;
      case "permission_denied":
      case "timeout":
      case "connection_closed":
        check<Equal<typeof e.data, unknown>>();
        return e.message;
      case "failed":
        return String(e.data);
      default:
        check<Equal<typeof e.kind, Exclude<(typeof e)["kind"], "not_found" | "io">>>();
        return e.kind;
    }
  });
  // try/catch sees unknown, as everywhere in TypeScript: name the union with ErrorOf.
  try {
    await api.invoke("read_file", { path: "/x" });
  } catch (err) {
    const e = err as ErrorOf<App, "read_file">;
    if (e.kind === "not_found") check<Equal<typeof e.data, { path: string }>>();
    // @ts-expect-error: a kind neither the command nor ferry has
    if (e.kind === "not_founf") return;
    check<Equal<typeof e, FerryError<"not_found", { path: string }> | ErrorOf<App, "read_file">>>();
  }
  // A command that declares nothing still has every framework kind.
  await api.invoke("greet", { name: "a" }).catch((e) => {
    check<Equal<typeof e.kind, FrameworkErrorKind>>();
  });
}

export async function events(): Promise<void> {
  const off = await api.listen("job-progress", (e) => {
    check<Equal<typeof e.payload, number>>();
  });
  off();
  // What arrives: the Date as a string.
  await api.once("note", (e) => check<Equal<typeof e.payload, { text: string; at: string }>>());
  await api.emit("job-done", null);
  await api.emit("ping");
  await api.emitTo("main", "note", { text: "t", at: new Date() });
  await api.emitTo({ kind: "WebviewWindow", label: "main" }, "job-progress", 3);
  // @ts-expect-error: job-progress carries a number
  await api.emit("job-progress", "50%");
  // @ts-expect-error: job-done needs its payload (null)
  await api.emit("job-done");
  // @ts-expect-error: an event the map does not declare
  await api.listen("job-progress-typo", () => {});
  check<Equal<keyof Events, "job-progress" | "job-done" | "note" | "ping">>();
}

export async function wrongCalls(): Promise<void> {
  // @ts-expect-error: misspelt command
  await api.invoke("gret", { name: "a" });
  // @ts-expect-error: wrong key
  await api.invoke("greet", { nme: "a" });
  // @ts-expect-error: missing argument
  await api.invoke("read_file", {});
  // @ts-expect-error: args of the wrong type
  await api.invoke("greet", { name: 1 });
  // @ts-expect-error: the handler's snake_case name is not what the page sends
  await api.invoke("open_file", { file_path: "/a" });
  // @ts-expect-error: a command that takes no args takes no keys
  await api.invoke("version", { verbose: true });
  // @ts-expect-error: plugin commands are not the app's: use the untyped invoke<T>
  await api.invoke("plugin:fs|read_text_file", { path: "/a" });
}

export async function otherApps(): Promise<void> {
  // The app's rename applies to commands that set none.
  const renamed = client<Renamed>();
  const n = await renamed.invoke("save_note", { noteId: "1", bodyText: "hi" });
  check<Equal<typeof n, number>>();
  // @ts-expect-error: the page sends camelCase
  await renamed.invoke("save_note", { note_id: "1", body_text: "hi" });
  // A bare commands record: commands typed, events untyped (listen<T> as before).
  const plain = client<typeof plainCommands>();
  check<Equal<Awaited<ReturnType<typeof plain.invoke<"add">>>, number>>();
  await plain.listen<number>("anything", (e) => e.payload.toFixed());
  // The untyped client is the Client of before.
  check<Equal<ReturnType<typeof client>, Client>>();
}

export async function nodeClient(): Promise<void> {
  // A Node.js client (tests, tools) is typed the same way.
  const node = await connectWs<App>("ws://127.0.0.1:1/__ferry/ws", { token: "t", origin: "http://127.0.0.1:1" });
  check<Equal<typeof node, TypedClient<App>>>();
  const untyped = await connectWs("ws://127.0.0.1:1/__ferry/ws", { token: "t", origin: "http://127.0.0.1:1" });
  check<Equal<typeof untyped, Client>>();
}
