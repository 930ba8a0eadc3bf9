/**
 * The BitTorrent part of the page: share a file, several files or a folder (share-card.ts),
 * download a magnet link (download-card.ts), the list of this tab's torrents with the details of
 * the selected one (torrent-list.ts), and the rate limits (limits-card.ts). Uses only window.p2p.
 */
import type { P2P } from '../api';
import { pageClock, type Clock } from './clock';
import { createDownloadCard } from './download-card';
import { createLimitsCard } from './limits-card';
import { createShareCard } from './share-card';
import { TorrentList } from './torrent-list';

export interface TorrentUIHooks {
  showError(message: string): void;
  log(text: string): void;
}

export interface TorrentUI {
  share: HTMLElement;
  download: HTMLElement;
  list: HTMLElement;
  details: HTMLElement;
  limits: HTMLElement;
}

export function createTorrentUI(p2p: P2P, hooks: TorrentUIHooks, clock: Clock = pageClock()): TorrentUI {
  const list = new TorrentList(p2p, hooks, clock);
  const started = (infoHash: string) => list.focus(infoHash);
  const share = createShareCard(p2p, { showError: (m) => hooks.showError(m), log: (text) => hooks.log(text), started });
  const download = createDownloadCard(p2p, { log: (text) => hooks.log(text), started });
  const limits = createLimitsCard(p2p);
  list.refresh(true);
  void p2p.ready.then(() => list.refresh(true));
  return { share, download, list: list.element, details: list.details.element, limits };
}
