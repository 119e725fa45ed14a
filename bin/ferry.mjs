#!/usr/bin/env node
// The `ferry` command, from the compiled package (npm run build makes dist/).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli/ferry.js", import.meta.url);
if (!existsSync(cli)) {
  console.error("ferry: dist/ is missing; run `npm run build` in the ferry package first");
  process.exit(1);
}
await import(cli.href);
