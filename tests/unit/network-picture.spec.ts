import { expect, test } from '@playwright/test';
import type { OverlaySnapshot } from '../../client/api';
import { overlayFigures, roleText } from '../../client/ui/network-figures';
import { drawingHeight, networkPicture, sameSnapshot } from '../../client/ui/network-picture';
import { layoutOverlay, NODE_RADIUS, overlayEdges, overlayNodes } from '../../client/ui/overlay-layout';
import { fakeSnapshot } from '../helpers/overlay-snapshots';

test.describe('networkPicture', () => {
  test('one node per peer (implied ones too) at its layout place, one edge per unique edge, super-peers and this tab drawn last (on top)', () => {
    const snap = fakeSnapshot(24, 4, 21, { unattached: 2 });
    const p = networkPicture(snap, 840);
    expect(p.width).toBe(840);
    expect(p.height).toBe(drawingHeight(840));
    const nodes = overlayNodes(snap);
    expect(p.nodes.map((n) => n.id).sort()).toEqual([...nodes.keys()].sort());
    const pos = layoutOverlay(snap, 840, p.height);
    for (const n of p.nodes) {
      expect(Math.abs(n.x - pos.get(n.id)!.x)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(n.y - pos.get(n.id)!.y)).toBeLessThanOrEqual(0.05);
      expect(n.r).toBe(NODE_RADIUS[n.role]);
    }
    const roles = p.nodes.map((n) => (n.self ? 'self' : n.role));
    expect(roles.slice(-5)).toEqual(['super', 'super', 'super', 'super', 'self']);
    expect(p.edges.map((e) => e.key)).toEqual(overlayEdges(snap).map((e) => `${e.overlay} ${e.a} ${e.b}`));
    expect(new Set(p.edges.map((e) => e.key)).size).toBe(p.edges.length);
    expect(p.ariaLabel).toBe(`overlay network: ${nodes.size} peers, ${p.edges.length} links`);
  });

  test('edge kinds, shapes and titles: Gnutella arcs, straight super-peer links, leaf–super apart from super–super', () => {
    const snap: OverlaySnapshot = {
      self: 'me',
      nodes: [
        { id: 'me', role: 'leaf', files: 3, self: true },
        { id: 'S1', role: 'super', files: 0, self: false },
        { id: 'S2', role: 'super', files: 0, self: false },
      ],
      edges: [
        { a: 'me', b: 'S1', overlay: 'superpeer' },
        { a: 'S1', b: 'S2', overlay: 'superpeer' },
        { a: 'me', b: 'S2', overlay: 'gnutella' },
        { a: 'S2', b: 'me', overlay: 'gnutella' },
      ],
      supers: ['S1', 'S2'],
    };
    const p = networkPicture(snap, 500);
    const byKey = new Map(p.edges.map((e) => [e.key, e]));
    expect([...byKey.keys()].sort()).toEqual(['gnutella S2 me', 'superpeer S1 S2', 'superpeer S1 me']);
    expect(byKey.get('superpeer S1 me')!.kind).toBe('leaf-super');
    expect(byKey.get('superpeer S1 me')!.title).toBe('leaf attached to its super-peer: S1 – me');
    expect(byKey.get('superpeer S1 S2')!.kind).toBe('super-super');
    expect(byKey.get('superpeer S1 S2')!.d).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/);
    expect(byKey.get('gnutella S2 me')!.kind).toBe('gnutella');
    expect(byKey.get('gnutella S2 me')!.title).toBe('Gnutella link: S2 – me');
    expect(byKey.get('gnutella S2 me')!.d).toMatch(/^M[\d.]+,[\d.]+ Q[\d.]+,[\d.]+ [\d.]+,[\d.]+$/);
    expect([...p.shown].sort()).toEqual(['gnutella', 'leaf', 'leaf-super', 'super', 'super-super']);
  });

  test('neighbours of each node (for the focus), tooltips and file counts', () => {
    const snap: OverlaySnapshot = {
      self: 'me',
      nodes: [
        { id: 'me', role: 'peer', files: 1, self: true },
        { id: 'a', role: 'peer', files: 150, self: false },
        { id: 'b', role: 'peer', files: 7, self: false },
      ],
      edges: [
        { a: 'me', b: 'a', overlay: 'gnutella' },
        { a: 'a', b: 'b', overlay: 'gnutella' },
        { a: 'a', b: 'ghost', overlay: 'gnutella' },
      ],
      supers: [],
    };
    const p = networkPicture(snap, 640);
    const near = (id: string) => [...(p.neighbours.get(id) ?? [])].sort();
    expect(near('a')).toEqual(['b', 'ghost', 'me']);
    expect(near('me')).toEqual(['a']);
    expect(near('ghost')).toEqual(['a']);
    const node = new Map(p.nodes.map((n) => [n.id, n]));
    expect(node.get('a')!.files).toBe('99+');
    expect(node.get('b')!.files).toBe('7');
    expect(node.get('ghost')!.files).toBe('?');
    expect(node.get('me')!.tip).toBe('me\nthis tab · peer\n1 file shared\n1 link drawn');
    expect(node.get('a')!.tip).toBe('a\npeer\n150 files shared\n3 links drawn');
    expect(node.get('ghost')!.tip).toBe('ghost\npeer\nfiles shared: unknown\n1 link drawn');
    // Three characters must fit in the circle: a smaller font than one character's.
    expect(node.get('a')!.filesSize).toBeLessThan(node.get('b')!.filesSize);
    expect(node.get('me')!.label?.text).toBe('me (you)');
  });

  test('labels left out for room in a crowded narrow card are listed and noted; this tab keeps its label', () => {
    const snap = fakeSnapshot(60, 7, 22, { unattached: 3 });
    const narrow = networkPicture(snap, 340);
    expect(narrow.hiddenLabels.length).toBeGreaterThan(0);
    expect(narrow.hiddenLabels).not.toContain(snap.self);
    for (const n of narrow.nodes) expect(n.label === null).toBe(narrow.hiddenLabels.includes(n.id));
    expect(narrow.note).toBe(`${narrow.hiddenLabels.length} labels left out for room: point at a node for its id and role.`);
    const wide = networkPicture(snap, 1200);
    expect(wide.hiddenLabels.length).toBeLessThan(narrow.hiddenLabels.length);
  });

  test('a tab alone says it is looking for peers; a small room with all its labels has no note', () => {
    const alone = networkPicture({ self: 'me', nodes: [{ id: 'me', role: 'peer', files: 0, self: true }], edges: [], supers: [] }, 640);
    expect(alone.nodes).toHaveLength(1);
    expect(alone.edges).toHaveLength(0);
    expect(alone.note).toBe('No overlay neighbours yet: this tab is looking for peers.');
    const pair = networkPicture({ self: 'me', nodes: [], edges: [{ a: 'me', b: 'you', overlay: 'gnutella' }], supers: [] }, 640);
    expect(pair.hiddenLabels).toEqual([]);
    expect(pair.note).toBeNull();
    expect([...pair.shown].sort()).toEqual(['gnutella', 'peer']);
  });
});

