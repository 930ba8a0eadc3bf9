#!/usr/bin/env node
// Bundles the browser client into dist/ (wrangler's [build] command runs this).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
await mkdir(out, { recursive: true });
/** What both bundles share: browser targets, source maps, minified for production. */
const common = {
  bundle: true,
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  sourcemap: true,
  minify: process.env.NODE_ENV === 'production',
  logLevel: 'warning',
  // The page's components are Preact (client/ui/*.tsx).
  jsx: 'automatic',
  jsxImportSource: 'preact',
};
await build({
  ...common,
  entryPoints: [join(root, 'client/main.ts')],
  outfile: join(out, 'app.js'),
  format: 'esm',
  inject: [join(root, 'client/shims.ts')],
  define: { global: 'globalThis' },
});
// The service worker, at the site root so that its scope is / (it answers /files/*).
await build({ ...common, entryPoints: [join(root, 'client/sw.ts')], outfile: join(out, 'sw.js'), format: 'iife' });
// The worker that writes pieces to the Origin Private File System (client/store/opfs-worker.ts).
await build({ ...common, entryPoints: [join(root, 'client/store/opfs-worker.ts')], outfile: join(out, 'opfs-worker.js'), format: 'iife' });
for (const f of ['index.html', 'style.css']) await copyFile(join(root, 'client', f), join(out, f));
