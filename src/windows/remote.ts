/**
 * A window engine in another process. `ferry dev` owns the real engine (the browser, its
 * windows and their tokens) and runs the backend as a child it restarts on every edit; the
 * child's window manager drives the parent's engine through `remoteEngine`, and the parent
 * serves it with `hostEngine`. A window the previous child opened is adopted by the next
 * one, so the browser — and the page in it — survives backend restarts.
 *
 * Messages are plain JSON over a `MessageLink` (a child process's IPC channel).
 */

import { FerryError } from "../protocol/errors.ts";
import type { EngineOpenRequest, EngineWindow, EngineWindowEvents, SupportMatrix, WindowEngine } from "./engine.ts";

/** One end of a message channel: `process` in a child, a `ChildProcess` in its parent. */
export interface MessageLink {
  /** Sends one JSON-serialisable message. */
  send(message: unknown): void;
  /** Calls `fn` for each message received. */
  onMessage(fn: (message: unknown) => void): void;
}

/** The methods of `EngineWindow` a remote window forwards (everything but `label`). */
const WINDOW_METHODS = [
  "close",
  "setTitle",
  "title",
  "setSize",
  "innerSize",
  "outerSize",
  "setPosition",
  "outerPosition",
  "show",
  "hide",
  "isVisible",
  "focus",
  "minimize",
  "unminimize",
  "maximize",
  "unmaximize",
  "isMaximized",
  "isMinimized",
  "setFullscreen",
  "isFullscreen",
  "setResizable",
  "scaleFactor",
  "evaluate",
] as const satisfies readonly Exclude<keyof EngineWindow, "label">[];

type Method = (typeof WINDOW_METHODS)[number];

/** What the parent tells a child about its engine (passed in the child's environment). */
export interface RemoteEngineInfo {
  /** The real engine's name. */
  name: string;
  /** The real engine's support matrix. */
  support: SupportMatrix;
}

type Request =
  | { t: "open"; id: number; request: EngineOpenRequest }
  | { t: "call"; id: number; label: string; method: Method; args: unknown[] }
  | { t: "shutdown"; id: number };

type Reply =
  | { t: "res"; id: number; ok: true; value?: unknown }
  | { t: "res"; id: number; ok: false; kind: string; message: string }
  | { t: "event"; label: string; name: "closed" }
  | { t: "event"; label: string; name: "navigationBlocked"; url: string }
  | { t: "exit" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/**
 * The child's side: a `WindowEngine` whose windows live in the parent's engine. Pass it to
 * `windows.start` as any engine.
 */
export function remoteEngine(link: MessageLink, info: RemoteEngineInfo): WindowEngine {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const sinks = new Map<string, EngineWindowEvents>();
  const exitFns: (() => void)[] = [];
  const ask = (message: { t: string } & Record<string, unknown>): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      link.send({ ...message, id });
    });
  link.onMessage((raw) => {
    if (!isObject(raw)) return;
    const m = raw as Reply;
    if (m.t === "res") {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new FerryError(m.kind as "internal", m.message));
    } else if (m.t === "event") {
      const sink = sinks.get(m.label);
      if (m.name === "closed") {
        sinks.delete(m.label);
        sink?.closed();
      } else sink?.navigationBlocked(m.url);
    } else if (m.t === "exit") {
      for (const fn of exitFns) fn();
    }
  });
  return {
    name: info.name,
    support: info.support,
    async open(request, events) {
      sinks.set(request.label, events);
      try {
        await ask({ t: "open", request });
      } catch (err) {
        sinks.delete(request.label);
        throw err;
      }
      const label = request.label;
      const win = { label } as Record<string, unknown>;
      // Once the parent said the window closed (or the child closed it), as an in-process window:
      // `close` is done already and every other call rejects.
      const closed = () => sinks.get(label) !== events;
      for (const method of WINDOW_METHODS) {
        win[method] = (...args: unknown[]) => {
          if (closed()) {
            return method === "close" ? Promise.resolve() : Promise.reject(new FerryError("connection_closed", "the window is closed"));
          }
          return ask({ t: "call", label, method, args });
        };
      }
      return win as unknown as EngineWindow;
    },
    async shutdown() {
      await ask({ t: "shutdown" });
    },
    onExit(fn) {
      exitFns.push(fn);
    },
  };
}

/** The parent's side of `remoteEngine`: see `hostEngine`. */
export interface EngineHost {
  /** Serves this child from now on (a restarted backend); the previous child's messages are ignored. */
  attach(link: MessageLink): void;
  /** Labels of the windows open now. */
  readonly labels: string[];
  /** Resolves when a child asked for shutdown, or the engine ended on its own. */
  readonly ended: Promise<void>;
}

/**
 * Serves a real engine to child processes. `open` of a label that is already open adopts the
 * window (a restarted backend finds its page where it was); `serverOrigin`, when given,
 * replaces the request's, so windows load from the dev server rather than the backend.
 */
export function hostEngine(engine: WindowEngine, options: { serverOrigin?: string } = {}): EngineHost {
  const windows = new Map<string, EngineWindow>();
  let current: MessageLink | undefined;
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => (finish = resolve));
  engine.onExit(() => {
    current?.send({ t: "exit" } satisfies Reply);
    finish();
  });

  const handle = async (m: Request): Promise<unknown> => {
    if (m.t === "open") {
      const label = m.request.label;
      if (windows.has(label)) return undefined; // adopted
      const win = await engine.open(
        { ...m.request, serverOrigin: options.serverOrigin ?? m.request.serverOrigin },
        {
          closed: () => {
            windows.delete(label);
            current?.send({ t: "event", label, name: "closed" } satisfies Reply);
          },
          navigationBlocked: (url) => current?.send({ t: "event", label, name: "navigationBlocked", url } satisfies Reply),
        },
      );
      windows.set(label, win);
      return undefined;
    }
    if (m.t === "call") {
      const win = windows.get(m.label);
      // A close that crossed the window's own closing is done; any other call has no window.
      if (!win && m.method === "close") return undefined;
      if (!win) throw new FerryError("connection_closed", `no window labelled ${JSON.stringify(m.label)}: it is closed`);
      if (!(WINDOW_METHODS as readonly string[]).includes(m.method)) throw new FerryError("invalid_args", `no window method ${m.method}`);
      return (win[m.method] as (...a: unknown[]) => Promise<unknown>).apply(win, Array.isArray(m.args) ? m.args : []);
    }
    if (m.t === "shutdown") {
      await engine.shutdown();
      windows.clear();
      finish();
      return undefined;
    }
    throw new FerryError("protocol", "unknown request");
  };

  return {
    attach(link) {
      current = link;
      link.onMessage((raw) => {
        if (link !== current || !isObject(raw) || typeof raw.id !== "number") return;
        const m = raw as Request;
        handle(m).then(
          (value) => link.send({ t: "res", id: m.id, ok: true, value } satisfies Reply),
          (err: unknown) => {
            const e = err instanceof FerryError ? err : new FerryError("internal", (err as Error)?.message ?? String(err));
            link.send({ t: "res", id: m.id, ok: false, kind: e.kind, message: e.message } satisfies Reply);
          },
        );
      });
    },
    get labels() {
      return [...windows.keys()];
    },
    ended,
  };
}
