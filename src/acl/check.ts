/**
 * `ferry check`'s findings for an app's access configuration: broken files and unknown
 * identifiers (errors), capabilities matching no window and commands nothing grants (warnings).
 */

import { loadAccess, type AccessConfig } from "./load.ts";
import { AccessConfigError, type Problem } from "./parse.ts";

export interface CheckReport {
  errors: Problem[];
  warnings: Problem[];
  /** Capability identifiers read, with their files. */
  capabilities: { identifier: string; file?: string }[];
}

/** Loads the configuration without throwing and lists everything worth fixing. */
export async function checkAccess(config: AccessConfig): Promise<CheckReport> {
  let access;
  try {
    access = await loadAccess({ ...config, strict: false });
  } catch (err) {
    if (err instanceof AccessConfigError) return { errors: err.problems, warnings: [], capabilities: [] };
    throw err;
  }
  const warnings: Problem[] = [];
  if (config.windows) {
    for (const cap of access.unmatchedCapabilities(config.windows)) {
      warnings.push({
        kind: "unmatched_capability",
        message: `capability "${cap.identifier}"${cap.file ? ` (${cap.file})` : ""} matches none of the app's windows (${config.windows.join(", ")})`,
        capability: cap.identifier,
        ...(cap.file ? { file: cap.file } : {}),
      });
    }
  }
  for (const command of access.ungrantedCommands()) {
    const grants = access.registry.grantsFor(command);
    warnings.push({ kind: "ungranted_command", message: `no capability grants "${command}"${grants[0] ? ` (grant it with "${grants[0]}")` : ""}`, identifier: command });
  }
  return {
    errors: access.problems,
    warnings,
    capabilities: access.capabilities.map((c) => ({ identifier: c.identifier, ...(c.file ? { file: c.file } : {}) })),
  };
}
