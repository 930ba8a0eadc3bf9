import { chromium, firefox, webkit } from '@playwright/test';
import { availableEngines } from '../engines';
import { expect, idOf, sendRandom, test } from './fixtures';

const engines = availableEngines();
const distinct = [...new Map(engines.map((e) => [e.browserName, e])).values()];

test('peers of two different browser engines link and exchange data', async ({ peer }, info) => {
  test.skip(distinct.length < 2, `only one browser engine installed (${engines.map((e) => e.name).join(', ')}); npx playwright install adds more`);
  test.skip(info.project.name !== `e2e-${engines[0]?.name}`, 'runs once, in the first engine project');
  const [e1, e2] = distinct as [(typeof distinct)[0], (typeof distinct)[0]];
  const launchers = { chromium, firefox, webkit };
  const b1 = await launchers[e1.browserName].launch(e1.launchOptions);
  const b2 = await launchers[e2.browserName].launch(e2.launchOptions);
  try {
    const p1 = await peer(await b1.newContext());
    const p2 = await peer(await b2.newContext());
    await p1.evaluate((id) => window.p2p.connect(id), await idOf(p2));
    const r = await sendRandom(p1, p2, 1024 * 1024);
    expect(r.received).toBe(r.sent);
  } finally {
    await b1.close();
    await b2.close();
  }
});
