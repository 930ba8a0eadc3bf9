/** window.p2p.storage: the browser's storage manager and the torrents stored, over the torrent client. */
import type { StorageApi } from '../api';
import type { TorrentClient } from '../bittorrent/client';
import { INFO_HASH_RE } from '../../protocol/metainfo';

const manager = (): StorageManager | null => (typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null);

export function createStorageApi(client: TorrentClient): StorageApi {
  return {
    async estimate() {
      const m = manager();
      if (!m?.estimate) return null;
      const e = await m.estimate();
      return { usage: e.usage ?? 0, quota: e.quota ?? 0 };
    },
    async persisted() {
      const m = manager();
      return m?.persisted ? m.persisted() : null;
    },
    async persist() {
      const m = manager();
      return m?.persist ? m.persist() : null;
    },
    held: () => client.held(),
    async delete(infoHash) {
      if (typeof infoHash !== 'string' || !INFO_HASH_RE.test(infoHash)) throw new Error(`"${String(infoHash).slice(0, 60)}" is not an info hash (40 hex digits)`);
      await client.deleteStored(infoHash);
    },
  };
}
