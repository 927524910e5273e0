/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

// The API server (npm start) listens here; the dev server forwards API, tile and OGC calls
// to it so that the browser sees one origin and the session cookie just works.
const apiServer = 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'web',
  publicDir: 'public',
  // No svelte.config.js: the defaults (Svelte 5, TypeScript in <script lang="ts">) are what we want.
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // maplibre-gl alone is ~1 MB minified; it is split out anyway, so do not warn about it.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // MapLibre changes far less often than our code: its own chunk stays cached.
        codeSplitting: {
          groups: [{ name: 'maplibre', test: /node_modules[\\/]maplibre-gl[\\/]/ }],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': apiServer,
      '/tiles': apiServer,
      '/ogc': apiServer,
    },
  },
  test: {
    // Tests live at the repository root, not under the web root above.
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 120000,
    hookTimeout: 180000,
    pool: 'forks',
    fileParallelism: false,
  },
});
