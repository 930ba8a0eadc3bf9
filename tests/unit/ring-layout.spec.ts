import { expect, test } from '@playwright/test';
import type { DhtNodeRef, DhtRingView } from '../../client/api';
import { addPow2, successorOf } from '../../client/core/chord';
import { labelWidth } from '../../client/ui/geometry';
import { arcPath, idAngle, ringPoint, sectorPath, sweep } from '../../client/ui/ring-angles';
import { keyRanges, layoutRing, MARKER_LABEL, ringNodes, spreadAngles, type RingLayout } from '../../client/ui/ring-layout';
import { seeded } from '../helpers/unit';
import { cardPage, chromiumEngine } from '../helpers/ui-bundle';

const hex = (rnd: () => number, n = 40) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
const peerName = (rnd: () => number) => {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  return Array.from({ length: 21 }, () => abc[Math.floor(rnd() * abc.length)]).join('');
};

/**
 * A made-up ring of `n` nodes as node `selfIndex` (in ring order) would see it: r = 3 successors
 * and predecessors, its fingers (the successors of self + 2^i), and keys held by itself and its
 * two neighbours. `ids` fixes the node ids (else random).
 */
function fakeView(n: number, seed: number, opts: { ids?: string[]; selfIndex?: number; r?: number } = {}): DhtRingView {
  const rnd = seeded(seed);
  const ids = [...new Set(opts.ids ?? Array.from({ length: n }, () => hex(rnd)))].sort();
  const peers = new Map(ids.map((id) => [id, peerName(rnd)]));
  const r = opts.r ?? 3;
  const i = (opts.selfIndex ?? Math.floor(rnd() * ids.length)) % ids.length;
  const self = ids[i]!;
  const held = new Map(ids.map((id) => [id, Math.floor(rnd() * 300)]));
  const ref = (id: string, withHeld = false): DhtNodeRef => ({ peer: peers.get(id)!, id, ...(withHeld ? { held: held.get(id)! } : {}) });
  const m = ids.length;
  const succs = Array.from({ length: Math.min(r, m - 1) }, (_, k) => ids[(i + k + 1) % m]!);
  const preds = Array.from({ length: Math.min(r, m - 1) }, (_, k) => ids[(i - k - 1 + 2 * m) % m]!);
  const fingers = m > 1 ? [...new Set(Array.from({ length: 160 }, (_, k) => successorOf(ids, addPow2(self, k))))].filter((f) => f !== self) : [];
  const all = [...new Set([self, ...succs, ...preds, ...fingers])].sort();
  return {
    self: ref(self, true),
    predecessor: preds[0] ? ref(preds[0], true) : null,
    successors: succs.map((s, k) => ref(s, k === 0)),
    predecessors: preds.map((p, k) => ref(p, k === 0)),
    fingers: fingers.map((f) => ref(f)),
    nodes: all.map((id) => ref(id, id === self || id === succs[0] || id === preds[0])),
    held: held.get(self)!,
    owned: Math.floor(held.get(self)! / 3),
  };
}

/** Ids packed in a few narrow clusters (crowded parts of the ring). */
function clusteredIds(n: number, seed: number): string[] {
  const rnd = seeded(seed);
  const centres = [0.02, 0.31, 0.33, 0.75, 0.995];
  return Array.from({ length: n }, (_, k) => {
    const f = (centres[k % centres.length]! + (rnd() - 0.5) * 0.01 + 1) % 1;
    return Math.floor(f * 2 ** 52).toString(16).padStart(13, '0') + hex(rnd, 27);
  });
}

function checkLayout(layout: RingLayout, what: string): void {
  const bad: string[] = [];
  const { width: w, height: h } = layout;
  for (const n of layout.nodes) {
    if (n.x - n.r < 0 || n.x + n.r > w || n.y - n.r < 0 || n.y + n.r > h) bad.push(`${n.peer} outside`);
    // Every circle sits on the ring.
    if (Math.abs(Math.hypot(n.x - layout.cx, n.y - layout.cy) - layout.radius) > 1e-6) bad.push(`${n.peer} off the ring`);
  }
  for (let i = 0; i < layout.nodes.length; i++) {
    for (let j = i + 1; j < layout.nodes.length; j++) {
      const a = layout.nodes[i]!;
      const b = layout.nodes[j]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r) bad.push(`${a.peer} and ${b.peer} overlap`);
    }
  }
  const boxes = [...layout.labels.entries()];
  for (const [k, l] of boxes) {
    const b = l.box;
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > w || b.y1 > h) bad.push(`label ${k} outside`);
    for (const n of layout.nodes) {
      const nx = Math.min(b.x1, Math.max(b.x0, n.x));
      const ny = Math.min(b.y1, Math.max(b.y0, n.y));
      if (Math.hypot(n.x - nx, n.y - ny) < n.r) bad.push(`label ${k} on circle ${n.peer}`);
    }
    for (const [k2, l2] of boxes) {
      if (k2 === k) continue;
      const c = l2.box;
      if (c.x0 < b.x1 && b.x0 < c.x1 && c.y0 < b.y1 && b.y0 < c.y1) bad.push(`labels ${k} and ${k2} overlap`);
    }
  }
  if (layout.self && !layout.labels.has(layout.self.peer)) bad.push('no label for this tab');
  expect(bad, what).toEqual([]);
}

