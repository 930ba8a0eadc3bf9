/**
 * The torrent list card in a real browser with a fake `p2p` (no engine): one row per torrent,
 * kept by its info hash while p2p.torrents() makes new handles, its cells from the torrent's
 * progress, Details toggling the selection, a torrent gone taking its row away.
 */
import { expect, test } from '@playwright/test';
import { cardPage, chromiumEngine } from '../helpers/ui-bundle';

test('the torrent list: keyed rows, their cells, Details, a torrent gone', async () => {
  test.setTimeout(60_000);
  test.skip(!chromiumEngine(), 'no Chromium on this machine');
  const { browser, page, errors } = await cardPage(`import { TorrentList } from './client/ui/torrent-list';\nwindow.TorrentList = TorrentList;`, { width: 1100, height: 800 });
  try {
    await page.evaluate(() => {
      type Fake = Record<string, unknown>;
      const w = window as unknown as {
        TorrentList: new (p2p: unknown, hooks: unknown, clock: unknown) => { element: HTMLElement; details: { element: HTMLElement }; refresh(full?: boolean): void };
        tick: () => void;
        torrents: { infoHash: string; name: string; have: number; peers: number }[];
        logs: string[];
      };
      w.torrents = [
        { infoHash: 'a'.repeat(40), name: 'alpha.bin', have: 4, peers: 0 },
        { infoHash: 'b'.repeat(40), name: 'beta.bin', have: 2, peers: 3 },
      ];
      w.logs = [];
      const handle = (t: (typeof w.torrents)[number]): Fake => ({
        infoHash: t.infoHash,
        magnet: `magnet:?xt=urn:btih:${t.infoHash}`,
        name: () => t.name,
        progress: () => ({
          infoHash: t.infoHash, name: t.name, length: 4 * 262144, pieces: 4, have: t.have, fetched: 0, corruptPieces: 0, banned: 0, uploaded: 0,
          downRate: 0, upRate: 0, done: t.have === 4, complete: t.have === 4, selectedLength: 4 * 262144, selectedHave: t.have * 262144,
          multiFile: false, files: 1, selectedFiles: 1,
        }),
        peers: () => Array.from({ length: t.peers }, (_, i) => ({ id: `peer${i}`, client: 'fake', amChoking: false, amInterested: true, peerChoking: false, peerInterested: false, downRate: 0, upRate: 0, pieces: 0, outstanding: 0, snubbed: false })),
        pieceMap: () => ({ state: new Uint8Array(4), availability: new Uint16Array(4), reading: new Uint8Array(4) }),
        on: () => () => undefined,
        done: new Promise(() => undefined),
        remove: () => (w.torrents = w.torrents.filter((x) => x !== t)),
        saveUrl: () => `/files/${t.infoHash}`,
        mediaUrl: () => `/files/${t.infoHash}?stream`,
        files: () => [{ index: 0, path: t.name, length: 4 * 262144, progress: t.have / 4, selected: true }],
        blob: async () => new Blob([]),
      });
      const subs: (() => void)[] = [];
      w.tick = () => subs.forEach((f) => f());
      const p2p = {
        torrents: () => w.torrents.map(handle),
        stats: () => ({ torrentConnections: { open: 1, pendingIn: 0, pendingOut: 1, refused: {}, expired: 0, displaced: 0 } }),
      };
      const list = new w.TorrentList(p2p, { showError: (m: string) => w.logs.push(`error ${m}`), log: (t: string) => w.logs.push(t) }, { subscribe: (f: () => void) => (subs.push(f), () => undefined) });
      document.getElementById('app')!.append(list.element, list.details.element);
      list.refresh(true);
    });
    const rows = page.locator('#torrent-rows tr.torrent');
    await expect(rows).toHaveCount(2);
    await expect(page.locator('#torrent-count')).toHaveText('2');
    await expect(page.locator('#torrent-connections')).toHaveText('Connections: 1 open, 1 pending');
    const alpha = rows.filter({ hasText: 'alpha.bin' });
    const beta = rows.filter({ hasText: 'beta.bin' });
    await expect(alpha.locator('.pill')).toHaveText('seeding');
    await expect(alpha.locator('.pct')).toHaveText('100%');
    await expect(alpha.locator('a.save-link')).toHaveText('Save');
    await expect(beta.locator('.pill')).toHaveText('downloading');
    await expect(beta.locator('.pct')).toHaveText('50%');
    await expect(beta.locator('td[data-label="Size"]')).toHaveText('1.00 MiB');
    await expect(beta.locator('td[data-label="Peers"]')).toHaveText('3');

    // A tick makes new handles: the rows stay the same elements, updated.
    await beta.evaluate((tr) => ((tr as HTMLElement & { mark?: boolean }).mark = true));
    await page.evaluate(() => {
      const w = window as unknown as { torrents: { have: number }[]; tick: () => void };
      w.torrents[1]!.have = 3;
      w.tick();
    });
    await expect(beta.locator('.pct')).toHaveText('75%');
    expect(await beta.evaluate((tr) => (tr as HTMLElement & { mark?: boolean }).mark)).toBe(true);

    // Details toggles the selection and the details card.
    const details = beta.locator('.details-toggle');
    await details.click();
    await expect(details).toHaveText('Hide');
    await expect(details).toHaveAttribute('aria-pressed', 'true');
    await expect(beta).toHaveClass(/selected/);
    await details.click();
    await expect(details).toHaveText('Details');
    await expect(beta).not.toHaveClass(/selected/);

    // Remove: the row goes; the last one gone leaves the empty line.
    await alpha.locator('.remove').click();
    await expect(rows).toHaveCount(1);
    expect(await page.evaluate(() => (window as unknown as { logs: string[] }).logs)).toContain('removed torrent \u2068alpha.bin\u2069');
    await page.evaluate(() => {
      const w = window as unknown as { torrents: unknown[]; tick: () => void };
      w.torrents = [];
      w.tick();
    });
    await expect(rows).toHaveCount(0);
    await expect(page.locator('#torrent-rows .empty-row')).toContainText('No torrents yet.');
    await expect(page.locator('#torrent-count')).toHaveText('0');
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});
