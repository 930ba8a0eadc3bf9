/**
 * The DHT node's messaging: DHT messages to peers over their links (opened on demand, for at
 * most LINK_MS), and requests paired with their responses by `ref`, each with its timeout; when
 * the node leaves, every request still waiting fails at once ('closed'). Nothing here knows the
 * ring: routing, upkeep and replication decide what to send to whom.
 *
 * The pairing goes through client/core/pending.ts's PendingTable, the one table of "requests
 * waiting for their answer" (the Napster index client and the overlay's handshakes use it too).
 */
import { customAlphabet } from 'nanoid';
import { DHT_CHANNEL, encodeDhtMessage, type DhtMessage } from '../../protocol/dht';
import type { LinkManager } from '../net/link-manager';
import { PendingTable } from '../core/pending';
import { DhtError } from './dht-error';

/** How long to wait for a link to a peer before counting it as unreachable. */
const LINK_MS = 4_000;

const newRef = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 16);

/** The messages that ask (each with a fresh `ref`) and the ones that answer them. */
export type DhtRequest = Extract<DhtMessage, { type: 'route' | 'state?' }>;
export type DhtResponse = Extract<DhtMessage, { type: 'reply' | 'state' }>;

export interface DhtRpcOptions {
  self: string;
  links: Pick<LinkManager, 'get' | 'connect'>;
  /** Whether a link may be opened to a peer this node has none to. */
  mayLink: (peer: string) => boolean;
  /** Where requests wait for their answer (default: a table of this node's own). */
  pending?: PendingTable<string, DhtResponse>;
  linkMs?: number;
}

/** A request's key in the table: the answer must be of the expected type to settle it. */
const keyOf = (type: DhtResponse['type'], ref: string): string => `${type}:${ref}`;

export class DhtRpc {
  private readonly pending: PendingTable<string, DhtResponse>;
  private closed = false;

  constructor(private readonly opts: DhtRpcOptions) {
    this.pending = opts.pending ?? new PendingTable<string, DhtResponse>();
  }

  /**
   * Send `build(ref)` (a fresh ref) to `peer` and wait at most `ms` for its answer of type
   * `expect`. Fails with a DhtError: 'unreachable' (not sent), 'timeout' (message `what`),
   * 'closed' (the node left meanwhile).
   */
  async request<T extends DhtResponse['type']>(
    peer: string,
    expect: T,
    ms: number,
    what: string,
    build: (ref: string) => DhtRequest,
  ): Promise<Extract<DhtResponse, { type: T }>> {
    if (this.closed) throw new DhtError('closed', 'the DHT node left');
    const msg = build(newRef());
    const key = keyOf(expect, msg.ref);
    // Waiting before sending: the answer may come before the send resolves.
    const answer = this.pending.add(key, ms, () => new DhtError('timeout', what));
    if (!(await this.send(peer, msg))) {
      const err = new DhtError('unreachable', `peer ${peer} cannot be reached`);
      this.pending.fail(key, err);
      throw err;
    }
    return (await answer) as Extract<DhtResponse, { type: T }>;
  }

  /** An answer arrived: settle the request it answers. False when none waits for it. */
  deliver(msg: DhtResponse): boolean {
    return this.pending.settle(keyOf(msg.type, msg.ref), msg);
  }

  /** The node leaves: every request still waiting fails with 'closed', and no new one starts. */
  close(): void {
    this.closed = true;
    this.pending.failAll(new DhtError('closed', 'the DHT node left'));
  }

  /** Send on an open link (opening one if needed, for at most LINK_MS). False if it cannot be reached. */
  async send(peer: string, msg: DhtMessage): Promise<boolean> {
    if (peer === this.opts.self) return false;
    let link = this.opts.links.get(peer);
    if (!link) {
      if (!this.opts.mayLink(peer)) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        link = await Promise.race([
          this.opts.links.connect(peer),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('link timeout')), this.opts.linkMs ?? LINK_MS))),
        ]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    }
    try {
      await link.send(DHT_CHANNEL, encodeDhtMessage(msg));
      return true;
    } catch {
      return false;
    }
  }

  /** Send, without waiting for the outcome. */
  post(peer: string, msg: DhtMessage): void {
    void this.send(peer, msg);
  }

  /** Send now, on a link already open only (the tab is closing). */
  sendNow(peer: string, msg: DhtMessage): void {
    const link = this.opts.links.get(peer);
    if (link) link.send(DHT_CHANNEL, encodeDhtMessage(msg)).catch(() => {});
  }
}
