/**
 * The seam every contender implements, so each workload runs the same code against raw
 * `ws`, birpc, tRPC and ferry. Servers live in a child process (bench/server.ts); clients
 * live in the orchestrating process.
 */

/** How a client reaches a contender's server; plain JSON so it can cross process IPC. */
export interface ServerInfo {
  url: string;
  /** ferry only: the window token and the page origin to present. */
  token?: string;
  origin?: string;
}

/** The backend half of a contender, as the server child holds it. */
export interface BenchServer {
  readonly info: ServerInfo;
  /** Sends `payload` as event `event` to every connection listening to it. */
  emit(event: string, payload: unknown): void;
  close(): Promise<void>;
}

/** The page half of a contender: one connection's worth of calls. */
export interface BenchClient {
  /** The greet-sized round trip: `greet({ name })` → `"Hello, <name>!"` (raw ws: an echo). */
  greet(name: string): Promise<unknown>;
  /** The 10 MiB binary result. */
  blob(): Promise<Uint8Array>;
  /**
   * A handler→page stream of `bytes` in `STREAM_CHUNK` pieces (ferry: a `Channel`, every
   * send awaited: flow control on); resolves with the bytes received. Raw ws and ferry only.
   */
  stream?(bytes: number): Promise<number>;
  /**
   * A page→handler stream of `bytes` in `STREAM_CHUNK` pieces (ferry: a page `ReadableStream`
   * argument read as a `ByteStream`, sent as the backend grants credit); resolves with the
   * bytes the handler received. Raw ws and ferry only.
   */
  upload?(bytes: number): Promise<number>;
  /** Registers a listener; resolves once the server has it. */
  listen(event: string, onEvent: (payload: unknown) => void): Promise<void>;
  close(): void;
}

export interface ServerOptions {
  /** Page origins the server must accept besides its own (ferry's Origin allowlist). */
  origins?: string[];
}

/** One contender: its server factory, its client, and a bare handshake for memory figures. */
export interface Contender {
  readonly name: ContenderName;
  /** Column heading in the table. */
  readonly label: string;
  startServer(options: ServerOptions): Promise<BenchServer>;
  connect(info: ServerInfo): Promise<BenchClient>;
  /** A plain `ws` socket that completes the contender's handshake; resolves to its closer. */
  connectBare(info: ServerInfo): Promise<() => void>;
}

export type ContenderName = "raw" | "birpc" | "trpc" | "ferry";

export const CONTENDER_NAMES: readonly ContenderName[] = ["raw", "birpc", "trpc", "ferry"];

/** The binary workload's result size. */
export const BLOB_BYTES = 10 * 1024 * 1024;

/** The piece size of the channel stream workload. */
export const STREAM_CHUNK = 256 * 1024;

/**
 * One piece of the handler→page stream: `n` bytes in a fresh buffer, as each read of a file
 * gives, so what the backend holds of a stream shows in its memory (pieces that all viewed
 * one buffer would not).
 */
export function streamPiece(n: number): Uint8Array {
  const piece = new Uint8Array(n);
  piece.set(benchBlob().subarray(0, n));
  return piece;
}

let blob: Uint8Array | undefined;

/** The same 10 MiB buffer for every call, so the figure is transport, not allocation. */
export function benchBlob(): Uint8Array {
  if (!blob) {
    blob = new Uint8Array(BLOB_BYTES);
    for (let i = 0; i < blob.length; i++) blob[i] = i & 0xff;
  }
  return blob;
}
