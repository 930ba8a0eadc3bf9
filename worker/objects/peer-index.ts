/**
 * The open sockets of each peer, by room and peer id, in memory: built from the accepted sockets
 * when the Gateway starts or wakes, kept as sockets are accepted; closed ones drop out when looked
 * up. A signal or a delivery finds its peer without reading every socket.
 */
import { socketsOf, type PeerSocket } from './edge-socket';

const keyOf = (room: string, id: string) => `${room}\n${id}`;

export class PeerIndex {
  /** null until first needed. */
  private index: Map<string, Set<PeerSocket>> | null = null;

  constructor(private readonly ctx: DurableObjectState) {}

  add(sock: PeerSocket): void {
    const index = this.built();
    const key = keyOf(sock.att.room, sock.att.id);
    const set = index.get(key);
    if (set) set.add(sock);
    else index.set(key, new Set([sock]));
  }

  /** The open sockets of peer `id` in `room`. */
  get(room: string, id: string): PeerSocket[] {
    const index = this.built();
    const key = keyOf(room, id);
    const set = index.get(key);
    if (!set) return [];
    const out: PeerSocket[] = [];
    for (const sock of set) {
      if (sock.open) out.push(sock);
      else set.delete(sock);
    }
    if (set.size === 0) index.delete(key);
    return out;
  }

  private built(): Map<string, Set<PeerSocket>> {
    if (this.index) return this.index;
    this.index = new Map();
    for (const sock of socketsOf(this.ctx, 'peer')) this.add(sock);
    return this.index;
  }
}
