/**
 * Browsers for a benchmark: this machine's Chromium (Debian's /usr/bin/chromium when present,
 * with the flags of tests/engines.ts), pages in fresh contexts or persistent profiles, and the
 * app loaded on a room.
 */
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { availableEngines, type Engine } from '../../engines.ts';

/** The Chromium engine, or an error saying that `bench` needs it. */
export function chromiumEngine(bench: string): Engine {
  const engine = availableEngines().find((e) => e.browserName === 'chromium');
  if (!engine) throw new Error(`${bench} needs Chromium (apt-get install -y chromium)`);
  return engine;
}

/** A Chromium process. */
export function launchBrowser(engine: Engine): Promise<Browser> {
  return chromium.launch(engine.launchOptions);
}

/** `count` Chromium processes, one after the other. */
export async function launchBrowsers(engine: Engine, count: number): Promise<Browser[]> {
  const browsers: Browser[] = [];
  for (let i = 0; i < count; i++) browsers.push(await launchBrowser(engine));
  return browsers;
}

type ProfileOptions = Omit<NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>, 'executablePath' | 'args'>;

/** A persistent profile in `dir` (a Chromium process of its own) and its first page. */
export async function launchProfile(engine: Engine, dir: string, options: ProfileOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(dir, { ...engine.launchOptions, ...options });
  return { context, page: context.pages()[0] ?? (await context.newPage()) };
}

/** A page in a fresh context (its own IndexedDB); its uncaught errors go to `errors` as "Name: message". */
export async function newPage(browser: Browser, errors?: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (errors) page.on('pageerror', (err) => errors.push(`${err.name}: ${err.message}`));
  return { context, page };
}

export interface RoomOptions {
  /** More of the query string, e.g. "&fingers=0". */
  params?: string;
  /** Wait for the service worker to control the page too. */
  serviceWorker?: boolean;
  /** How long the app may take to get its peer id (Playwright's default: 30 s). */
  timeoutMs?: number;
}

/** Load the app in `page` on `room` of the server at `url`, until window.p2p has its peer id. */
export async function openRoom(page: Page, url: string, room: string, opts: RoomOptions = {}): Promise<void> {
  await page.goto(`${url}/?room=${room}${opts.params ?? ''}`);
  await page.waitForFunction(
    (sw) => !!window.p2p && window.p2p.id !== '' && (!sw || !!navigator.serviceWorker.controller),
    opts.serviceWorker ?? false,
    opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs },
  );
}

/** Close every one, ignoring those already gone. */
export async function closeAll(closables: readonly { close: () => Promise<unknown> }[]): Promise<void> {
  await Promise.all(closables.map((c) => c.close().catch(() => {})));
}
