import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import { ferry } from "ferry/vite";

// ferry() serves the page through Vite in `ferry dev` and proxies /__ferry/* to the backend.
export default defineConfig({
  plugins: [vue(), ferry()],
});
