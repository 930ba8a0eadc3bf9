/**
 * A real WebM video made in a page (a canvas drawn 25 times a second, recorded by MediaRecorder as
 * VP8 at about 3 Mbit/s with a keyframe every half second; no fixture file), given the Cues a muxer of
 * real films writes (seekable-webm.ts), and shared as a torrent by that page.
 */
import type { Page } from '@playwright/test';
import { makeSeekable } from './seekable-webm.ts';

/**
 * Seconds between the recording's keyframes: a seek starts reading at most this much before its
 * target. Half a second, as low-latency streams have: with a second, a seek under a cap of 1.1
 * times the bitrate waited for up to 1.5 pieces (256 KiB) more, and came within 3 s only just.
 */
export const KEYFRAME_INTERVAL_S = 0.5;

export interface SharedVideo {
  magnet: string;
  infoHash: string;
  size: number;
  /** The shared file's bytes, to compare what a reader gets with. */
  bytes: Uint8Array;
}

/** Record `seconds` of video in `page` (recording takes that long): the seekable file's bytes. */
export async function recordVideo(page: Page, seconds: number): Promise<Uint8Array> {
  return makeSeekable(Buffer.from(await page.evaluate(recordWebm, { seconds, keyframeMs: KEYFRAME_INTERVAL_S * 1000 }), 'base64'));
}

/** Record `seconds` of video in `page` and share it from there. */
export async function recordAndShare(page: Page, seconds: number): Promise<SharedVideo> {
  const bytes = await recordVideo(page, seconds);
  const shared = await page.evaluate(shareWebm, Buffer.from(bytes).toString('base64'));
  return { ...shared, size: bytes.byteLength, bytes };
}

/** Runs in the page: the recording, base64-encoded. */
async function recordWebm({ seconds, keyframeMs }: { seconds: number; keyframeMs: number }): Promise<string> {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  // Opaque: a canvas with alpha is recorded in BlockGroups, which carry no keyframe flag to index.
  const ctx = canvas.getContext('2d', { alpha: false })!;
  const rec = new MediaRecorder(canvas.captureStream(25), {
    mimeType: 'video/webm;codecs=vp8',
    videoBitsPerSecond: 3_000_000,
    // A keyframe every KEYFRAME_INTERVAL_S: a seek lands at most that much early.
    videoKeyFrameIntervalDuration: keyframeMs,
  } as MediaRecorderOptions);
  const chunks: Blob[] = [];
  rec.ondataavailable = (e) => chunks.push(e.data);
  const stopped = new Promise((r) => (rec.onstop = r));
  let frame = 0;
  const draw = () => {
    // Moving shapes of changing colours: frames that differ, as a film's do.
    ctx.fillStyle = `hsl(${(frame * 7) % 360} 60% 50%)`;
    ctx.fillRect(0, 0, 640, 360);
    for (let i = 0; i < 400; i++) {
      ctx.fillStyle = `hsl(${(i * 37 + frame * 11) % 360} 80% ${30 + ((i * frame) % 50)}%)`;
      ctx.fillRect((i * 53 + frame * 7) % 640, (i * 29 + frame * 5) % 360, 12, 12);
    }
    ctx.fillStyle = '#fff';
    ctx.font = '28px sans-serif';
    ctx.fillText(`frame ${frame++}`, 20, 180);
  };
  draw();
  const timer = setInterval(draw, 40);
  rec.start(1000);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  rec.stop();
  await stopped;
  clearInterval(timer);
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(new Blob(chunks, { type: 'video/webm' }));
  });
  return url.slice(url.indexOf(',') + 1);
}

/** Runs in the page: share the base64-encoded video. */
async function shareWebm(base64: string): Promise<{ magnet: string; infoHash: string }> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const s = await window.p2p.share(new File([bytes], 'recorded.webm', { type: 'video/webm' }));
  return { magnet: s.magnet, infoHash: s.infoHash };
}
