// Debian's Chromium driven by playwright-core, as the page's browser tests and its bench launch it
// (no browser downloads: the registry's builds are not reachable). A fresh profile each time.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false when they can. */
export const NO_CHROMIUM: string | false = existsSync(CHROMIUM)
  ? false
  : `no ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function openChromium(viewport = { width: 390, height: 844 }): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(await mkdtemp(path.join(os.tmpdir(), 'chromium-')), {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport,
  });
}
