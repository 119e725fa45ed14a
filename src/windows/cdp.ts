/**
 * The DevTools protocol over a pipe (`--remote-debugging-pipe`): the browser reads
 * NUL-terminated JSON commands on its fd 3 and writes replies and events on its fd 4.
 * Nothing listens on a TCP port, so no other local process can drive the browser.
 */

import type { Readable, Writable } from "node:stream";

/** A DevTools event: its method, params, and the session it came from (none: the browser). */
export interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
  sessionId?: string;
}

interface Reply {
  id: number;
  result?: Record<string, unknown>;
  error?: { message?: string; code?: number };
  method?: string;
  params?: Record<string, unknown>;
  sessionId?: string;
}

/** Largest message accepted from the browser; a larger one means something is wrong. */
const MAX_MESSAGE = 64 * 1024 * 1024;

/** One DevTools connection to a browser process, over its two pipes. */
export class CdpPipe {
  readonly #out: Writable;
  readonly #pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  readonly #listeners = new Set<(event: CdpEvent) => void>();
  #nextId = 1;
  #closed: Error | undefined;
  #buffer = "";
  readonly #onClose = new Set<() => void>();

  constructor(out: Writable, input: Readable) {
    this.#out = out;
    input.setEncoding("utf8");
    input.on("data", (chunk: string) => this.#read(chunk));
    const end = () => this.#end(new Error("the browser closed its DevTools pipe"));
    input.once("end", end);
    input.once("close", end);
    input.on("error", end);
    out.on("error", end);
  }

  /** True once the pipe ended (browser gone, or `close()`). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Sends a command; resolves with its result, rejects with the browser's error or when the pipe ends. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#out.write(`${JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params })}\0`);
    });
  }

  /** Calls `fn` for every event; returns the function that stops it. */
  on(fn: (event: CdpEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Calls `fn` once the pipe has ended. */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#onClose.add(fn);
  }

  /** Ends the pipe: a browser whose pipe ends exits. */
  close(): void {
    this.#out.end();
    this.#end(new Error("the DevTools pipe was closed"));
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf("\0")) >= 0) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      this.#dispatch(text);
    }
    if (this.#buffer.length > MAX_MESSAGE) this.close();
  }

  #dispatch(text: string): void {
    let msg: Reply;
    try {
      msg = JSON.parse(text) as Reply;
    } catch {
      return;
    }
    if (typeof msg.id === "number") {
      const call = this.#pending.get(msg.id);
      if (!call) return;
      this.#pending.delete(msg.id);
      if (msg.error) call.reject(new Error(`${call.method}: ${msg.error.message ?? "failed"}`));
      else call.resolve(msg.result ?? {});
      return;
    }
    if (typeof msg.method !== "string") return;
    const event: CdpEvent = { method: msg.method, params: msg.params ?? {}, ...(msg.sessionId ? { sessionId: msg.sessionId } : {}) };
    for (const fn of [...this.#listeners]) {
      try {
        fn(event);
      } catch {
        // A listener's failure is its own; the pipe goes on.
      }
    }
  }

  #end(err: Error): void {
    if (this.#closed) return;
    this.#closed = err;
    for (const call of this.#pending.values()) call.reject(err);
    this.#pending.clear();
    for (const fn of this.#onClose) fn();
    this.#onClose.clear();
  }
}
