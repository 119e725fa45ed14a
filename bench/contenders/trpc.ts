/**
 * tRPC v11 with its WebSocket link (`applyWSSHandler` + `createWSClient`/`wsLink`), with
 * default options. JSON only on this link, so the binary result travels as base64; events
 * are subscriptions fed by an EventEmitter, as tRPC's docs show.
 */

import { EventEmitter, on } from "node:events";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import WebSocket, { WebSocketServer } from "ws";
import { openBare } from "./bare.ts";
import { benchBlob, type BenchClient, type BenchServer, type Contender, type ServerInfo } from "./types.ts";

const t = initTRPC.create();
const hub = new EventEmitter();
hub.setMaxListeners(0);

const router = t.router({
  greet: t.procedure.input((v) => v as { name: string }).query(({ input }) => `Hello, ${input.name}!`),
  blob: t.procedure.query(() => Buffer.from(benchBlob().buffer).toString("base64")),
  onEvent: t.procedure
    .input((v) => v as { event: string })
    .subscription(async function* ({ input, signal }) {
      for await (const [payload] of on(hub, input.event, signal ? { signal } : {})) yield payload as unknown;
    }),
});

type Router = typeof router;

async function startServer(): Promise<BenchServer> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once("listening", resolve));
  const handler = applyWSSHandler({ wss, router });
  const { port } = wss.address() as { port: number };
  return {
    info: { url: `ws://127.0.0.1:${port}` },
    emit(event, payload) {
      hub.emit(event, payload);
    },
    close: () =>
      new Promise((resolve) => {
        handler.broadcastReconnectNotification();
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

async function connect(info: ServerInfo): Promise<BenchClient> {
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const wsClient = createWSClient({
    url: info.url,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    onOpen: () => opened(),
  });
  const client = createTRPCClient<Router>({ links: [wsLink({ client: wsClient })] });
  await open;
  return {
    greet: (name) => client.greet.query({ name }),
    blob: async () => new Uint8Array(Buffer.from(await client.blob.query(), "base64")),
    listen: (event, onEvent) =>
      new Promise<void>((resolve, reject) => {
        client.onEvent.subscribe({ event }, { onStarted: () => resolve(), onData: onEvent, onError: reject });
      }),
    close: () => void wsClient.close(),
  };
}

export const trpc: Contender = {
  name: "trpc",
  label: "tRPC v11 ws",
  startServer,
  connect,
  connectBare: (info) => openBare(info.url),
};
