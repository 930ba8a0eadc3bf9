/**
 * Napster from the peer's side: publish what this tab holds completely to the edge's index,
 * keep it fresh (a heartbeat re-publish), and search it. The index is a single point of
 * failure by design: when the edge cannot be reached, searches say so plainly.
 */
import type { PublishedFile, SearchResult, ServerMessage } from '../../protocol/signaling';
import { PendingTable } from '../core/pending';
import type { SignalingSocket } from '../net/signaling-socket';

/** Re-publish everything this often: the index expires holders it has not heard from. */
export const REPUBLISH_MS = 60_000;
const SEARCH_TIMEOUT_MS = 8_000;
const MAX_PER_MESSAGE = 100;

export class IndexUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexUnreachableError';
  }
}

export interface SearchAnswer {
  results: SearchResult[];
  ms: number;
}

export class IndexClient {
  /** `held`: files the index holds for this tab (its last `published` reply); `dropped`: entries it refused. */
  readonly counters = { held: 0, dropped: 0 };
  private ref = 1;
  private readonly searches = new PendingTable<number, SearchAnswer>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly socket: SignalingSocket,
    /** The files this tab holds completely, right now. */
    private readonly holdings: () => PublishedFile[],
    /** The index left out `count` entries of a publish (the first for `reason`). */
    private readonly onDropped: (count: number, reason: string) => void = () => {},
  ) {
    socket.on('welcome', () => this.publishAll());
    socket.on('message', (m) => this.onMessage(m));
    socket.on('state', (s) => {
      if (s !== 'open') this.failAll('the connection to the edge was lost: the Napster index cannot be reached');
    });
    this.timer = setInterval(() => this.publishAll(), REPUBLISH_MS);
  }

  /** Publish (again) every file this tab holds. */
  publishAll(): void {
    this.publish(this.holdings());
  }

  publish(files: PublishedFile[]): void {
    for (let i = 0; i < files.length; i += MAX_PER_MESSAGE) {
      this.socket.send({ type: 'publish', files: files.slice(i, i + MAX_PER_MESSAGE) });
    }
  }

  unpublish(infoHashes: string[]): void {
    for (let i = 0; i < infoHashes.length; i += MAX_PER_MESSAGE) {
      this.socket.send({ type: 'unpublish', infoHashes: infoHashes.slice(i, i + MAX_PER_MESSAGE) });
    }
  }

  /** Files whose names contain every word of `query`, with their live holders. */
  search(query: string): Promise<SearchAnswer> {
    const ref = this.ref++;
    if (!this.socket.send({ type: 'search', ref, query })) {
      return Promise.reject(new IndexUnreachableError('not connected to the edge: the Napster index cannot be reached (downloads in progress go on)'));
    }
    return this.searches.add(ref, SEARCH_TIMEOUT_MS, () => new IndexUnreachableError(`the Napster index did not answer within ${SEARCH_TIMEOUT_MS / 1000} s`));
  }

  destroy(): void {
    clearInterval(this.timer);
    this.failAll('shutting down');
  }

  private onMessage(m: ServerMessage): void {
    if (m.type === 'published') {
      this.counters.held = m.files;
      if (m.dropped) {
        this.counters.dropped += m.dropped;
        this.onDropped(m.dropped, m.reason ?? 'no reason given');
      }
    } else if (m.type === 'search-result') {
      this.searches.settle(m.ref, { results: m.results, ms: m.ms });
    } else if (m.type === 'error' && m.ref !== undefined) {
      this.searches.fail(m.ref, new Error(`search refused: ${m.message}`));
    }
  }

  private failAll(reason: string): void {
    this.searches.failAll(() => new IndexUnreachableError(reason));
  }
}
