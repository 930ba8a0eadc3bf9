/**
 * E2E fixtures: peers are real pages on wrangler dev. `peer(context)` opens a tab and waits for
 * the edge to welcome it; `launchBrowser()` starts another browser process of the same engine.
 * Every uncaught page error fails the test.
 */
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

export { expect };

export interface PeerFixtures {
  /** Closes every context the test opened in the shared browser, so no page of it runs on. */
  closeContexts: void;
  room: string;
  /** Open a tab in `context` on the room and wait for its peer id; `params` adds to the URL (e.g. `degree=0`). */
  peer: (context: BrowserContext, params?: string) => Promise<Page>;
  /** Start another browser process (same engine and flags); closed after the test. */
  launchBrowser: () => Promise<Browser>;
  pageErrors: string[];
}

export const test = base.extend<PeerFixtures>({
  // Contexts made with browser.newContext() are not closed by Playwright: their pages (and their
  // overlay and DHT timers) would run on through the rest of the suite.
  closeContexts: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((c) => c.close().catch(() => {})));
    },
    { auto: true },
  ],
  room: async ({}, use, info) => {
    await use(`e2e-${info.testId.slice(0, 8)}-${Date.now().toString(36)}`);
  },
  pageErrors: async ({}, use) => {
    const errors: string[] = [];
    await use(errors);
    expect(errors, 'uncaught errors in pages').toEqual([]);
  },
  peer: async ({ room, pageErrors }, use) => {
    await use(async (context, params) => {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));
      await page.goto(`/?room=${room}${params ? `&${params}` : ''}`);
      await page.waitForFunction(() => !!window.p2p && window.p2p.id !== '');
      return page;
    });
  },
  launchBrowser: async ({ playwright, browserName }, use, info) => {
    const launched: Browser[] = [];
    await use(async () => {
      const b = await playwright[browserName].launch(info.project.use.launchOptions ?? {});
      launched.push(b);
      return b;
    });
    await Promise.all(launched.map((b) => b.close()));
  },
});

export function idOf(page: Page): Promise<string> {
  return page.evaluate(() => window.p2p.id);
}

/** Wait until the page sees exactly `ids` as the other peers online. */
export async function waitForPeers(page: Page, ids: string[], timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const have = window.p2p.peers();
      return have.length === want.length && want.every((id) => have.includes(id));
    },
    ids,
    { timeout },
  );
}

/**
 * Make `bytes` random bytes in `from`, send them to `to` on `channel` in one message, and return
 * the SHA-256 (hex) computed on each side.
 */
export async function sendRandom(from: Page, to: Page, bytes: number, channel = 'blob'): Promise<{ sent: string; received: string }> {
  const fromId = await idOf(from);
  const toId = await idOf(to);
  const received = to.evaluate(
    ({ fromId, channel }) =>
      new Promise<string>((resolve) => {
        const off = window.p2p.on('data', async (e) => {
          if (e.from !== fromId || e.channel !== channel) return;
          off();
          const digest = await crypto.subtle.digest('SHA-256', e.bytes as Uint8Array<ArrayBuffer>);
          resolve([...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join(''));
        });
      }),
    { fromId, channel },
  );
  const sent = await from.evaluate(
    async ({ toId, bytes, channel }) => {
      const data = new Uint8Array(bytes);
      for (let o = 0; o < bytes; o += 65_536) crypto.getRandomValues(data.subarray(o, Math.min(bytes, o + 65_536)));
      const digest = await crypto.subtle.digest('SHA-256', data);
      await window.p2p.send(toId, channel, data);
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    },
    { toId, bytes, channel },
  );
  return { sent, received: await received };
}
