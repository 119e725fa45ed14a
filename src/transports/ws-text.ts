/**
 * How both ends of the ws transport hand a text message to `ws`. A short one goes as UTF-8
 * bytes encoded here into a pooled Buffer: `ws` then writes its header and payload as two
 * buffers. Given a string, the socket's vectored write allocates a copy in C++ and encodes
 * it there, on every message; that cost about 0.5 µs of each round trip (docs/profile.md,
 * round 4). A long one stays a string: one copy either way, and no large Buffer made here.
 */

import type { WebSocket } from "ws";

/** Text messages shorter than this (in UTF-16 code units) are sent as bytes. */
const AS_BYTES_BELOW = 16 * 1024;

/** `ws.send` options for bytes that are a text message. */
const TEXT = { binary: false } as const;

/** Sends `text` as one text message; `cb` as `ws.send`'s (called once the bytes are written). */
export function sendText(ws: WebSocket, text: string, cb?: (err?: Error) => void): void {
  if (text.length < AS_BYTES_BELOW) ws.send(Buffer.from(text, "utf8"), TEXT, cb);
  else ws.send(text, cb);
}
