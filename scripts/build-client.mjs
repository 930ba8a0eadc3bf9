#!/usr/bin/env node
// Bundles the browser client into dist/ (wrangler's [build] command runs this).
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'client/main.ts')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  sourcemap: true,
  minify: process.env.NODE_ENV === 'production',
  inject: [join(root, 'client/shims.ts')],
  define: { global: 'globalThis' },
  logLevel: 'warning',
});
// The service worker, at the site root so that its scope is / (it answers /files/*).
await build({
  entryPoints: [join(root, 'client/sw.ts')],
  outfile: join(out, 'sw.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  sourcemap: true,
  minify: process.env.NODE_ENV === 'production',
  logLevel: 'warning',
});
for (const f of ['index.html', 'style.css']) await copyFile(join(root, 'client', f), join(out, f));
