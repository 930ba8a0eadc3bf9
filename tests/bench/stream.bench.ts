/**
 * npm run bench:stream — watching while it downloads. A page records a real WebM video
 * (tests/helpers/recorded-video.ts; BENCH_VIDEO_S seconds, 20 by default) and seeds it; for each
 * download cap (BENCH_CAPS, multiples of the video's bitrate: 1, 1.5, 2 and 4 by default) a fresh
 * page adds the magnet and plays the file through its media URL (handle.mediaUrl(), the service
 * worker's Range answers, the pieces read fetched first). Prints the start-up delay (magnet
 * added → first frame), the time to play again after a seek to 80 % (made once 4 s have
 * played; the recording is given Cues, so the browser reads from the keyframe there), the stalls
 * per minute of playing (a `waiting` event outside the seek), and the torrent's progress at the
 * first frame and at the seek. Figures only; it never fails on speed.
 */
import type { Page } from '@playwright/test';
import { recordAndShare } from '../helpers/recorded-video.ts';
import { chromiumEngine, launchBrowser, newPage, openRoom } from './kit/browsers.ts';
import { envList, envNumber } from './kit/env.ts';
import { fixed, percentage } from './kit/format.ts';
import { loadAverage, machineLine, problemLines } from './kit/report.ts';
import { startBenchServer } from './kit/server.ts';
import { table } from './kit/table.ts';

const SECONDS = envNumber('BENCH_VIDEO_S', 20);
const CAPS = envList('BENCH_CAPS', '1,1.5,2,4').map(Number);
const engine = chromiumEngine('bench:stream');
const load = loadAverage();
const server = await startBenchServer('stream', { port: envNumber('BENCH_PORT', 8789), fresh: true });
const browser = await launchBrowser(engine);

interface Watch {
  startupMs: number | null;
  seekMs: number | null;
  stallsPerMin: number | null;
  playedS: number;
  atFirstFrame: number;
  atSeek: number | null;
  error: string | null;
}

/** Add the magnet under a cap of `rate` bytes/s, play the file, seek to 80 % after 4 s, play to the end. */
function watch(page: Page, magnet: string, rate: number, seconds: number): Promise<Watch> {
  return page.evaluate(
    async ({ magnet, rate, seconds }) => {
      window.p2p.setRateLimits({ down: rate });
      const t0 = performance.now();
      const t = await window.p2p.download(magnet);
      while (t.files().length === 0) await new Promise((r) => setTimeout(r, 20));
      const share = () => t.progress().have / t.progress().pieces;
      const v = document.createElement('video');
      v.muted = true;
      document.body.append(v);
      v.src = t.mediaUrl();
      let firstFrame: number | null = null;
      let atFirstFrame = 0;
      let seekAt: number | null = null;
      let seekMs: number | null = null;
      let atSeek: number | null = null;
      let stalls = 0;
      let playingSince: number | null = null;
      let playedMs = 0;
      const target = seconds * 0.8;
      v.addEventListener('waiting', () => {
        if (firstFrame !== null && (seekAt === null || seekMs !== null)) stalls++;
        if (playingSince !== null) playedMs += performance.now() - playingSince;
        playingSince = null;
      });
      v.addEventListener('playing', () => (playingSince = performance.now()));
      void v.play().catch(() => undefined);
      const deadline = t0 + (seconds * 4 + 60) * 1000;
      while (!v.ended && !v.error && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        const now = performance.now();
        if (firstFrame === null && v.currentTime > 0) {
          firstFrame = now - t0;
          atFirstFrame = share();
        }
        if (seekAt === null && v.currentTime >= 4) {
          seekAt = now;
          atSeek = share();
          v.currentTime = target;
        }
        if (seekAt !== null && seekMs === null && v.currentTime > target + 0.1 && !v.seeking) seekMs = now - seekAt;
      }
      if (playingSince !== null) playedMs += performance.now() - playingSince;
      const error = v.error ? v.error.message || `media error ${v.error.code}` : v.ended ? null : 'did not reach the end in time';
      v.remove();
      return { startupMs: firstFrame, seekMs, stallsPerMin: playedMs > 0 ? stalls / (playedMs / 60_000) : null, playedS: playedMs / 1000, atFirstFrame, atSeek, error };
    },
    { magnet, rate, seconds },
  );
}

const problems: string[] = [];
try {
  const room = `bench-${Date.now().toString(36)}`;
  const { page: seeder } = await newPage(browser);
  await openRoom(seeder, server.url, room);
  const video = await recordAndShare(seeder, SECONDS);
  const bitrate = video.size / SECONDS;
  const rows: string[][] = [];
  for (const cap of CAPS) {
    const { context, page } = await newPage(browser);
    await openRoom(page, server.url, room, { serviceWorker: true });
    const w = await watch(page, video.magnet, Math.round(cap * bitrate), SECONDS);
    if (w.error) problems.push(`${cap}×: ${w.error}`);
    rows.push([
      `${cap}×`,
      fixed((cap * bitrate) / 1024, 0),
      fixed(w.startupMs === null ? null : w.startupMs / 1000, 2),
      percentage(w.atFirstFrame),
      fixed(w.seekMs === null ? null : w.seekMs / 1000, 2),
      w.atSeek === null ? '-' : percentage(w.atSeek),
      fixed(w.stallsPerMin, 1),
      fixed(w.playedS, 1),
    ]);
    await context.close();
  }
  console.log(`bench:stream  a ${SECONDS} s WebM (VP8, MediaRecorder) of ${fixed(video.size / 1024 / 1024, 2)} MiB, ${fixed((bitrate * 8) / 1e6, 2)} Mbit/s, one seeder, one viewer at a time, ${engine.name}`);
  console.log(machineLine(load));
  console.log(
    table(['cap', 'cap KiB/s', 'start-up s', 'have at 1st frame', 'resume after seek s', 'have at seek', 'stalls/min', 'played s'], rows),
  );
  console.log('targets: start-up <= 2 s, no stall at 2× the bitrate');
  for (const line of problemLines(problems)) console.log(line);
} finally {
  await browser.close();
  await server.stop();
}
