/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Tauri loads the dev server at this fixed port (src-tauri/tauri.conf.json `build.devUrl`).
export default defineConfig({
  clearScreen: false,
  server: { port: 1420, strictPort: true, watch: { ignored: ["**/src-tauri/**"] } },
  build: {
    // WebKitGTK on Debian 12 is the engine that runs this UI.
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
  },
});
