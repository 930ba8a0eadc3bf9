/**
 * What the tabs of one browser tell each other about the content they share (one IndexedDB):
 * "this torrent's data was deleted", so every tab stops seeding it at once. A BroadcastChannel;
 * what arrives is parsed here and anything else is dropped and counted.
 */
import { INFO_HASH_RE } from '../../protocol/metainfo';

export const CONTENT_CHANNEL = 'edge-p2p-content';

export type ContentMessage = { type: 'deleted'; infoHash: string };

/** The message, or null for anything that is not one. */
export function parseContentMessage(data: unknown): ContentMessage | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const m = data as Record<string, unknown>;
  if (m.type === 'deleted' && typeof m.infoHash === 'string' && INFO_HASH_RE.test(m.infoHash)) return { type: 'deleted', infoHash: m.infoHash.toLowerCase() };
  return null;
}

export class ContentChannel {
  private readonly channel: BroadcastChannel | null;
  /** Messages from other tabs that were not content messages. */
  dropped = 0;

  constructor(onMessage: (m: ContentMessage) => void) {
    this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CONTENT_CHANNEL) : null;
    this.channel?.addEventListener('message', (e: MessageEvent) => {
      const m = parseContentMessage(e.data);
      if (m) onMessage(m);
      else this.dropped++;
    });
  }

  /** Tell the browser's other tabs (not this one). */
  post(m: ContentMessage): void {
    this.channel?.postMessage(m);
  }

  close(): void {
    this.channel?.close();
  }
}
