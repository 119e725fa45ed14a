/**
 * The two transports as the contract suite sees them: a way to connect a client to an app
 * as a given window label, over real frames.
 */

import type { App } from "ferry";
import { createClient, type Client } from "ferry/client";
import { connectMemory } from "ferry/transports/memory";
import { serveWs, type FerryServer } from "ferry/transports/ws";
import { wsClientTransport } from "ferry/client/node";

export interface TransportHarness {
  name: string;
  /** Starts serving `app`; returns a connector and a stop function. */
  start(app: App<any>): Promise<{ connect(label: string): Promise<Client>; stop(): Promise<void> }>;
}

export const memoryHarness: TransportHarness = {
  name: "memory",
  async start(app) {
    const clients: Client[] = [];
    return {
      async connect(label) {
        const c = createClient(connectMemory(app, label));
        clients.push(c);
        return c;
      },
      async stop() {
        for (const c of clients) c.close();
        app.close();
      },
    };
  },
};

export const wsHarness: TransportHarness = {
  name: "ws",
  async start(app) {
    const server: FerryServer = await serveWs(app, { windows: [], log: () => {} });
    const clients: Client[] = [];
    return {
      async connect(label) {
        const { token } = server.window(label);
        const t = wsClientTransport(server.wsUrl, { token, origin: server.origin });
        await t.opened;
        const c = createClient(t);
        clients.push(c);
        return c;
      },
      async stop() {
        for (const c of clients) c.close();
        await server.close();
      },
    };
  },
};

export const harnesses = [memoryHarness, wsHarness];