test.describe('ring geometry', () => {
  test('a node sits at id / 2^160 · 360°, 0 at the top, clockwise', () => {
    expect(idAngle('0'.repeat(40))).toBe(0);
    expect(idAngle('4' + '0'.repeat(39))).toBe(90);
    expect(idAngle('8' + '0'.repeat(39))).toBe(180);
    expect(idAngle('c' + '0'.repeat(39))).toBe(270);
    expect(idAngle('f'.repeat(40))).toBeLessThan(360);
    expect(idAngle('f'.repeat(40))).toBeGreaterThan(359.9999);
    // 13 hex digits decide; the rest is below a pixel.
    expect(idAngle('123456789abcd' + '0'.repeat(27))).toBe(idAngle('123456789abcd' + 'f'.repeat(27)));
    expect(idAngle('not an id')).toBe(0);
    const right = ringPoint(100, 100, 50, 90);
    expect(right.x).toBeCloseTo(150);
    expect(right.y).toBeCloseTo(100);
    const bottom = ringPoint(100, 100, 50, 180);
    expect(bottom.x).toBeCloseTo(100);
    expect(bottom.y).toBeCloseTo(150);
  });

  test('arcs run clockwise; over half the ring takes the large arc; equal ends make the whole circle', () => {
    expect(arcPath(100, 100, 50, 0, 90)).toBe('M100,50 A50,50 0 0 1 150,100');
    expect(arcPath(100, 100, 50, 90, 0)).toBe('M150,100 A50,50 0 1 1 100,50');
    expect(arcPath(100, 100, 50, 350, 10)).toMatch(/ 0 0 1 /);
    expect(arcPath(100, 100, 50, 30, 30).match(/A/g)).toHaveLength(2);
    expect(arcPath(100, 100, 50, 0, 0, true)).toBe('M100,50 A50,50 0 1 1 100,150 A50,50 0 1 1 100,50');
    expect(sectorPath(100, 100, 50, 0, 90)).toBe('M100,100 L100,50 A50,50 0 0 1 150,100 Z');
    expect(sectorPath(100, 100, 50, 0, 0, true)).toBe(arcPath(100, 100, 50, 0, 0, true));
    expect(sweep(350, 10)).toBe(20);
    expect(sweep(10, 350)).toBe(340);
    expect(sweep(5, 5)).toBe(360);
  });

  test('crowded angles are spread as little as needed, in order, across 0° too', () => {
    expect(spreadAngles([10, 100, 200], 8)).toEqual([10, 100, 200]);
    const spread = spreadAngles([50, 51, 52, 200], 10);
    expect(spread[1]! - spread[0]!).toBeCloseTo(10);
    expect(spread[2]! - spread[1]!).toBeCloseTo(10);
    // The cluster stays centred where it was.
    expect((spread[0]! + spread[1]! + spread[2]!) / 3).toBeCloseTo(51);
    expect(spread[3]).toBe(200);
    // A cluster across the top.
    const wrap = spreadAngles([0.5, 1, 180, 359.5], 6);
    const gaps = [wrap[1]! - wrap[0]!, wrap[2]! - wrap[1]!, wrap[3]! - wrap[2]!, wrap[0]! + 360 - wrap[3]!];
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(6 - 1e-9);
    expect(wrap[2]).toBe(180);
    // More than fit: evenly round the ring.
    const even = spreadAngles([1, 2, 3, 4], 120);
    for (let i = 0; i < 4; i++) expect(((even[(i + 1) % 4]! - even[i]! + 360) % 360)).toBeCloseTo(90);
    expect(spreadAngles([42], 10)).toEqual([42]);
    expect(spreadAngles([], 10)).toEqual([]);
  });

  test('nodes: every ref once, sorted by id, with its roles and the key counts known', () => {
    const v = fakeView(12, 3, { selfIndex: 4 });
    const nodes = ringNodes(v);
    expect(nodes.map((n) => n.id)).toEqual([...new Set(nodes.map((n) => n.id))].sort());
    expect(nodes.filter((n) => n.self)).toHaveLength(1);
    expect(nodes.find((n) => n.self)!.id).toBe(v.self.id);
    const succ = nodes.find((n) => n.id === v.successors[0]!.id)!;
    expect(succ).toMatchObject({ role: 'successor', successor: 0 });
    expect(succ.held).toBe(v.successors[0]!.held);
    expect(nodes.find((n) => n.id === v.predecessor!.id)).toMatchObject({ role: 'predecessor', predecessor: 0 });
    // The successor is finger 0 too, but drawn as a successor.
    expect(succ.finger).toBe(true);
    for (const f of v.fingers) expect(nodes.find((n) => n.id === f.id)!.finger).toBe(true);
    // Four nodes, r = 3: the successor list wraps round to the predecessor, which stays the predecessor.
    const four = fakeView(4, 8);
    const fourNodes = ringNodes(four);
    expect(fourNodes.find((n) => n.id === four.predecessor!.id)).toMatchObject({ role: 'predecessor', successor: 2, predecessor: 0 });
    expect(fourNodes.map((n) => n.role).sort()).toEqual(['predecessor', 'self', 'successor', 'successor']);
    // A ref without a usable id is skipped.
    expect(ringNodes({ ...v, nodes: [...v.nodes, { peer: 'x', id: 'zz' }] })).toHaveLength(nodes.length);
  });

  test('key ranges: (predecessor, node]; exact along predecessors - self - successors; alone: the whole ring', () => {
    const v = fakeView(16, 5, { selfIndex: 7 });
    const nodes = ringNodes(v);
    const ranges = keyRanges(v, nodes);
    const self = ranges.get(v.self.id)!;
    expect(self).toMatchObject({ from: idAngle(v.predecessor!.id), to: idAngle(v.self.id), exact: true, full: false });
    for (const s of v.successors) expect(ranges.get(s.id)!.exact).toBe(true);
    // The farthest predecessor's own predecessor is not known.
    expect(ranges.get(v.predecessors[2]!.id)!.exact).toBe(false);
    expect(ranges.get(v.predecessors[1]!.id)!.exact).toBe(true);
    // A finger far away: its range starts at the previous node this tab knows, not exact.
    const far = nodes.find((n) => n.role === 'finger')!;
    expect(ranges.get(far.id)!.exact).toBe(false);
    // Ranges cover the ring once.
    const total = nodes.reduce((s, n) => s + sweep(ranges.get(n.id)!.from, ranges.get(n.id)!.to), 0);
    expect(total).toBeCloseTo(360);

    const alone = fakeView(1, 9);
    const r = keyRanges(alone, ringNodes(alone));
    expect(r.get(alone.self.id)).toMatchObject({ full: true, exact: true });
    // Four nodes with r = 3: every node's predecessor is known.
    const small = fakeView(4, 11);
    const sr = keyRanges(small, ringNodes(small));
    expect([...sr.values()].every((x) => x.exact)).toBe(true);
  });

  test('layout: circles on the ring at their angle when there is room, never overlapping; labels clear of everything', () => {
    for (const [w, h] of [
      [420, 330],
      [600, 400],
      [300, 240],
    ] as const) {
      for (const n of [1, 2, 3, 4, 6, 8, 12, 20, 32]) {
        for (const seed of [1, 2, 3]) {
          const v = fakeView(n, n * 100 + seed);
          const layout = layoutRing(v, w, h, { marker: { id: hex(seeded(seed)), text: '“greeting”' } });
          checkLayout(layout, `${n} nodes, ${w}×${h}, seed ${seed}`);
          expect(layout.nodes).toHaveLength(ringNodes(v).length);
          if (n <= 8 && w >= 420) {
            // Small rings: every node labelled.
            expect(layout.nodes.filter((x) => !layout.labels.has(x.peer)).map((x) => x.peer), `${n} nodes, ${w}×${h}`).toEqual([]);
          }
        }
      }
    }
    // Crowded clusters of ids: spread apart, still in ring order.
    for (const n of [6, 12, 24]) {
      const ids = clusteredIds(n, n);
      const layout = layoutRing(fakeView(n, n, { ids }), 420, 330);
      checkLayout(layout, `${n} clustered nodes`);
      const shown = layout.nodes.map((x) => x.shown);
      const start = shown.indexOf(Math.min(...shown));
      const rotated = [...shown.slice(start), ...shown.slice(0, start)];
      expect(rotated).toEqual([...rotated].sort((a, b) => a - b));
    }
  });

  test('layout: a lone node sits at its angle; the marker sits at its key', () => {
    const id = '4' + '0'.repeat(39);
    const v: DhtRingView = { self: { peer: 'me', id, held: 2 }, predecessor: null, successors: [], predecessors: [], fingers: [], nodes: [{ peer: 'me', id }], held: 2, owned: 2 };
    const layout = layoutRing(v, 400, 300, { marker: { id: '8' + '0'.repeat(39), text: 'k' } });
    expect(layout.self!.x).toBeCloseTo(layout.cx + layout.radius);
    expect(layout.self!.y).toBeCloseTo(layout.cy);
    expect(layout.self!.range.full).toBe(true);
    expect(layout.marker!.x).toBeCloseTo(layout.cx);
    expect(layout.marker!.y).toBeCloseTo(layout.cy + layout.radius);
    expect(layout.labels.get(MARKER_LABEL)).toBeDefined();
    // The self label is outside the ring, to the right.
    const lab = layout.labels.get('me')!;
    expect(lab.anchor).toBe('start');
    expect(lab.box.x0).toBeGreaterThan(layout.self!.x + layout.self!.r);
    expect(labelWidth('abcdef', 10)).toBe(36);
  });

  test('deterministic: the same view gives the same drawing', () => {
    const v = fakeView(14, 77);
    const a = layoutRing(v, 420, 330);
    const b = layoutRing({ ...v, nodes: [...v.nodes].reverse(), fingers: [...v.fingers].reverse() }, 420, 330);
    expect(b.nodes).toEqual(a.nodes);
    expect([...b.labels.entries()].sort()).toEqual([...a.labels.entries()].sort());
  });
});

