/**
 * birpc over `ws`, as its README wires it: `post`/`on` on the socket, JSON both ways.
 * JSON has no bytes, so the binary result travels as base64 (what an app would do).
 * birpc has no pub/sub: `subscribe` keeps a table of listener ids, as the raw ws server
 * does, and the server pushes with an event call (no reply), one frame per event per
 * connection.
 */

import { createBirpc, type BirpcReturn } from "birpc";
import WebSocket, { WebSocketServer } from "ws";
import { openBare } from "./bare.ts";
import { benchBlob, type BenchClient, type BenchServer, type Contender, type ServerInfo } from "./types.ts";

interface ServerFunctions {
  greet(name: string): string;
  blob(): string;
  subscribe(event: string, listener: number): boolean;
}

interface ClientFunctions {
  event(name: string, payload: unknown): void;
}

const channel = (ws: WebSocket) => ({
  post: (data: string) => ws.send(data),
  on: (fn: (data: string) => void) => {
    ws.on("message", (data: Buffer) => fn(data.toString()));
  },
  serialize: (v: unknown) => JSON.stringify(v),
  deserialize: (v: string) => JSON.parse(v) as unknown,
});

async function startServer(): Promise<BenchServer> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  /** event → connection → its listener ids. */
  const subs = new Map<string, Map<BirpcReturn<ClientFunctions, ServerFunctions>, number[]>>();
  wss.on("connection", (ws) => {
    const events = new Set<string>();
    const rpc: BirpcReturn<ClientFunctions, ServerFunctions> = createBirpc<ClientFunctions, ServerFunctions>(
      {
        greet: (name) => `Hello, ${name}!`,
        blob: () => Buffer.from(benchBlob().buffer).toString("base64"),
        subscribe(event, listener) {
          let byRpc = subs.get(event);
          if (!byRpc) subs.set(event, (byRpc = new Map()));
          let ids = byRpc.get(rpc);
          if (!ids) byRpc.set(rpc, (ids = []));
          ids.push(listener);
          events.add(event);
          return true;
        },
      },
      { ...channel(ws), eventNames: ["event"] },
    );
    ws.on("close", () => {
      for (const e of events) subs.get(e)?.delete(rpc);
      rpc.$close();
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    info: { url: `ws://127.0.0.1:${port}` },
    emit(event, payload) {
      for (const rpc of subs.get(event)?.keys() ?? []) void rpc.event(event, payload);
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
  const listeners = new Map<string, ((p: unknown) => void)[]>();
  let nextListener = 1;
  const rpc = createBirpc<ServerFunctions, ClientFunctions>(
    {
      event(name, payload) {
        for (const fn of listeners.get(name) ?? []) fn(payload);
      },
    },
    channel(ws),
  );
  return {
    greet: (name) => rpc.greet(name),
    blob: async () => new Uint8Array(Buffer.from(await rpc.blob(), "base64")),
    async listen(event, onEvent) {
      let list = listeners.get(event);
      if (!list) listeners.set(event, (list = []));
      list.push(onEvent);
      await rpc.subscribe(event, nextListener++);
    },
    close: () => {
      rpc.$close();
      ws.terminate();
    },
  };
}

export const birpc: Contender = {
  name: "birpc",
  label: "birpc",
  startServer,
  connect,
  connectBare: (info) => openBare(info.url),
};
