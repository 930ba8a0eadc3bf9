/**
 * Which browser engines this machine has: Debian's Chromium and Debian's Firefox ESR (each used
 * when present) and any browsers Playwright installed itself (`npx playwright install`).
 *
 * Debian's Firefox is driven over WebDriver BiDi (channel `moz-firefox`), not Playwright's own
 * patched Firefox. @playwright/test is pinned to 1.64.1 because 1.65.0-1.65.2 send
 * `emulation.setMediaFeaturesOverride` on every newContext(), which Firefox ESR 153.8 does not
 * implement ("Protocol error (emulation.setMediaFeaturesOverride): unknown command"); no launch
 * or context option avoids it. 1.64.1 drives both Firefox ESR 153.8 and Chromium 156.
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
export const DEBIAN_FIREFOX = process.env.FIREFOX_PATH ?? '/usr/lib/firefox-esr/firefox-esr';

/**
 * Firefox's prefs: its WebRTC host candidates carry the machine's addresses, not mDNS `.local`
 * names (which it uses unless the page holds a media permission), so links do not depend on
 * mDNS working on the machine. Earlier Firefox builds here needed it to link at all; Firefox ESR
 * 153.8 linked to Chromium and to Firefox without it too (measured), it is kept as the safe side.
 */
export const FIREFOX_PREFS = { 'media.peerconnection.ice.obfuscate_host_addresses': false };

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
  if (existsSync(DEBIAN_FIREFOX)) {
    out.push({
      name: 'debian-firefox',
      browserName: 'firefox',
      launchOptions: { channel: 'moz-firefox', executablePath: DEBIAN_FIREFOX, firefoxUserPrefs: FIREFOX_PREFS },
    });
  }
  if (installed(() => chromium.executablePath())) {
    out.push({ name: 'chromium', browserName: 'chromium', launchOptions: { args: CHROMIUM_ARGS } });
  }
  if (installed(() => firefox.executablePath())) {
    out.push({
      name: 'firefox',
      browserName: 'firefox',
      launchOptions: { firefoxUserPrefs: FIREFOX_PREFS },
    });
  }
  if (installed(() => webkit.executablePath())) {
    out.push({ name: 'webkit', browserName: 'webkit', launchOptions: {} });
  }
  return out;
}
