import { expect, test } from './fixtures';
import { loadWebTorrent } from './webtorrent';

test('real WebTorrent clients seed and download through our tracker', async ({ browser, launchBrowser, baseURL }) => {
  const announce = `${baseURL!.replace('http', 'ws')}/announce`;
  const seederPage = await (await browser.newContext()).newPage();
  const leecherPage = await (await (await launchBrowser()).newContext()).newPage();
  for (const p of [seederPage, leecherPage]) {
    await p.goto('/');
    await loadWebTorrent(p);
  }
  const { magnet, sha256 } = await seederPage.evaluate(async (announce) => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 12345);
    for (let o = 0; o < bytes.length; o += 65536) crypto.getRandomValues(bytes.subarray(o, o + 65536));
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    const sha256 = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { magnet: await window.wt.seed(bytes, 'interop.bin', announce), sha256 };
  }, announce);
  expect(magnet).toContain('magnet:?xt=urn:btih:');
  const got = await leecherPage.evaluate(({ magnet, announce }) => window.wt.add(magnet, announce), { magnet, announce });
  expect(got).toEqual({ sha256, length: 3 * 1024 * 1024 + 12345 });
});
