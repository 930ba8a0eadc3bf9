/**
 * The extension protocol beside the wire: BEP 10's extended handshake (our ut_metadata id,
 * client name, queue depth, once we have it the metadata's size, and BEP 21's upload_only while
 * we super-seed) and BEP 9's metadata
 * exchange for magnet links: we ask peers that announced a size for the pieces of the info
 * dictionary, answer their requests for ours, and check what we assemble against the info hash
 * before the torrent installs it. Extended payloads are parsed here, where they arrive.
 */
import { parseInfo, type TorrentInfo } from '../../protocol/metainfo';
import {
  encodeExtendedHandshake,
  encodeMetadataMessage,
  parseExtendedHandshake,
  parseMetadataMessage,
  UT_METADATA,
  type ExtendedHandshakeOptions,
  type WireMessage,
} from '../../protocol/wire';
import { metadataAnswer, MetadataPieces } from './metadata-pieces';

/** Our extended message id for ut_metadata. */
const OUR_UT_METADATA = 1;
const CLIENT_NAME = 'edge-p2p 0.1';
/** How many requests we queue for a peer (BEP 10 `reqq`). */
const REQQ = 250;

/** What the exchange keeps of a peer (a torrent's peer record has these fields). */
export interface MetadataPeer {
  readonly key: string;
  readonly conn: { send(msg: WireMessage): void };
  client: string;
  /** Its extended message id for ut_metadata (0: none). */
  utMetadata: number;
  /** The metadata size it announced (0: none, or it refused us). */
  metadataSize: number;
  /** It said upload_only (BEP 21): a seed, which may announce only some of its pieces (super-seeding). */
  uploadOnly: boolean;
}

/** What the exchange asks of its torrent. */
export interface MetadataHost {
  readonly infoHash: string;
  /** Our info dictionary, once the metadata is installed (null before). */
  infoBytes(): Uint8Array | null;
  /** We only upload and announce some of our pieces (super-seeding). */
  uploadOnly(): boolean;
  peers(): Iterable<MetadataPeer>;
  /** Install metadata assembled from peers, its hash checked. */
  install(info: TorrentInfo, infoBytes: Uint8Array): Promise<void>;
  /** Metadata from peers did not parse, hash or install; `last` sent its last piece. */
  rejected(last: string, message: string): void;
}

export class MetadataExchange {
  private readonly pieces = new MetadataPieces();

  constructor(private readonly host: MetadataHost) {}

  /** Our extended handshake, to a peer whose handshake set the extension bit. */
  greet(p: MetadataPeer): void {
    const ext: ExtendedHandshakeOptions = { utMetadata: OUR_UT_METADATA, client: CLIENT_NAME, reqq: REQQ };
    const bytes = this.host.infoBytes();
    if (bytes) ext.metadataSize = bytes.length;
    if (this.host.uploadOnly()) ext.uploadOnly = true;
    p.conn.send({ type: 'extended', ext: 0, payload: encodeExtendedHandshake(ext) });
  }

  /** An extended message (BEP 10) from `p`; a malformed one throws a ProtocolError. */
  onMessage(p: MetadataPeer, ext: number, payload: Uint8Array): void {
    if (ext === 0) {
      const hs = parseExtendedHandshake(payload);
      p.utMetadata = hs.m[UT_METADATA] ?? 0;
      if (hs.client) p.client = hs.client.slice(0, 40);
      if (hs.metadataSize) p.metadataSize = hs.metadataSize;
      p.uploadOnly = hs.uploadOnly ?? false;
      this.request();
      return;
    }
    if (ext !== OUR_UT_METADATA) return;
    const m = parseMetadataMessage(payload);
    if (m.kind === 'request') {
      if (!p.utMetadata) return;
      p.conn.send({ type: 'extended', ext: p.utMetadata, payload: encodeMetadataMessage(metadataAnswer(this.host.infoBytes(), m.piece)) });
      return;
    }
    if (this.host.infoBytes()) return;
    this.pieces.answered(m.piece, p.key);
    if (m.kind === 'reject') {
      p.metadataSize = 0; // do not ask this peer again
      this.request();
      return;
    }
    if (m.totalSize !== p.metadataSize || !m.data) return;
    if (this.pieces.add(m.piece, m.totalSize, m.data)) void this.assemble(m.totalSize, p.key);
    else this.request();
  }

  /** Ask the peers for the metadata pieces not yet asked for (none once the metadata is here). */
  request(): void {
    if (this.host.infoBytes()) return;
    const sources = [...this.host.peers()].filter((p) => p.utMetadata && p.metadataSize);
    for (const { piece, peer } of this.pieces.plan(sources)) {
      peer.conn.send({ type: 'extended', ext: peer.utMetadata, payload: encodeMetadataMessage({ kind: 'request', piece }) });
    }
  }

  /** A peer left: the pieces asked of it can be asked of others (request() asks them). */
  peerGone(key: string): void {
    this.pieces.peerGone(key);
  }

  private async assemble(size: number, last: string): Promise<void> {
    const bytes = this.pieces.take(size);
    try {
      const { info } = await parseInfo(bytes, this.host.infoHash);
      await this.host.install(info, bytes);
    } catch (err) {
      this.host.rejected(last, `metadata from peers was rejected: ${(err as Error).message}`);
      this.request();
    }
  }
}
