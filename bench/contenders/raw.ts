/**
 * The floor: a raw `ws` echo server and a client that sends JSON frames, one frame per
 * call, and matches replies by id. A few control frames give it the other workloads:
 * `B` asks for the 10 MiB buffer, `S{...}` subscribes to an event (acknowledged by echo).
 */

import WebSocket, { WebSocketServer } from "ws";
import { openBare } from "./bare.ts";
import { benchBlob, STREAM_CHUNK, streamPiece, type BenchClient, type BenchServer, type Contender, type ServerInfo } from "./types.ts";

const B = 0x42;
const S = 0x53;
const T = 0x54;
const U = 0x55;

async function startServer(): Promise<BenchServer> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  /** event → connection → handler ids, as a hand-written pub/sub would keep it. */
  const subs = new Map<string, Map<WebSocket, number[]>>();
  wss.on("connection", (ws) => {
    /** The upload in progress on this socket: the floor of page→handler bytes, no flow control. */
    let upload: { id: number; n: number; got: number } | undefined;
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary && upload) {
        upload.got += data.byteLength;
        if (upload.got >= upload.n) {
          ws.send(`{"id":${upload.id},"got":${upload.got}}`);
          upload = undefined;
        }
        return;
      }
      if (!isBinary && data[0] === U) {
        const { id, n } = JSON.parse(data.subarray(1).toString()) as { id: number; n: number };
        upload = { id, n, got: 0 };
        return;
      }
      if (data[0] === B) return ws.send(benchBlob());
      if (data[0] === T) {
        // The floor of a stream: every piece handed to ws at once, no flow control.
        const { id, n } = JSON.parse(data.subarray(1).toString()) as { id: number; n: number };
        for (let sent = 0; sent < n; sent += STREAM_CHUNK) ws.send(streamPiece(Math.min(STREAM_CHUNK, n - sent)));
        return ws.send(`{"id":${id}}`);
      }
      if (data[0] === S) {
        const { id, n } = JSON.parse(data.subarray(1).toString()) as { id: number; n: string };
        let byWs = subs.get(n);
        if (!byWs) subs.set(n, (byWs = new Map()));
        let ids = byWs.get(ws);
        if (!ids) byWs.set(ws, (ids = []));
        ids.push(id);
        return ws.send(`{"id":${id}}`);
      }
      ws.send(data, { binary: isBinary });
    });
    ws.on("close", () => {
      for (const byWs of subs.values()) byWs.delete(ws);
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    info: { url: `ws://127.0.0.1:${port}` },
    emit(event, payload) {
      const byWs = subs.get(event);
      if (!byWs) return;
      const text = JSON.stringify({ n: event, p: payload });
      for (const ws of byWs.keys()) ws.send(text);
    },
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

async function connect(info: ServerInfo): Promise<BenchClient> {
  const ws = new WebSocket(info.url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const pending = new Map<number, (v: unknown) => void>();
  const blobs: ((b: Uint8Array) => void)[] = [];
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  let nextId = 1;
  /** Bytes of the stream in progress, if one is. */
  let streamed: number | undefined;
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary && streamed !== undefined) return void (streamed += data.byteLength);
    if (isBinary) return blobs.shift()?.(data);
    const msg = JSON.parse(data.toString()) as { id?: number; n?: string; p?: unknown };
    if (msg.n !== undefined) {
      for (const fn of listeners.get(msg.n) ?? []) fn(msg.p);
      return;
    }
    const resolve = pending.get(msg.id!);
    pending.delete(msg.id!);
    resolve?.(msg);
  });
  const call = (prefix: string, body: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(prefix + JSON.stringify({ id, ...body }));
    });
  return {
    greet: (name) => call("", { cmd: "greet", a: { name } }),
    blob: () =>
      new Promise((resolve) => {
        blobs.push(resolve);
        ws.send("B");
      }),
    async stream(bytes) {
      streamed = 0;
      await call("T", { n: bytes });
      const got = streamed;
      streamed = undefined;
      return got;
    },
    async upload(bytes) {
      const blob = benchBlob();
      const done = call("U", { n: bytes }) as Promise<{ got: number }>;
      for (let sent = 0; sent < bytes; sent += STREAM_CHUNK) ws.send(blob.subarray(0, Math.min(STREAM_CHUNK, bytes - sent)));
      return (await done).got;
    },
    async listen(event, onEvent) {
      let list = listeners.get(event);
      if (!list) listeners.set(event, (list = []));
      list.push(onEvent);
      await call("S", { n: event });
    },
    close: () => ws.terminate(),
  };
}

export const raw: Contender = {
  name: "raw",
  label: "raw ws",
  startServer,
  connect,
  connectBare: (info) => openBare(info.url),
};
