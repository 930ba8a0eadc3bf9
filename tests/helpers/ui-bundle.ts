/**
 * Unit-level browser checks of one UI card: bundle a small entry (TypeScript, resolved from the
 * project root) with esbuild, and load it with the page's stylesheet into a blank Chromium page.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableEngines } from '../engines';

export function chromiumEngine() {
  return availableEngines().find((e) => e.browserName === 'chromium');
}

/** A page holding the bundled `entry` and the page's CSS, with an empty `#app`; `errors` collects page errors. */
export async function cardPage(entry: string, viewport: { width: number; height: number }): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const engine = chromiumEngine();
  if (!engine) throw new Error('no Chromium on this machine');
  const root = join(import.meta.dirname, '../..');
  const bundle = await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, format: 'iife', write: false, platform: 'browser' });
  const css = await readFile(join(root, 'client/style.css'), 'utf8');
  const browser = await chromium.launch(engine.launchOptions);
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body><main style="display:block"><div id="app"></div></main></body></html>`);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  return { browser, page, errors };
}
