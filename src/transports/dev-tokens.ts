/**
 * Dev only: window tokens kept in a file, so a backend restarted by `ferry dev` (or by hand)
 * accepts the pages it served before instead of closing them with 4401. The file is the
 * app's own (`<appCache>/ferry/dev-tokens.json`), created 0600 in a 0700 folder; a file that
 * others can read or write, or that is not a regular file of this user, is refused.
 * Production never uses one: tokens then live in memory and die with the process.
 */

import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { appDirs } from "../config/dirs.ts";
import { newToken } from "./handshake.ts";

/** The app's dev token file: `<appCache>/ferry/dev-tokens.json` (`appDirs(identifier).appCache`). */
export function devTokenFile(identifier: string): string {
  return join(appDirs(identifier).appCache, "ferry", "dev-tokens.json");
}

/** Window tokens by label, read from and written to one file. */
export interface TokenStore {
  /** The stored token for `label`, or a fresh one (stored before it is returned). */
  tokenFor(label: string): string;
  /** Forgets `label`'s token (it was revoked): the next `tokenFor` mints a new one. */
  forget(label: string): void;
}

/** A token store over `file` (see the module comment); throws on a file it must not trust. */
export function tokenStore(file: string): TokenStore {
  const read = (): Record<string, string> => {
    let st;
    try {
      st = lstatSync(file);
    } catch {
      return {};
    }
    const mine = typeof process.getuid !== "function" || st.uid === process.getuid();
    if (!st.isFile() || !mine || (process.platform !== "win32" && (st.mode & 0o077) !== 0)) {
      throw new Error(`refusing the dev token file ${file}: it must be a regular file of this user, mode 0600 (delete it to start over)`);
    }
    try {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
      return Object.fromEntries(Object.entries(parsed).filter(([, t]) => typeof t === "string" && /^[0-9a-f]{64}$/.test(t)));
    } catch {
      return {}; // unreadable JSON: start over
    }
  };
  const write = (tokens: Record<string, string>) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(tokens), { mode: 0o600 });
    chmodSync(tmp, 0o600); // exact, whatever the umask
    renameSync(tmp, file);
  };
  return {
    tokenFor(label) {
      const tokens = read();
      const token = Object.hasOwn(tokens, label) ? tokens[label]! : (tokens[label] = newToken());
      write(tokens);
      return token;
    },
    forget(label) {
      const tokens = read();
      if (!Object.hasOwn(tokens, label)) return;
      delete tokens[label];
      write(tokens);
    },
  };
}
