/** A bare `ws` connection for the memory figures: the handshake and nothing else. */

import WebSocket from "ws";

/** Opens a socket to `url`; resolves to a function that closes it. */
export function openBare(url: string, protocols: string[] = [], origin?: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...(origin ? { origin } : {}) });
    ws.once("open", () => resolve(() => ws.terminate()));
    ws.once("error", reject);
  });
}