/**
 * The card itself, in a real browser, with a fake `p2p.dht` (no engine needed): joining, the
 * drawing and its test ids, put and get through the form, a readable error, and screenshots.
 */
test.describe('DHT ring card (browser)', () => {
  test('joining, then the ring with its test ids; put and get through the form', async ({}, info) => {
    test.setTimeout(60_000);
    test.skip(!chromiumEngine(), 'no Chromium on this machine');
    const { browser, page, errors } = await cardPage(`import { createDhtRingUI } from './client/ui/ring-view';\nimport { checkKey, checkValue } from './protocol/dht';\nwindow.createDhtRingUI = createDhtRingUI;\nwindow.dhtChecks = { checkKey, checkValue };`, { width: 900, height: 1000 });
    try {

      const small = fakeView(4, 21, { selfIndex: 1 });
      const big = fakeView(40, 22, { selfIndex: 9 });
      const crowded = fakeView(12, 23, { ids: clusteredIds(12, 23), selfIndex: 2 });
      await page.evaluate(
        ({ selfPeer }) => {
          type W = {
            createDhtRingUI: (p: unknown) => HTMLElement;
            dhtChecks: { checkKey: (k: string) => void; checkValue: (v: string) => void };
            setRing: (v: unknown) => void;
          };
          const w = window as unknown as W;
          let ring: unknown = null;
          const store = new Map<string, string>();
          let lookups = 0;
          let hopsSum = 0;
          w.setRing = (v) => (ring = v);
          const dht = {
            nodeId: '',
            ready: Promise.resolve(),
            ring: () => ring,
            stats: () => ({
              nodeId: (ring as { self?: { id: string } } | null)?.self?.id ?? '',
              keysHeld: 12,
              keysOwned: 5,
              lookups,
              avgHops: lookups ? hopsSum / lookups : 0,
              routed: 31,
              replicasSent: 24,
              handedOver: 0,
              badMessages: 1,
              failures: 2,
              loaded: 0,
            }),
            async put(key: string, value: string) {
              w.dhtChecks.checkKey(key);
              w.dhtChecks.checkValue(value);
              store.set(key, value);
              lookups++;
              hopsSum += 2;
              return { owner: selfPeer, hops: 2, ms: 14 };
            },
            async get(key: string) {
              w.dhtChecks.checkKey(key);
              lookups++;
              hopsSum += 1;
              return store.get(key) ?? null;
            },
          };
          document.getElementById('app')!.append(w.createDhtRingUI({ id: selfPeer, ready: Promise.resolve(selfPeer), peers: () => ['a', 'b'], dht }));
        },
        { selfPeer: small.self.peer },
      );
      // Not started yet: ring() is null.
      await expect(page.getByTestId('dht-joining')).toBeVisible();
      await expect(page.getByTestId('dht-joining')).toHaveText(/joining the ring…/);
      await expect(page.getByTestId('dht-put')).toBeDisabled();
      await page.getByTestId('dht-ring').screenshot({ path: info.outputPath('ring-joining.png') });

      await page.evaluate((v) => (window as unknown as { setRing: (v: unknown) => void }).setRing(v), small);
      await expect(page.getByTestId('dht-joining')).toBeHidden({ timeout: 3_000 });
      await expect(page.locator('[data-testid^="dht-node-"]')).toHaveCount(4);
      await expect(page.getByTestId(`dht-node-${small.self.peer}`)).toHaveAttribute('data-self', 'true');
      await expect(page.getByTestId(`dht-node-${small.successors[0]!.peer}`)).toHaveAttribute('data-role', 'successor');
      await expect(page.getByTestId(`dht-node-${small.predecessor!.peer}`)).toHaveAttribute('data-role', 'predecessor');
      await expect(page.getByTestId('dht-finger')).toHaveCount(small.fingers.length);
      await expect(page.getByTestId('dht-own-range')).toHaveCount(1);
      await expect(page.getByTestId('dht-figures')).toContainText(small.self.id.slice(0, 10));
      await expect(page.getByTestId('dht-figures').locator('[data-fig="keys"]')).toHaveText('12 held / 5 owned');
      await expect(page.getByTestId('dht-figures').locator('[data-fig="bad"]')).toHaveText('1');

      await page.getByTestId('dht-key').fill('greeting');
      await page.getByTestId('dht-value').fill('hello, ring');
      await page.getByTestId('dht-put').click();
      await expect(page.getByTestId('dht-result')).toHaveAttribute('data-state', 'ok');
      await expect(page.getByTestId('dht-result')).toContainText(`Stored greeting at ${small.self.peer.slice(0, 6)} (you) in 2 hops`);
      await expect(page.getByTestId('dht-key-marker')).toHaveCount(1);
      await page.getByTestId('dht-value').fill('');
      await page.getByTestId('dht-get').click();
      await expect(page.getByTestId('dht-result')).toContainText('1 hop');
      await expect(page.getByTestId('dht-value-out')).toHaveText('hello, ring');
      await page.getByTestId('dht-ring').screenshot({ path: info.outputPath('ring-4.png') });
      await page.getByTestId('dht-key').fill('nothing here');
      await page.getByTestId('dht-get').click();
      await expect(page.getByTestId('dht-result')).toHaveAttribute('data-state', 'missing');
      await expect(page.getByTestId('dht-result')).toContainText('not found');
      await page.getByTestId('dht-key').fill('big');
      await page.getByTestId('dht-value').fill('x'.repeat(16 * 1024 + 1));
      await page.getByTestId('dht-put').click();
      await expect(page.getByTestId('dht-result')).toHaveAttribute('data-state', 'error');
      await expect(page.getByTestId('dht-result')).toContainText('at most 16 KiB');
      // A key over 256 characters: refused before it leaves.
      await page.getByTestId('dht-key').fill('k'.repeat(300));
      await page.getByTestId('dht-get').click();
      await expect(page.getByTestId('dht-result')).toContainText('at most 256');

      await page.evaluate((v) => (window as unknown as { setRing: (v: unknown) => void }).setRing(v), crowded);
      await expect(page.locator('[data-testid^="dht-node-"]')).toHaveCount(ringNodes(crowded).length, { timeout: 3_000 });
      await page.getByTestId('dht-ring').screenshot({ path: info.outputPath('ring-crowded.png') });
      await page.evaluate((v) => (window as unknown as { setRing: (v: unknown) => void }).setRing(v), big);
      await expect(page.locator('[data-testid^="dht-node-"]')).toHaveCount(ringNodes(big).length, { timeout: 3_000 });
      await page.getByTestId('dht-ring').screenshot({ path: info.outputPath('ring-big.png') });
      await page.getByTestId(`dht-node-${big.fingers[3]!.peer}`).hover();
      await page.getByTestId('dht-ring').screenshot({ path: info.outputPath('ring-big-hover.png') });
      await page.setViewportSize({ width: 380, height: 1000 });
      await page.waitForTimeout(1_200);
      await page.getByTestId('dht-ring').screenshot({ path: info.outputPath('ring-narrow.png') });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
