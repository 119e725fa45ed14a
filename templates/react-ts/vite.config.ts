import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { ferry } from "ferry/vite";

// ferry() serves the page through Vite in `ferry dev` and proxies /__ferry/* to the backend.
export default defineConfig({
  plugins: [react(), ferry()],
});
