/**
 * `ferry check`'s findings for an app's access configuration: broken files and unknown
 * identifiers (errors), permissions of plugins not installed, capabilities matching no window
 * and commands nothing grants (warnings).
 */

import type { AccessControl } from "./access.ts";
import { loadAccess, type AccessConfig } from "./load.ts";
import { defaultPathVariables, scopeEntryProblem, type PathVariables } from "./paths.ts";
import { AccessConfigError, type Problem } from "./parse.ts";
import { slashSpanningBrackets } from "./glob.ts";

/** What `checkAccess` (`ferry check`) found: errors fail the check, warnings do not. */
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
    access = await loadAccess({ ...config, strict: false, log: () => {} });
  } catch (err) {
    if (err instanceof AccessConfigError) return { errors: err.problems, warnings: [], capabilities: [] };
    throw err;
  }
  const errors = [...access.problems, ...fsScopeProblems(config, access)];
  const warnings: Problem[] = [...access.warnings];
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
    warnings.push({
      kind: "ungranted_command",
      message: `no capability grants "${command}"${grants[0] ? ` (grant it with "${grants[0]}")` : ""}`,
      identifier: command,
    });
  }
  return {
    errors,
    warnings,
    capabilities: access.capabilities.map((c) => ({ identifier: c.identifier, ...(c.file ? { file: c.file } : {}) })),
  };
}

/** fs scope entries that can never match (unknown `$VARIABLE`, relative, `..`). */
function fsScopeProblems(config: AccessConfig, access: AccessControl): Problem[] {
  const fs = config.plugins?.find((p) => p.name === "fs") as { variables?: PathVariables } | undefined;
  if (!fs) return [];
  const vars = fs.variables ?? defaultPathVariables({ identifier: "ferry.app" });
  const problems: Problem[] = [];
  const report = (entries: readonly unknown[], where: string, extra: Partial<Problem>) => {
    for (const entry of entries) {
      const why = scopeEntryProblem(entry, vars);
      if (why) problems.push({ kind: "invalid_scope", message: `${where}: ${why}`, ...extra });
      const raw = typeof entry === "string" ? entry : (entry as { path?: unknown } | null)?.path;
      const spans = typeof raw === "string" ? slashSpanningBrackets(raw) : [];
      if (spans.length > 0) {
        problems.push({
          kind: "invalid_scope",
          message: `${where}: scope entry "${raw}" has ${spans.join(", ")}, a range that includes "/"; a path component never contains "/", so list the characters you mean`,
          ...extra,
        });
      }
    }
  };
  const seen = new Set<string>();
  for (const cap of access.capabilities) {
    for (const entry of cap.permissions) {
      const id = typeof entry === "string" ? entry : entry.identifier;
      const leaves = access.registry.expand(id).filter((leaf) => leaf.owner === "plugin:fs");
      if (leaves.length === 0) continue;
      const extra = { capability: cap.identifier, identifier: id, ...(cap.file ? { file: cap.file } : {}) };
      if (typeof entry !== "string")
        report(
          [...(entry.allow ?? []), ...(entry.deny ?? [])],
          `capability "${cap.identifier}"${cap.file ? ` (${cap.file})` : ""}, ${id}`,
          extra,
        );
      for (const leaf of leaves) {
        if (seen.has(leaf.identifier)) continue;
        seen.add(leaf.identifier);
        report([...leaf.scope.allow, ...leaf.scope.deny], `permission "${leaf.identifier}"`, { identifier: leaf.identifier });
      }
    }
  }
  return problems;
}
