/**
 * Joining queued writes of a byte stream into fewer, larger messages: the wire protocol is a
 * stream, so where one message ends does not matter to the receiver, and each data-channel
 * send has a fixed cost.
 */

/**
 * Remove the queue's head and the writes after it that fit with it in `max` bytes, and return
 * them as one array (the head alone, uncopied, if nothing joins it or it is `max` or larger).
 * The queue must not be empty.
 */
export function takeJoined(queue: Uint8Array[], max: number): Uint8Array {
  const first = queue.shift();
  if (!first) throw new Error('takeJoined: the queue is empty');
  let total = first.length;
  let n = 0;
  while (n < queue.length && total + (queue[n] as Uint8Array).length <= max) total += (queue[n++] as Uint8Array).length;
  if (n === 0) return first;
  const out = new Uint8Array(total);
  out.set(first, 0);
  let at = first.length;
  for (const part of queue.splice(0, n)) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
