/**
 * A torrent's files as this browser stores them, read straight from where the piece store writes
 * (client/bittorrent/piece-store.ts): its record and have record from the KV, its pieces one by one.
 * The service worker uses it (it has no torrent engine); nothing is cached, nothing is held.
 */
import { fileLayout, type FileSpan } from '../../protocol/file-layout';
import { parseInfo } from '../../protocol/metainfo';
import { haveBitfield, type HaveRecord } from '../bittorrent/have-record';
import { haveKey, torrentKey, type TorrentRecord } from '../bittorrent/piece-store';
import type { StoredPieces } from '../store/content-files';
import type { KV } from '../store/kv';
import type { FileLayout } from './piece-stream';
import type { Bitfield } from '../../protocol/bitfield';

export interface StoredFile extends FileLayout {
  infoHash: string;
  name: string;
  pieces: number;
  have: Bitfield;
  /** Its files in order with their byte and piece ranges (a single-file torrent: one). */
  files: FileSpan[];
  /** True for a multi-file torrent (info `files`). */
  multi: boolean;
  read(index: number): Promise<Uint8Array | undefined>;
  /** The torrent's bytes [start, end) as one Blob where storage keeps them contiguous (every piece of the range must be here); else undefined. */
  slice(start: number, end: number): Promise<Blob | undefined>;
}

/** Whether piece `index` of `infoHash` is stored now, by its have record (read afresh). */
export async function pieceStored(kv: KV, infoHash: string, index: number): Promise<boolean> {
  const rec = await kv.get<HaveRecord>(haveKey(infoHash));
  return !!rec && Number.isInteger(rec.pieces) && index < rec.pieces && haveBitfield(rec, rec.pieces).get(index);
}

/** The stored file of `infoHash`, or null when this browser holds no such torrent. */
export async function openStoredFile(kv: KV, stored: StoredPieces, infoHash: string): Promise<StoredFile | null> {
  const [rec, haveRec] = await kv.getMany<unknown>([torrentKey(infoHash), haveKey(infoHash)]);
  if (!rec) return null;
  const record = rec as TorrentRecord;
  const { info } = await parseInfo(record.infoBytes, infoHash);
  const file = record.pieceKey ?? infoHash;
  const pieces = info.pieces.length;
  return {
    infoHash,
    name: info.name,
    length: info.length,
    pieceLength: info.pieceLength,
    pieces,
    have: haveBitfield(haveRec as HaveRecord | undefined, pieces),
    files: fileLayout(info),
    multi: info.files !== undefined,
    read: (index) => {
      const at = index * info.pieceLength;
      return stored.read(file, index, at, Math.min(info.pieceLength, info.length - at));
    },
    slice: (start, end) => stored.slice(file, start, end),
  };
}
