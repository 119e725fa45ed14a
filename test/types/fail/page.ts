/**
 * Calls that must not compile. Each `// error: TEXT` names the error the next line must
 * get: TEXT appears in its diagnostic (the message names the offending command, key or
 * event). test/types.test.ts checks every line has its error and no other error exists.
 */

import { Channel, client } from "ferry/client";
import type { App } from "../backend.ts";

const api = client<App>();

export async function calls(): Promise<void> {
  // error: '"gret"' is not assignable to parameter of type
  await api.invoke("gret", { name: "Ada" });
  // error: 'nme' does not exist in type '{ name: string;
  await api.invoke("greet", { nme: "Ada" });
  // error: Property 'path' is missing in type '{}'
  await api.invoke("read_file", {});
  // error: Type 'number' is not assignable to type 'string'
  await api.invoke("greet", { name: 42 });
  // error: 'file_path' does not exist in type '{ filePath: string;
  await api.invoke("open_file", { file_path: "/a" });
  // error: Type 'Channel<string>' is not assignable to type 'Channel<{ done: number; total: number; }>'
  await api.invoke("download_zod", { url: "u", progress: new Channel<string>() });
  // error: Property 'progress' is missing
  await api.invoke("download_arktype", { url: "u" });
  // error: '"plugin:fs|read_text_file"' is not assignable to parameter of type
  await api.invoke("plugin:fs|read_text_file", { path: "/a" });
}

export async function events(): Promise<void> {
  // error: '"job-progres"' is not assignable to parameter of type
  await api.listen("job-progres", () => {});
  // error: Argument of type 'string' is not assignable to parameter of type 'number'
  await api.emit("job-progress", "50%");
  // error: '"job-don"' is not assignable to parameter of type
  await api.emitTo("main", "job-don", null);
  // error: 'txt' does not exist in type '{ text: string;
  await api.emit("note", { txt: "hi", at: new Date() });
}

export async function results(): Promise<void> {
  const text = await api.invoke("read_file", { path: "/a" });
  // error: Property 'byteLength' does not exist on type 'string'
  console.log(text.byteLength);
  await api.invoke("read_file", { path: "/a" }).catch((e) => {
    // error: 'e.data' is of type 'unknown'
    if (e.kind === "timeout") return e.data.path;
    // error: '"not_founf"' have no overlap
    return e.kind === "not_founf";
  });
}
