/**
 * The Content-Type of a torrent's file by its extension, and what the page can show of it (a
 * player, an image, text). Pure. Anything else is `application/octet-stream`: the service
 * worker never lets the browser guess (nosniff), and never serves a peer's HTML or SVG as a
 * document of this origin (those are not in the list).
 */

export type MediaKind = 'video' | 'audio' | 'image' | 'text' | 'other';

const TYPES: Record<string, [string, MediaKind]> = {
  webm: ['video/webm', 'video'],
  mp4: ['video/mp4', 'video'],
  m4v: ['video/mp4', 'video'],
  mov: ['video/quicktime', 'video'],
  mkv: ['video/x-matroska', 'video'],
  ogv: ['video/ogg', 'video'],
  mp3: ['audio/mpeg', 'audio'],
  m4a: ['audio/mp4', 'audio'],
  aac: ['audio/aac', 'audio'],
  oga: ['audio/ogg', 'audio'],
  ogg: ['audio/ogg', 'audio'],
  opus: ['audio/ogg', 'audio'],
  wav: ['audio/wav', 'audio'],
  flac: ['audio/flac', 'audio'],
  weba: ['audio/webm', 'audio'],
  jpg: ['image/jpeg', 'image'],
  jpeg: ['image/jpeg', 'image'],
  png: ['image/png', 'image'],
  gif: ['image/gif', 'image'],
  webp: ['image/webp', 'image'],
  avif: ['image/avif', 'image'],
  txt: ['text/plain; charset=utf-8', 'text'],
  md: ['text/plain; charset=utf-8', 'text'],
  csv: ['text/plain; charset=utf-8', 'text'],
  log: ['text/plain; charset=utf-8', 'text'],
  json: ['text/plain; charset=utf-8', 'text'],
  srt: ['text/plain; charset=utf-8', 'text'],
  vtt: ['text/vtt; charset=utf-8', 'text'],
};

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function mediaType(name: string): { type: string; kind: MediaKind } {
  const t = TYPES[extension(name)];
  return t ? { type: t[0], kind: t[1] } : { type: 'application/octet-stream', kind: 'other' };
}
