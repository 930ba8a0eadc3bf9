import { expect, test } from '@playwright/test';
import type { OverlaySnapshot } from '../../client/api';
import { layoutOverlay, NODE_RADIUS, overlayGroups, overlayNodes, placeLabels } from '../../client/ui/overlay-layout';
import { fakeSnapshot } from '../helpers/overlay-snapshots';
import { cardPage, chromiumEngine } from '../helpers/ui-bundle';

function checkLayout(snap: OverlaySnapshot, w: number, h: number): void {
  const pos = layoutOverlay(snap, w, h);
  const nodes = overlayNodes(snap);
  expect(pos.size).toBe(nodes.size);
  const list = [...pos.entries()];
  const bad: string[] = [];
  for (const [id, p] of list) {
    const r = NODE_RADIUS[nodes.get(id)!.role];
    if (p.x < r || p.x > w - r || p.y < r || p.y > h - r) bad.push(`${id} outside at ${p.x},${p.y}`);
  }
  // No two circles overlap.
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const [a, pa] = list[i]!;
      const [b, pb] = list[j]!;
      const need = NODE_RADIUS[nodes.get(a)!.role] + NODE_RADIUS[nodes.get(b)!.role];
      if (Math.hypot(pa.x - pb.x, pa.y - pb.y) <= need) bad.push(`${a} and ${b} overlap`);
    }
  }
  expect(bad, `${nodes.size} nodes, ${w}×${h}`).toEqual([]);
}

