/**
 * A real WebM video made in the page (a canvas drawn 25 times a second, recorded by
 * MediaRecorder as VP8 at about 3 Mbit/s; no fixture file), shared as a torrent. Runs in the
 * page: pass it to page.evaluate with the video's length in seconds (recording takes that long).
 */
export async function recordAndShare(seconds: number): Promise<{ magnet: string; infoHash: string; size: number }> {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  const ctx = canvas.getContext('2d')!;
  const rec = new MediaRecorder(canvas.captureStream(25), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 3_000_000 });
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
  const blob = new Blob(chunks, { type: 'video/webm' });
  const s = await window.p2p.share(new File([blob], 'recorded.webm', { type: 'video/webm' }));
  return { magnet: s.magnet, infoHash: s.infoHash, size: blob.size };
}
