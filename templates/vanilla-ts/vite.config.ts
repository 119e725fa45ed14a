import { defineConfig } from "vite";
import { ferry } from "ferry/vite";

// ferry() serves the page through Vite in `ferry dev` and proxies /__ferry/* to the backend.
export default defineConfig({
  plugins: [ferry()],
});
