/**
 * Which browser engines this machine has: Debian's Chromium (always used when present) and any
 * browsers Playwright installed itself (`npx playwright install`).
 */
import { existsSync } from 'node:fs';
import { chromium, firefox, webkit, type LaunchOptions } from '@playwright/test';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export interface Engine {
  /** Project name, e.g. "debian-chromium". */
  name: string;
  browserName: EngineName;
  launchOptions: LaunchOptions;
}

export const DEBIAN_CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags this machine's Chromium needs: it runs as root, without GPU, and the network is closed. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

function installed(path: () => string): boolean {
  try {
    return existsSync(path());
  } catch {
    return false;
  }
}

export function availableEngines(): Engine[] {
  const out: Engine[] = [];
  if (existsSync(DEBIAN_CHROMIUM)) {
    out.push({ name: 'debian-chromium', browserName: 'chromium', launchOptions: { executablePath: DEBIAN_CHROMIUM, args: CHROMIUM_ARGS } });
  }
  if (installed(() => chromium.executablePath())) {
    out.push({ name: 'chromium', browserName: 'chromium', launchOptions: { args: CHROMIUM_ARGS } });
  }
  if (installed(() => firefox.executablePath())) {
    out.push({
      name: 'firefox',
      browserName: 'firefox',
      // Let Firefox use WebRTC host candidates without a media permission prompt.
      launchOptions: { firefoxUserPrefs: { 'media.peerconnection.ice.obfuscate_host_addresses': false } },
    });
  }
  if (installed(() => webkit.executablePath())) {
    out.push({ name: 'webkit', browserName: 'webkit', launchOptions: {} });
  }
  return out;
}
