/**
 * MediaRecorder writes a WebM without Cues (the index of where each keyframe's cluster starts),
 * so a player that seeks in it must read its way through the file from the start. Any muxer of
 * real films (ffmpeg, mkvmerge, a camera) writes them. This adds them, ahead of the clusters, with
 * the duration: the recorded video becomes what a real film file is. Runs in Node.
 */
import ebml from 'ts-ebml';

const { Decoder, Reader, tools } = ebml;

export function makeSeekable(webm: Uint8Array): Uint8Array {
  // The decoder slices Buffers; Node's shared pool for small Buffers corrupts what it hands back.
  const poolSize = Buffer.poolSize;
  Buffer.poolSize = 0;
  try {
    const decoder = new Decoder();
    const reader = new Reader();
    reader.logging = false;
    reader.drop_default_duration = false;
    const buffer = webm.buffer.slice(webm.byteOffset, webm.byteOffset + webm.byteLength) as ArrayBuffer;
    for (const element of decoder.decode(buffer)) reader.read(element);
    reader.stop();
    if (reader.cues.length === 0) throw new Error('the recording has no keyframe clusters to index (was the canvas opaque?)');
    const head = new Uint8Array(tools.makeMetadataSeekable(reader.metadatas, reader.duration, reader.cues));
    const body = webm.subarray(reader.metadataSize);
    const out = new Uint8Array(head.byteLength + body.byteLength);
    out.set(head, 0);
    out.set(body, head.byteLength);
    return out;
  } finally {
    Buffer.poolSize = poolSize;
  }
}