test.describe('layoutOverlay', () => {
  test('every node inside the drawing, no two circles overlapping, up to 60 nodes at 640×420', () => {
    for (const n of [1, 2, 3, 5, 8, 13, 21, 34, 45, 60]) {
      for (const supers of [0, 1, 2, Math.max(1, Math.round(Math.sqrt(n))), Math.ceil(n / 4)]) {
        if (supers > n) continue;
        checkLayout(fakeSnapshot(n, supers, n * 31 + supers, { flat: supers === 0 }), 640, 420);
      }
    }
    checkLayout(fakeSnapshot(60, 6, 5, { unattached: 10 }), 640, 420);
    // Smaller and narrower drawings (a phone's card).
    checkLayout(fakeSnapshot(30, 4, 7), 340, 280);
    checkLayout(fakeSnapshot(60, 8, 9), 800, 480);
  });

  test('super-peers are nearer the centre than each of their leaves', () => {
    for (const [n, s] of [
      [10, 1],
      [20, 3],
      [40, 5],
      [60, 8],
    ] as const) {
      const snap = fakeSnapshot(n, s, n + s);
      const pos = layoutOverlay(snap, 640, 420);
      const dist = (id: string) => Math.hypot(pos.get(id)!.x - 320, pos.get(id)!.y - 210);
      const { supers, leavesOf } = overlayGroups(snap);
      expect(supers).toHaveLength(s);
      let leaves = 0;
      for (const sup of supers) {
        for (const leaf of leavesOf.get(sup)!) {
          expect(dist(sup), `${sup} vs its leaf ${leaf}`).toBeLessThan(dist(leaf));
          leaves++;
        }
      }
      expect(leaves).toBe(n - s);
    }
  });

  test('a lone super-peer sits at the centre; the leaves of a super-peer fan out in one sector around its direction', () => {
    const snap = fakeSnapshot(12, 1, 3);
    const pos = layoutOverlay(snap, 640, 420);
    expect(pos.get(snap.supers[0]!)).toEqual({ x: 320, y: 210 });
    for (const [n, s, unattached] of [
      [16, 2, 0],
      [30, 4, 3],
      [60, 7, 5],
    ] as const) {
      const many = fakeSnapshot(n, s, n, { unattached });
      const p = layoutOverlay(many, 640, 420);
      const { supers, leavesOf, others } = overlayGroups(many);
      expect(others).toHaveLength(unattached);
      const angle = (id: string) => (Math.atan2(p.get(id)!.x - 320, -(p.get(id)!.y - 210)) + 2 * Math.PI) % (2 * Math.PI);
      // Going round the outer ring, each super-peer's leaves (and the unattached ones) come in one run.
      const owner = new Map<string, string>();
      for (const sup of supers) for (const leaf of leavesOf.get(sup)!) owner.set(leaf, sup);
      for (const o of others) owner.set(o, 'none');
      const ring = [...owner.keys()].sort((a, b) => angle(a) - angle(b)).map((id) => owner.get(id)!);
      const runs = ring.filter((o, i) => o !== ring[(i + ring.length - 1) % ring.length]).length;
      expect(runs).toBe(new Set(ring).size);
      // Each super-peer is in the middle of its leaves' sector: between the first and the last.
      for (const sup of supers) {
        const leaves = leavesOf.get(sup)!;
        if (leaves.length < 2) continue;
        const mid = angle(sup);
        const rel = leaves.map((l) => ((angle(l) - mid + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
        expect(Math.min(...rel)).toBeLessThan(0);
        expect(Math.max(...rel)).toBeGreaterThan(0);
      }
    }
  });

  test('deterministic: the same snapshot, in any order, gives the same positions', () => {
    const snap = fakeSnapshot(40, 5, 11);
    const shuffled: OverlaySnapshot = { ...snap, nodes: [...snap.nodes].reverse(), edges: [...snap.edges].reverse(), supers: [...snap.supers].reverse() };
    const a = layoutOverlay(snap, 640, 420);
    const b = layoutOverlay(snap, 640, 420);
    const c = layoutOverlay(shuffled, 640, 420);
    expect([...b.entries()]).toEqual([...a.entries()]);
    expect(new Map([...c.entries()].sort())).toEqual(new Map([...a.entries()].sort()));
  });

  test('edges and the super list name peers the node list lacks: they are drawn too; an empty snapshot has no nodes', () => {
    expect(layoutOverlay({ self: '', nodes: [], edges: [], supers: [] }, 640, 420).size).toBe(0);
    const alone = layoutOverlay({ self: 'me', nodes: [], edges: [], supers: [] }, 640, 420);
    expect([...alone.keys()]).toEqual(['me']);
    const snap: OverlaySnapshot = {
      self: 'me',
      nodes: [{ id: 'me', role: 'leaf', files: 2, self: true }],
      edges: [
        { a: 'me', b: 'S1', overlay: 'superpeer' },
        { a: 'me', b: 'p2', overlay: 'gnutella' },
        { a: 'p2', b: 'p2', overlay: 'gnutella' },
      ],
      supers: ['S1', 'S2'],
    };
    const nodes = overlayNodes(snap);
    expect([...nodes.keys()].sort()).toEqual(['S1', 'S2', 'me', 'p2']);
    expect(nodes.get('S1')).toMatchObject({ role: 'super', implied: true });
    expect(nodes.get('p2')).toMatchObject({ role: 'peer', implied: true });
    expect(overlayGroups(snap).leavesOf.get('S1')).toEqual(['me']);
    checkLayout(snap, 640, 420);
  });

  test('labels never overlap each other or a circle, and stay inside the drawing', () => {
    const snap = fakeSnapshot(60, 6, 13);
    const nodes = overlayNodes(snap);
    const pos = layoutOverlay(snap, 640, 420);
    const radius = (id: string) => NODE_RADIUS[nodes.get(id)!.role];
    const order = [...nodes.keys()].sort().map((id) => ({ id, text: id.slice(0, 6) }));
    const labels = placeLabels(order, pos, radius, 640, 420, 10);
    expect(labels.size).toBeGreaterThan(30);
    const boxes = [...labels.entries()].map(([id, l]) => {
      const w = 6 * 6;
      const x0 = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - w : l.x - w / 2;
      return { id, x0, x1: x0 + w, y0: l.y - 8, y1: l.y + 2.5 };
    });
    for (const b of boxes) {
      expect(b.x0).toBeGreaterThanOrEqual(0);
      expect(b.x1).toBeLessThanOrEqual(640);
      expect(b.y0).toBeGreaterThanOrEqual(0);
      expect(b.y1).toBeLessThanOrEqual(420);
      for (const c of boxes) if (c !== b) expect(c.x0 < b.x1 && b.x0 < c.x1 && c.y0 < b.y1 && b.y0 < c.y1, `${b.id} / ${c.id}`).toBe(false);
    }
  });

  test('a label goes where no edge crosses it when there is such a place', () => {
    const pos = new Map([
      ['a', { x: 100, y: 50 }],
      ['b', { x: 300, y: 50 }],
    ]);
    const order = [{ id: 'a', text: 'aaaaaa' }];
    // Without lines: outward from the centre (200, 100), i.e. to the upper left, anchored at its end.
    const free = placeLabels(order, pos, () => 8, 400, 200, 10);
    expect(free.get('a')?.anchor).toBe('end');
    // A line leaving `a` to the left: the label moves off it.
    const moved = placeLabels(order, pos, () => 8, 400, 200, 10, [[{ x: 100, y: 50 }, { x: 0, y: 46 }]]);
    expect(moved.get('a')).toBeDefined();
    expect(moved.get('a')?.anchor).not.toBe('end');
  });
});

/**
 * The network card itself, in a real browser, on made-up snapshots (the overlay engine is not
 * needed): the test ids count nodes and edges, and a screenshot shows whether it reads well.
 */
test.describe('network view (browser)', () => {
  test('draws a fake overlay with its test ids, and says so when there is no overlay', async ({}, info) => {
    test.setTimeout(60_000);
    test.skip(!chromiumEngine(), 'no Chromium on this machine');
    const { browser, page, errors } = await cardPage(`import { createNetworkUI } from './client/ui/network-view';\nwindow.createNetworkUI = createNetworkUI;`, { width: 900, height: 900 });
    try {

      // No engine yet: `p2p.overlay` is missing.
      await page.evaluate(() => {
        const w = window as unknown as { createNetworkUI: (p: unknown) => HTMLElement };
        document.getElementById('app')!.append(w.createNetworkUI({ ready: Promise.resolve('x'), id: 'x' }));
      });
      await expect(page.getByTestId('network-empty')).toBeVisible();
      await expect(page.getByTestId('network-empty')).toContainText('Not connected');
      await expect(page.getByTestId('network-svg')).toHaveCount(0);

      const snap = fakeSnapshot(24, 4, 21, { unattached: 2 });
      const selfId = snap.self;
      const selfSuper = snap.edges.find((e) => e.overlay === 'superpeer' && e.a === selfId)!.b;
      await page.evaluate(
        ({ snap, selfSuper }) => {
          const stats = (n: number) => ({
            neighbours: n,
            received: 120 + n,
            forwarded: 80,
            answered: 4,
            dropped: { duplicate: 10, ttl: 2 },
            badMessages: 1,
            refusedByThem: 0,
            refusedByUs: 0,
          });
          const listeners = new Set<() => void>();
          let current = snap;
          const overlay = {
            snapshot: () => current,
            on: (_: 'change', fn: () => void) => {
              listeners.add(fn);
              return () => listeners.delete(fn);
            },
            gnutella: { stats: () => stats(3), neighbours: () => [] },
            superpeer: { stats: () => stats(1), role: () => 'leaf', superPeer: () => selfSuper, leaves: () => [], supers: () => snap.supers },
          };
          const w = window as unknown as { createNetworkUI: (p: unknown) => HTMLElement; fakeChange: (s: typeof snap) => void };
          w.fakeChange = (s) => {
            current = s;
            for (const fn of listeners) fn();
          };
          document.getElementById('app')!.replaceChildren(w.createNetworkUI({ ready: Promise.resolve('x'), id: snap.self, overlay }));
        },
        { snap, selfSuper },
      );
      const nodes = overlayNodes(snap);
      await expect(page.getByTestId('network-empty')).toBeHidden();
      await expect(page.locator('[data-testid^="network-node-"]')).toHaveCount(nodes.size);
      await expect(page.locator('[data-testid^="network-node-"][data-role="super"]')).toHaveCount(4);
      await expect(page.getByTestId(`network-node-${selfId}`)).toHaveAttribute('data-self', 'true');
      await expect(page.getByTestId(`network-node-${selfId}`).locator('title')).toContainText(selfId);
      const unique = (overlay: string) =>
        new Set(snap.edges.filter((e) => e.overlay === overlay && e.a !== e.b).map((e) => [overlay, ...[e.a, e.b].sort()].join(' '))).size;
      await expect(page.locator('[data-testid="network-edge"][data-overlay="gnutella"]')).toHaveCount(unique('gnutella'));
      await expect(page.locator('[data-testid="network-edge"][data-overlay="superpeer"]')).toHaveCount(unique('superpeer'));
      await expect(page.getByTestId('network-role')).toHaveAttribute('data-role', 'leaf');
      await expect(page.getByTestId('network-role')).toHaveText(`leaf of ${selfSuper.slice(0, 6)}`);
      await expect(page.getByTestId('network-stats-gnutella')).toContainText('3 neighbours');
      await expect(page.getByTestId('network-stats-gnutella')).toContainText('12 dropped');
      await expect(page.getByTestId('network-stats-superpeer')).toContainText('1 bad');
      await page.getByTestId('network-view').screenshot({ path: info.outputPath('network-24.png') });
      // Hovering a super-peer brings its links forward.
      // (The card redraws on a timer; a redraw between the hover and the check replaces the node: hover again.)
      await expect(async () => {
        await page.getByTestId(`network-node-${snap.supers[0]}`).hover();
        await expect(page.getByTestId('network-svg')).toHaveClass(/focus/, { timeout: 1_000 });
      }).toPass({ timeout: 20_000 });
      await page.getByTestId('network-view').screenshot({ path: info.outputPath('network-24-hover.png') });
      // The pointer leaves the drawing, so that no node of the next pictures is focused.
      await page.mouse.move(0, 0);

      // A change event redraws (within 500 ms): a bigger room, then a flat Gnutella room.
      const big = fakeSnapshot(60, 7, 22, { unattached: 3 });
      await page.evaluate((s) => (window as unknown as { fakeChange: (s: unknown) => void }).fakeChange(s), big);
      await expect(page.locator('[data-testid^="network-node-"]')).toHaveCount(overlayNodes(big).size, { timeout: 2_000 });
      await page.getByTestId('network-view').screenshot({ path: info.outputPath('network-60.png') });
      const flat = fakeSnapshot(16, 0, 23, { flat: true });
      await page.evaluate((s) => (window as unknown as { fakeChange: (s: unknown) => void }).fakeChange(s), flat);
      await expect(page.locator('[data-testid^="network-node-"][data-role="peer"]')).toHaveCount(16, { timeout: 2_000 });
      await page.getByTestId('network-view').screenshot({ path: info.outputPath('network-flat.png') });
      // A narrow card (a phone).
      await page.setViewportSize({ width: 380, height: 800 });
      await page.waitForTimeout(1_200);
      await page.getByTestId('network-view').screenshot({ path: info.outputPath('network-narrow.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