test.describe('sameSnapshot', () => {
  const base = () => fakeSnapshot(12, 2, 5);

  test('equal snapshots (fresh copies) are the same; none and none are the same', () => {
    expect(sameSnapshot(base(), base())).toBe(true);
    expect(sameSnapshot(undefined, undefined)).toBe(true);
    expect(sameSnapshot(undefined, base())).toBe(false);
    expect(sameSnapshot(base(), undefined)).toBe(false);
    const nan = base();
    nan.nodes[0]!.files = NaN;
    const nan2 = base();
    nan2.nodes[0]!.files = NaN;
    expect(sameSnapshot(nan, nan2)).toBe(true);
  });

  test('any field that changes the picture makes it different', () => {
    const changes: [string, (s: OverlaySnapshot) => void][] = [
      ['self', (s) => (s.self = 'someone else')],
      ['a node role', (s) => (s.nodes[3]!.role = 'super')],
      ['a node files', (s) => (s.nodes[3]!.files += 1)],
      ['a node self', (s) => (s.nodes[3]!.self = !s.nodes[3]!.self)],
      ['a node id', (s) => (s.nodes[3]!.id = 'new')],
      ['a node more', (s) => s.nodes.push({ id: 'new', role: 'leaf', files: 0, self: false })],
      ['a node less', (s) => s.nodes.pop()],
      ['an edge end', (s) => (s.edges[2]!.b = 'new')],
      ['an edge overlay', (s) => (s.edges[2]!.overlay = s.edges[2]!.overlay === 'gnutella' ? 'superpeer' : 'gnutella')],
      ['an edge more', (s) => s.edges.push({ a: s.nodes[0]!.id, b: s.nodes[1]!.id, overlay: 'gnutella' })],
      ['the super list', (s) => s.supers.pop()],
      ['the order of the nodes', (s) => s.nodes.reverse()],
    ];
    for (const [what, change] of changes) {
      const next = base();
      change(next);
      expect(sameSnapshot(base(), next), what).toBe(false);
    }
  });

  test('a snapshot missing its lists (another build) compares without throwing', () => {
    const partial = { self: 'me' } as unknown as OverlaySnapshot;
    expect(sameSnapshot(partial, { self: 'me' } as unknown as OverlaySnapshot)).toBe(true);
    expect(sameSnapshot(partial, { self: 'me', nodes: [], edges: [], supers: [] })).toBe(false);
  });
});

test.describe('network figures', () => {
  test('role pill texts', () => {
    expect(roleText('super', 3, null)).toEqual({ text: 'super-peer · 3 leaves', title: undefined });
    expect(roleText('super', 1, null).text).toBe('super-peer · 1 leaf');
    expect(roleText('leaf', 0, 'ABCDEFGHIJ')).toEqual({ text: 'leaf of ABCDEF', title: 'super-peer ABCDEFGHIJ' });
    expect(roleText('leaf', 0, null)).toEqual({ text: 'leaf · looking for a super-peer', title: undefined });
    expect(roleText('none', 0, null).text).toBe('no role yet');
  });

  test('counters: drops summed with their reasons as the title, bad messages a warning', () => {
    const stats = { neighbours: 1, received: 9, forwarded: 4, answered: 2, dropped: { duplicate: 5, ttl: 0, flood: 2 }, badMessages: 0, badEntries: 0, refusedByThem: 0, refusedByUs: 0 };
    const figs = overlayFigures(stats);
    expect(figs.map((f) => `${f.n} ${f.label}`)).toEqual(['1 neighbour', '9 received', '4 forwarded', '2 answered', '7 dropped', '0 bad']);
    expect(figs.find((f) => f.fig === 'dropped')!.title).toBe('duplicate: 5 · flood: 2');
    expect(figs.find((f) => f.fig === 'bad')!.warn).toBe(false);
    const worse = overlayFigures({ ...stats, neighbours: 2, dropped: {}, badMessages: 3 });
    expect(worse[0]!.label).toBe('neighbours');
    expect(worse.find((f) => f.fig === 'dropped')!.title).toBe('nothing dropped');
    expect(worse.find((f) => f.fig === 'bad')!.warn).toBe(true);
  });
});
