/** Which Gateway shard holds a peer: FNV-1a of the peer id, mod the shard count. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function shardOf(peerId: string, shards: number): number {
  return fnv1a(peerId) % shards;
}

/** The shard count from configuration: a whole number from 1 to 1024, else 1. */
export function shardCount(value: unknown): number {
  const n = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : 1;
}
