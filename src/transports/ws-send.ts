/**
 * How both ends of the ws transport hand a frame to `ws`: its text as one text message, then
 * its byte segments as binary messages, in order.
 *
 * A short text message goes as UTF-8 bytes encoded here into a pooled Buffer: `ws` then
 * writes its header and payload as two buffers. Given a string, the socket's vectored write
 * allocates a copy in C++ and encodes it there, on every message; that cost about 0.5 µs of
 * each round trip (docs/profile.md, round 4). A long one stays a string: one copy either
 * way, and no large Buffer made here.
 */

import type { WebSocket } from "ws";
import { framePieces, type Frame } from "../protocol/codec.ts";

/** Text messages shorter than this (in UTF-16 code units) are sent as bytes. */
const AS_BYTES_BELOW = 16 * 1024;

/** `ws.send` options for bytes that are a text message, and for byte segments. */
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

/** Sends `frame`; `cb` as `ws.send`'s for its last message (called once the bytes are written). */
export function sendFrame(ws: WebSocket, frame: Frame, cb?: (err?: Error) => void): void {
  if (typeof frame === "string") return sendText(ws, frame, cb);
  const pieces = framePieces(frame);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    const last = i === pieces.length - 1 ? cb : undefined;
    if (typeof piece === "string") sendText(ws, piece, last);
    else ws.send(piece, BINARY, last);
  }
}

function sendText(ws: WebSocket, text: string, cb: ((err?: Error) => void) | undefined): void {
  if (text.length < AS_BYTES_BELOW) ws.send(Buffer.from(text, "utf8"), TEXT, cb);
  else ws.send(text, cb);
}
