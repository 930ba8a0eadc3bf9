/** The DHT node's messaging: error codes and what is retried, requests paired with answers, fail-all on close. */
import { expect, test } from '@playwright/test';
import type { DhtMessage } from '../../protocol/dht';
import { codeOf, DhtError, replyError, replyFailure, retryable, wireError } from '../../client/dht/dht-error';
import { DhtRpc, type DhtResponse } from '../../client/dht/dht-rpc';
import { PendingTable } from '../../client/core/pending';

test('retries are decided on the code: timeouts and routes around failures again, refusals never', () => {
  expect(retryable('timeout')).toBe(true);
  expect(retryable('no-route')).toBe(true);
  expect(retryable('unreachable')).toBe(true);
  expect(retryable('internal')).toBe(true);
  expect(retryable('refused')).toBe(false);
  expect(retryable('too-many-hops')).toBe(false);
  expect(retryable('closed')).toBe(false);
  expect(retryable('unknown')).toBe(false);
  expect(codeOf(new DhtError('timeout', 'lookup of 12345678 timed out'))).toBe('timeout');
  expect(codeOf(new TypeError('boom'))).toBe('internal');
});

test('the failures another node reports keep their code across the wire, whatever their words', () => {
  for (const code of ['no-route', 'too-many-hops'] as const) {
    const sent = replyFailure(wireError(code));
    expect(sent.code).toBe(code);
    const back = replyError(sent);
    expect(back.code).toBe(code);
    expect(back.message).toBe(sent.error);
  }
  // The words decide nothing: a refusal naming a key with "no route" in it is a refusal.
  expect(replyError({ error: 'no route: the ring has no live next hop', code: 'refused' }).code).toBe('refused');
  expect(replyFailure(new DhtError('timeout', 'lookup timed out')).code).toBe('timeout');
  expect(replyFailure(new DhtError('closed', 'this node left')).code).toBe('internal');
  expect(replyFailure(new TypeError('boom'))).toEqual({ error: 'boom', code: 'internal' });
  expect(replyError({ error: 'a newer failure', code: 'unknown' })).toMatchObject({ code: 'unknown', message: 'a newer failure' });
  expect(replyError({})).toMatchObject({ code: 'unknown', message: 'refused' });
  expect(replyFailure(new Error('x'.repeat(1000))).error.length).toBe(300);
});

/** Links to peers as a LinkManager hands them out: sends are recorded (and answered by `answer`). */
function fakeLinks(open: string[], answer?: (to: string, msg: DhtMessage) => void) {
  const sent: { to: string; msg: DhtMessage }[] = [];
  const link = (to: string) => ({
    send: async (_channel: string, bytes: Uint8Array) => {
      const msg = JSON.parse(new TextDecoder().decode(bytes)) as DhtMessage;
      sent.push({ to, msg });
      answer?.(to, msg);
    },
  });
  const links = {
    get: (peer: string) => (open.includes(peer) ? link(peer) : undefined),
    connect: (peer: string) => (open.includes(peer) ? Promise.resolve(link(peer)) : new Promise<never>(() => {})),
  };
  return { sent, links: links as unknown as ConstructorParameters<typeof DhtRpc>[0]['links'] };
}

test('a request is settled by the answer of its type and ref, and by nothing else', async () => {
  let rpc: DhtRpc | null = null;
  const { links, sent } = fakeLinks(['B'], (_to, msg) => {
    if (msg.type !== 'state?') return;
    // A reply with the same ref is not the answer to a state request.
    expect(rpc!.deliver({ type: 'reply', ref: msg.ref, hops: 1, owner: 'B', ok: true })).toBe(false);
    queueMicrotask(() => rpc!.deliver({ type: 'state', ref: msg.ref, pred: null, succs: [], preds: [], held: 7 }));
  });
  rpc = new DhtRpc({ self: 'A', links, mayLink: () => false });
  const st = await rpc.request('B', 'state', 1_000, 'no state', (ref) => ({ type: 'state?', ref }));
  expect(st).toMatchObject({ type: 'state', held: 7 });
  expect(sent).toHaveLength(1);
  expect(sent[0]!.msg.type).toBe('state?');
  // Settled once: a second answer finds nothing waiting.
  expect(rpc.deliver({ type: 'state', ref: st.ref, pred: null, succs: [], preds: [], held: 1 })).toBe(false);
});

test('a request fails with a code: unreachable, timeout, closed', async () => {
  const { links } = fakeLinks(['B', 'C']);
  const rpc = new DhtRpc({ self: 'A', links, mayLink: (p) => p === 'D', linkMs: 20 });
  const codeOfRequest = (peer: string, ms: number) =>
    rpc.request(peer, 'reply', ms, `lookup of ${peer} timed out`, (ref) => ({ type: 'route', ref, origin: 'A', id: '0'.repeat(40), hops: 1, op: { op: 'find' } })).then(
      () => 'answered',
      (e: DhtError) => `${e.code}: ${e.message}`,
    );
  // No link, and none may be opened; one may be, but it does not open in time; oneself.
  expect(await codeOfRequest('X', 1_000)).toBe('unreachable: peer X cannot be reached');
  expect(await codeOfRequest('D', 1_000)).toBe('unreachable: peer D cannot be reached');
  expect(await codeOfRequest('A', 1_000)).toBe('unreachable: peer A cannot be reached');
  expect(await codeOfRequest('B', 20)).toBe('timeout: lookup of B timed out');
  // Leaving fails what still waits at once, and every request after it.
  const waiting = codeOfRequest('C', 60_000);
  await new Promise((r) => setTimeout(r, 10));
  rpc.close();
  expect(await waiting).toBe('closed: the DHT node left');
  expect(await codeOfRequest('B', 1_000)).toBe('closed: the DHT node left');
});

test('the pending table: settle, fail and fail-all end each wait once', async () => {
  const table = new PendingTable<string, DhtResponse>();
  const a = table.add('a', 60_000, () => new Error('late'));
  const b = table.add('b', 60_000, () => new Error('late'));
  const c = table.add('c', 60_000, () => new Error('late'));
  const answer: DhtResponse = { type: 'reply', ref: 'aaaaaaaa', hops: 0, owner: 'A', ok: true };
  expect(table.settle('a', answer)).toBe(true);
  expect(table.settle('a', answer)).toBe(false);
  expect(table.fail('b', new Error('gone'))).toBe(true);
  table.failAll(new Error('closing'));
  expect(table.size).toBe(0);
  expect(await a).toBe(answer);
  await expect(b).rejects.toThrow('gone');
  await expect(c).rejects.toThrow('closing');
});
