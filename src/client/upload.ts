/**
 * `ferry/client/upload` (served as `/__ferry/upload.js`): lets `invoke` take a
 * `ReadableStream`, `Blob` or `File` as a top-level argument and stream it to the handler,
 * which reads it as a `ByteStream` (docs/flow-control.md). Import it once, for its effect:
 *
 * @example
 * import "ferry/client/upload";
 * await invoke("save", { file: input.files[0] });
 *
 * The page reads its stream only as the backend grants credit, so it holds at most one chunk
 * beyond what is in flight; the call settling, being cancelled, or the backend stopping the
 * upload cancels the page's stream.
 */

import { Client } from "./core.ts";
import { isUpload } from "./upload-arg.ts";
import type { ServerMessage } from "../protocol/messages.ts";

interface Upload {
  source: ReadableStream;
  credit: number;
  reader?: ReadableStreamDefaultReader;
  wake?: () => void;
  stopped?: true;
}

/** Open uploads per client, by id. */
const open = new WeakMap<Client, Map<number, Upload>>();
let nextId = 1;

const uploadsOf = (client: Client): Map<number, Upload> => {
  let map = open.get(client);
  if (!map) open.set(client, (map = new Map()));
  return map;
};

function stop(client: Client, id: number): void {
  const map = open.get(client);
  const up = map?.get(id);
  if (!up) return;
  map!.delete(id);
  up.stopped = true;
  up.wake?.();
  (up.reader ?? up.source).cancel().catch(() => {});
}

/** Reads the page's stream within the granted credit and sends it, then its end. */
async function pump(client: Client, id: number, up: Upload): Promise<void> {
  const reader = (up.reader = up.source.getReader());
  const head = (rest: string) => `{"t":"s","s":${id}${rest}}`;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (up.stopped) return;
      if (done) break;
      if (!(value instanceof ArrayBuffer || ArrayBuffer.isView(value))) throw new TypeError("an upload's chunks must be bytes");
      let chunk = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      // A chunk larger than the credit goes in pieces as credit comes: never more than granted.
      while (chunk.byteLength > 0) {
        while (up.credit <= 0 && !up.stopped) await new Promise<void>((resolve) => (up.wake = resolve));
        if (up.stopped) return;
        const n = Math.min(chunk.byteLength, up.credit);
        up.credit -= n;
        client.enqueue({ head: head(`,"$b":[[["d"],${n}]]`), segments: [chunk.subarray(0, n)] });
        chunk = chunk.subarray(n);
      }
    }
    client.enqueue(head(`,"end":true`));
  } catch (err) {
    if (!up.stopped) client.enqueue(head(`,"err":${JSON.stringify(String((err as Error)?.message ?? err))}`));
  }
  open.get(client)?.delete(id);
}

const prior = Client.ext.m;
// A client whose connection ends rejects its calls, and each call's settling stops its uploads.
Client.ext.m = (client: Client, msg: ServerMessage) => {
  prior?.(client, msg);
  if (msg.t === "k") return stop(client, msg.s);
  if (msg.t !== "g") return;
  const up = open.get(client)?.get(msg.s);
  if (!up) return;
  up.credit += msg.n;
  if (up.reader) up.wake?.();
  else void pump(client, msg.s, up);
};

const invoke = Client.prototype.invoke;
Client.prototype.invoke = function <T>(
  this: Client,
  cmd: string,
  args?: Record<string, unknown>,
  options?: Parameters<Client["invoke"]>[2],
): Promise<T> {
  let out = args!;
  // Made only when an argument is an upload: every other call allocates nothing here.
  let ids: number[] | undefined;
  if (args && !(args instanceof ArrayBuffer) && !ArrayBuffer.isView(args)) {
    for (const key in args) {
      const v = args[key];
      if (!isUpload(v) || !Object.hasOwn(args, key)) continue;
      if (out === args) out = { ...args };
      const id = nextId++;
      uploadsOf(this).set(id, { source: v instanceof ReadableStream ? v : v.stream(), credit: 0 });
      out[key] = `__STREAM__:${id}`;
      (ids ??= []).push(id);
    }
  }
  const result = invoke.call(this, cmd, out, options) as Promise<T>;
  if (ids) {
    const started = ids;
    const done = () => started.forEach((id) => stop(this, id));
    result.then(done, done);
  }
  return result;
};
