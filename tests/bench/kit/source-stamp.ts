/**
 * Newest modification time of what wrangler dev watches (client/ and protocol/ are rebuilt into
 * dist/; worker/ is the worker). When it moves during a benchmark's scenario, wrangler dev rebuilt
 * and reloaded, dropping every signaling socket (someone edited the project meanwhile): the
 * scenario's figures are then flagged.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../../scripts/dev-server.ts';

export function sourceStamp(): number {
  let newest = 0;
  for (const dir of ['client', 'protocol', 'worker', 'dist']) {
    try {
      for (const f of readdirSync(join(root, dir), { recursive: true }) as string[]) {
        try {
          newest = Math.max(newest, statSync(join(root, dir, f)).mtimeMs);
        } catch {
          // removed meanwhile
        }
      }
    } catch {
      // no such directory
    }
  }
  return newest;
}
