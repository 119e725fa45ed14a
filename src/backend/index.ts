/**
 * ferry's backend entry point: create an app, define commands, emit events.
 * Transports are separate entry points: `ferry/transports/ws`, `ferry/transports/memory`.
 */

export { allowAll, createApp, definePlugin, DEFAULT_LIMITS } from "./app.ts";
export type {
  AccessDecision,
  App,
  AppHandle,
  AppOptions,
  Authorize,
  Limits,
  ListenPayload,
  LogEntry,
  Plugin,
  PluginContext,
  WindowFilter,
} from "./app.ts";
export { defineCommand, defineErrors, defineEvents } from "./commands.ts";
export type { ArgNames, Command, CommandContext, CommandInput, CommandOptions, Handler } from "./commands.ts";
export { Channel } from "./channel.ts";
export { ByteStream } from "./upload.ts";
export type { AnyEvents, BackendEvent, BackendListener } from "./events.ts";
export type { IpcLogLine } from "./ipc-log.ts";
export type { Declared, ErrorMap, EventMap } from "../protocol/types.ts";
export { CloseCode } from "./connection.ts";
export type { Peer, PluginConnection, TransportConnection } from "./connection.ts";
export { FerryError, FRAMEWORK_ERROR_KINDS } from "../protocol/errors.ts";
export type { ErrorKind, FrameworkErrorKind, WireError } from "../protocol/errors.ts";
export { workerPool } from "./workers.ts";
export { defineBackend, isBackendSetup } from "./entry.ts";
export type { BackendContext, BackendSetup } from "./entry.ts";
export type { WorkerPool, WorkerPoolOptions } from "./workers.ts";
