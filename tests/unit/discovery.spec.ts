import { expect, test } from '@playwright/test';
import { DiscoveryRegistry, type Discovery, type SearchVia } from '../../client/discovery/discovery';

/** A mechanism that records what the registry asks of it. */
function recorder(via: SearchVia) {
  const calls: string[] = [];
  const d: Discovery = {
    via,
    start: (self) => void calls.push(`start ${self}`),
    stop: () => void calls.push('stop'),
    filesChanged: (added, removed) => void calls.push(`files +${added.map((f) => f.name).join(',')} -${removed.join(',')}`),
    peerLeft: (p) => void calls.push(`left ${p}`),
    search: async (q, opts) => {
      calls.push(`search ${q} ${opts.via} ttl=${opts.ttl ?? '-'}`);
      return [{ infoHash: 'a'.repeat(40), name: q, size: 1, peers: [], via, ms: 0 }];
    },
  };
  return { d, calls };
}

test('the registry feeds every mechanism that is on, and dispatches a search by via (napster by default)', async () => {
  const n = recorder('napster');
  const g = recorder('gnutella');
  const dht = recorder('dht');
  const reg = new DiscoveryRegistry().add(n.d).add(g.d).add(dht.d, false);
  reg.start('me');
  reg.filesChanged([{ infoHash: 'b'.repeat(40), name: 'x.txt', size: 3 }], []);
  reg.filesChanged([], []); // nothing changed: nobody is told
  reg.filesChanged([], ['c'.repeat(40)]);
  reg.peerLeft('p1');
  reg.stop();
  const expected = ['start me', 'files +x.txt -', `files + -${'c'.repeat(40)}`, 'left p1', 'stop'];
  expect(n.calls).toEqual(expected);
  expect(g.calls).toEqual(expected);
  expect(dht.calls).toEqual([]); // off: never started nor fed
  expect((await reg.search('song')).map((h) => h.via)).toEqual(['napster']);
  expect((await reg.search('song', { via: 'gnutella', ttl: 2 }))[0]?.via).toBe('gnutella');
  expect(g.calls.at(-1)).toBe('search song gnutella ttl=2');
  // A mechanism that is off still answers a search (with its own answer or error).
  expect((await reg.search('song', { via: 'dht' }))[0]?.via).toBe('dht');
});

test('a search by a mechanism the tab does not have is refused with its name', async () => {
  const reg = new DiscoveryRegistry().add(recorder('napster').d);
  await expect(reg.search('x', { via: 'superpeer' })).rejects.toThrow('unknown search mechanism "superpeer"');
  await expect(reg.search('x', { via: 'carrier-pigeon' as SearchVia })).rejects.toThrow('unknown search mechanism "carrier-pigeon"');
});
