/** The page's error banners and event log: newest first, four errors and sixty events kept, unsafe characters shown as U+FFFD, errors dismissed one by one. */
import { expect, test } from '@playwright/test';
import { PageLog } from '../../client/ui/page-log';

test('errors and events: newest first, capped, made safe to show, dismissed one by one', () => {
  let now = 1000;
  const log = new PageLog(() => now);
  let redraws = 0;
  log.subscribe(() => redraws++);
  for (let i = 0; i < 6; i++) log.showError(`problem ${i}`);
  expect(log.errors.map((e) => e.text)).toEqual(['problem 5', 'problem 4', 'problem 3', 'problem 2']);
  log.dismiss(log.errors[1]!.id);
  expect(log.errors.map((e) => e.text)).toEqual(['problem 5', 'problem 3', 'problem 2']);
  for (let i = 0; i < 65; i++) {
    now += 1;
    log.log(`event ${i}`);
  }
  expect(log.events).toHaveLength(60);
  expect(log.events[0]).toMatchObject({ text: 'event 64', at: 1065 });
  expect(log.events[59]!.text).toBe('event 5');
  // An override control from a peer's name cannot reorder the line; the isolates of a name are kept.
  log.log('a\u202eb \u2068name\u2069');
  expect(log.events[0]!.text).toBe('a\ufffdb \u2068name\u2069');
  expect(redraws).toBe(6 + 1 + 65 + 1);
});
