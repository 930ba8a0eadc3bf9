/**
 * One runner for the whole suite: unit tests (pure cores, parsers), worker tests (real Durable
 * Objects on wrangler dev, over real WebSockets) and e2e tests (real browsers, real WebRTC),
 * the e2e suite in the first installed browser engine (Debian's Chromium), and in every other
 * engine only the tests tagged @engines (core single-engine specs) and @cross-engine (pages of two
 * engines in one swarm): the whole suite twice would not fit the 15 minutes of `npm test` on two
 * cores. The @cross-engine tests run once, in the second engine's project.
 */
import { defineConfig } from '@playwright/test';
import { availableEngines } from './tests/engines';

export const TEST_PORT = Number(process.env.TEST_PORT ?? 8788);

const engines = availableEngines();
const [first, ...others] = engines;
if (!first) {
  throw new Error('No browser found: install Debian\'s chromium (apt-get install -y chromium) or run `npx playwright install`.');
}
/** With one engine the @cross-engine tests run (and skip, saying why) in its project. */
const crossEngineElsewhere = others.some((e) => e.browserName !== first.browserName);

const e2e = (e: (typeof engines)[number]) => ({
  name: `e2e-${e.name}`,
  testDir: 'tests/e2e',
  use: { browserName: e.browserName, launchOptions: e.launchOptions },
  metadata: { engine: e.name },
});

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./tests/summary-reporter.ts']],
  outputDir: 'test-results',
  use: { baseURL: `http://127.0.0.1:${TEST_PORT}`, trace: 'off' },
  // PW_NO_SERVER=1 runs the unit project alone without starting wrangler dev.
  webServer: process.env.PW_NO_SERVER ? undefined : {
    // Two gateway shards, so that cross-shard paths run in every test; a fresh state directory.
    command: `rm -rf .wrangler/test-state-${TEST_PORT} && node scripts/dev.ts --ip 127.0.0.1 --port ${TEST_PORT} --var GATEWAY_SHARDS:2 --var ROOM_TUNING:1 --persist-to .wrangler/test-state-${TEST_PORT}`,
    url: `http://127.0.0.1:${TEST_PORT}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  projects: [
    { name: 'unit', testDir: 'tests/unit' },
    { name: 'worker', testDir: 'tests/worker' },
    { ...e2e(first), grepInvert: crossEngineElsewhere ? /@cross-engine/ : undefined },
    ...others.map((e) => ({ ...e2e(e), grep: /@engines|@cross-engine/ })),
  ],
});
