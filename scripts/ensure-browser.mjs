// Makes sure the tests have what they drive: Debian's Chromium for the end-to-end tests, and
// for the app-window tests an X server (Xvfb), a window manager (openbox), wmctrl and
// ImageMagick's `import` (screenshots). Never downloads a browser build: installs the
// distribution packages where it can (root + apt-get), else says how to get them.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

const chromiumCandidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);
const hasChromium = () => chromiumCandidates.some((p) => existsSync(p));
const onPath = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;

/** Debian package → whether it is there. */
const needs = {
  chromium: hasChromium,
  xvfb: () => onPath("Xvfb"),
  openbox: () => onPath("openbox"),
  wmctrl: () => onPath("wmctrl"),
  imagemagick: () => onPath("import"),
};
const missing = () => Object.keys(needs).filter((pkg) => !needs[pkg]());

if (missing().length > 0) {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && onPath("apt-get")) {
    const pkgs = missing();
    console.log(`ferry tests: installing Debian's ${pkgs.join(", ")} (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const install = update.status === 0 && spawnSync("apt-get", ["install", "-y", "-qq", ...pkgs], { stdio: "inherit", env });
    if (!install || install.status !== 0) console.error(`ferry tests: apt-get could not install ${pkgs.join(", ")}`);
  }
}
const still = missing();
if (still.length > 0) {
  console.error(
    `ferry tests need ${still.join(", ")} and did not find ${still.length === 1 ? "it" : "them"}.\n` +
      `Install Debian's packages (as root: apt-get update && apt-get install ${still.join(" ")}),\n` +
      "or point CHROMIUM_PATH at a Chromium binary. ferry never downloads a browser build.",
  );
  process.exit(1);
}
