// The page in a real Chromium (Debian's, driven by playwright-core): sign in, the Now picture is
// the glass, Next changes it to what the virtual panel received, a bad setting says the config's
// message, a good one is applied, a filter's match count, a hidden photo never comes back, and
// pairing with the code on the glass. Each screen is photographed for the README at a phone's
// and a desktop's size (docs/web-*.png).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { nextRefresh, PAIRING_CODE, PASSWORD, pixels, startWebFrame, type WebFrame } from '../web/web-frame.js';
import { glassShows, screenshots, shownPicture } from '../support/browser-page.js';
import { NO_CHROMIUM, openChromium } from '../support/chromium.js';

const skip = NO_CHROMIUM;
if (skip) console.warn(`browser tests skipped: ${skip}`);

describe.skipIf(skip)('the page in Chromium', () => {
  let frame: WebFrame;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    frame = await startWebFrame({ count: 8 });
    browser = await openChromium();
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await frame?.close();
  });

  it('signs in and shows the picture on the glass', async () => {
    await page.goto(frame.url + '/');
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshots(page, 'login');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#outcome').textContent()).toBe('wrong password');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(frame.url + '/');
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#glass')?.naturalWidth === 800);
    const shown = await shownPicture(page);
    expect((await pixels(shown)).equals(await pixels(await readFile(frame.glass)))).toBe(true);
    await screenshots(page, 'now');
  }, 60_000);

  it('presses Next and sees the picture change to the frame the panel received', async () => {
    const seq = frame.host.snapshot().shown!.seq;
    const next = nextRefresh(frame, seq);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    const newSeq = await next;
    await glassShows(page, newSeq);
    await page.waitForFunction(() => document.querySelector<HTMLImageElement>('#glass')!.complete);
    const glass = await pixels(await readFile(frame.glass));
    expect((await pixels(await shownPicture(page))).equals(glass)).toBe(true);
    await expect.poll(() => page.locator('#outcome').textContent()).toContain('next photo');
  }, 60_000);

  it('reads the config message for a bad setting, and sees a good one applied', async () => {
    await page.goto(frame.url + '/settings');
    await page.locator('#f-min_rating').fill('9');
    await expect
      .poll(() => page.locator('#err-min_rating').textContent(), { timeout: 10_000 })
      .toBe('config: min_rating = 9 is not allowed; expected a whole number from 0 (no minimum) to 5');
    expect(await page.locator('#f-min_rating').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#f-min_rating').fill('0');
    await expect.poll(() => page.locator('#err-min_rating').textContent()).toBe('');
    await page.locator('#f-refresh_interval_minutes').fill('45');
    await expect.poll(() => page.locator('#schedule-next li').count()).toBe(5);
    await screenshots(page, 'settings');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('#outcome').textContent(), { timeout: 20_000 }).toContain('saved');
    expect(frame.host.settings!.refresh_interval_minutes).toBe(45);
    expect(JSON.parse(await readFile(frame.configPath, 'utf8')).refresh_interval_minutes).toBe(45);
  }, 60_000);

  it('previews how many photos a filter lets through before saving it', async () => {
    await page.goto(frame.url + '/library');
    await page.locator('#f-people').fill('Ada');
    await expect
      .poll(() => page.locator('#filter-count').textContent(), { timeout: 10_000 })
      .toContain('2 of 8 photos would match');
    await expect.poll(() => page.locator('#filter-matches img').count()).toBe(2);
    expect(frame.host.settings!.people).toEqual([]);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('#photos img')].every((i) => i.complete && i.naturalWidth > 0),
    );
    await screenshots(page, 'library');
  }, 60_000);

  it('hides a photo and never sees it again', async () => {
    await page.goto(frame.url + '/');
    const hidden = frame.host.snapshot().shown!.photos[0]!.id;
    let seq = frame.host.snapshot().shown!.seq;
    const moved = nextRefresh(frame, seq);
    await page.getByRole('button', { name: 'Never show this one' }).click();
    seq = await moved;
    for (let i = 0; i < 9; i++) {
      expect(frame.host.snapshot().shown!.photos.map((p) => p.id)).not.toContain(hidden);
      await glassShows(page, seq);
      // The facts follow the picture (fetched after the event), and never name the hidden photo.
      await expect
        .poll(() => page.locator('#now-facts dl').getAttribute('data-photo'))
        .toBe(frame.host.snapshot().shown!.photos[0]!.id);
      expect(await page.locator('#now-facts').innerHTML()).not.toContain(hidden);
      const next = nextRefresh(frame, seq);
      await page.getByRole('button', { name: 'Next', exact: true }).click();
      seq = await next;
    }
    await page.goto(`${frame.url}/library?photo=${hidden}`);
    await expect.poll(() => page.locator('.details').textContent()).toContain('Hidden');
    expect(await page.getByRole('button', { name: 'Show again' }).count()).toBe(1);
  }, 90_000);

  it('shows the health of the frame and its log by level', async () => {
    await page.goto(frame.url + '/health');
    expect(await page.locator('.health').textContent()).toContain('Version');
    await page.locator('#level').selectOption('warn');
    await expect.poll(() => page.locator('#log').getAttribute('data-level')).toBe('warn');
    await screenshots(page, 'health');
  }, 60_000);
});

describe.skipIf(skip)('pairing in Chromium', () => {
  it('pairs with the code shown on the virtual panel', async () => {
    const frame = await startWebFrame({ password: false });
    const browser = await openChromium();
    try {
      const page = await browser.newPage();
      // The glass shows the notice (the API suite checks its pixels); wait for it.
      await expect.poll(() => frame.host.snapshot().shown?.reason, { timeout: 20_000 }).toBe('notice');
      await page.goto(frame.url + '/');
      expect(new URL(page.url()).pathname).toBe('/pair');
      await screenshots(page, 'pair');
      await page.getByLabel('Code on the frame').fill('1111 1111');
      await page.getByLabel(/New password/).fill('a fine password');
      await page.getByRole('button', { name: 'Set the password' }).click();
      await expect.poll(() => page.locator('#outcome').textContent()).toContain('not the code on the frame');
      await page.getByLabel('Code on the frame').fill(PAIRING_CODE);
      await page.getByRole('button', { name: 'Set the password' }).click();
      await page.waitForURL(frame.url + '/');
      await expect.poll(() => frame.host.snapshot().shown?.photos.length ?? 0, { timeout: 20_000 }).toBeGreaterThan(0);
    } finally {
      await browser.close();
      await frame.close();
    }
  }, 90_000);
});
