// Makes sure the end-to-end tests have Debian's Chromium. Never downloads a browser build:
// installs the distribution package where it can (root + apt-get), else says how to get one.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
const found = () => candidates.find((p) => existsSync(p));

if (!found()) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = spawnSync("sh", ["-c", "command -v apt-get"], { encoding: "utf8" }).status === 0;
  if (root && apt) {
    console.log("ferry tests: installing Debian's chromium (apt-get)…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const install = update.status === 0 && spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
    if (!install || install.status !== 0) console.error("ferry tests: apt-get could not install chromium");
  }
}
if (!found()) {
  console.error(
    "ferry tests need Chromium for the end-to-end tests and none was found.\n" +
      "Install Debian's package (as root: apt-get update && apt-get install chromium),\n" +
      "or point CHROMIUM_PATH at a Chromium binary. ferry never downloads a browser build.",
  );
  process.exit(1);
}
