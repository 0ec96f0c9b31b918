// The Calibrate screen in a real Chromium (Debian's, driven by playwright-core): a picture control
// changed and its preview redrawn before anything is saved; a synthetic phone photo of the swatch
// uploaded, its measured inks shown (within ΔE2000 3 of the unit's), kept, and the next frame on the
// glass drawn with them. Photographed for the README (docs/web-calibrate-*.png).
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPanel } from '../../drivers/panels.js';
import { deltaE2000 } from '../../src/calibration/cielab.js';
import { labOf, rgbOfHex } from '../../src/calibration/ink-report.js';
import { inksFileSchema } from '../../src/calibration/inks-file.js';
import { instancePaths } from '../../src/library/instance.js';
import { glassShows, screenshots, shownPicture } from '../support/browser-page.js';
import { NO_CHROMIUM, openChromium } from '../support/chromium.js';
import { differingUnit, HARD_SHOT, photographSwatch } from '../support/swatch-camera.js';
import { nextRefresh, PASSWORD, pixels, startWebFrame, type WebFrame } from '../web/web-frame.js';

const skip = NO_CHROMIUM;
if (skip) console.warn(`browser tests skipped: ${skip}`);

const panel = findPanel('waveshare-7in3e');
const unit = differingUnit(panel);

/** Every good answer to `pattern` the page receives, its bytes kept in `into`. */
async function keepAnswers(page: Page, pattern: string, into: Buffer[]): Promise<void> {
  await page.route(pattern, async (route) => {
    const res = await route.fetch();
    if (res.ok()) into.push(await res.body());
    await route.fulfill({ response: res });
  });
}

const shownCount = (page: Page, selector: string) =>
  page.locator(selector).evaluate((img) => Number((img as HTMLImageElement).dataset.shown ?? 0));

describe.skipIf(skip)('the Calibrate screen in Chromium', () => {
  let frame: WebFrame;
  let browser: BrowserContext;
  let page: Page;
  let photo: Buffer;

  beforeAll(async () => {
    [frame, photo] = await Promise.all([startWebFrame({ count: 4 }), photographSwatch(panel, unit, HARD_SHOT)]);
    for (let i = 0; i < 600 && !frame.host.snapshot().shown; i++) await new Promise((r) => setTimeout(r, 50));
    browser = await openChromium();
    page = await browser.newPage();
    await page.goto(frame.url + '/login');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(frame.url + '/');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await frame?.close();
  });

  it('previews a picture control on the current photo before it is saved', async () => {
    // The previews as the browser received them (a blob: picture cannot be fetched again under the CSP).
    const previews: Buffer[] = [];
    await keepAnswers(page, '**/api/preview/frame.png', previews);
    await page.getByRole('link', { name: 'Calibrate' }).click();
    await page.waitForURL(frame.url + '/calibrate');
    // The current settings drawn first, then the change.
    await expect.poll(() => shownCount(page, '#picture-preview'), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => previews.length).toBe(1);
    const before = await pixels(previews[0]!);
    await page.locator('#f-exposure').fill('1.5');
    await expect.poll(() => shownCount(page, '#picture-preview'), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => previews.length).toBe(2);
    const after = await pixels(previews[1]!);
    expect(after.equals(before)).toBe(false);
    // The very picture the frame's render draws with that exposure; nothing saved.
    expect(after.equals(await pixels((await frame.host.previewFrame({ exposure: 1.5 }))!))).toBe(true);
    expect(frame.host.settings!.exposure).toBe(0);
    await page.locator('#f-exposure').fill('9');
    await expect
      .poll(() => page.locator('#err-exposure').textContent(), { timeout: 10_000 })
      .toMatch(/^config: exposure = 9 is not allowed/);
    await page.locator('#f-exposure').fill('0');
    await expect.poll(() => shownCount(page, '#picture-preview'), { timeout: 30_000 }).toBe(3);
    await screenshots(page, 'calibrate');
  }, 90_000);

  it('uploads a photo of the swatch, sees the measured inks, keeps them, and sees the next frame drawn with them', async () => {
    const both: Buffer[] = [];
    await keepAnswers(page, '**/api/calibration/preview.png', both);
    await page.getByLabel('Photo of the swatch').setInputFiles({
      name: 'swatch.jpg',
      mimeType: 'image/jpeg',
      buffer: photo,
    });
    await page.getByRole('button', { name: 'Measure the inks' }).click();
    await expect
      .poll(() => page.locator('#measure-outcome').textContent(), { timeout: 30_000 })
      .toContain('inks measured');
    for (const c of panel.colours) {
      const hex = await page.locator(`#ink-${c.name}`).inputValue();
      expect(deltaE2000(labOf(rgbOfHex(hex)!), labOf(unit[c.name]!)), c.name).toBeLessThan(3);
    }
    expect(Number(await page.locator('#de-green').textContent())).toBeGreaterThan(3);
    // Both ways, on the current photo.
    await expect.poll(() => shownCount(page, '#preview-measured'), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => both.length).toBe(2);
    const catalogue = await pixels(both[0]!);
    const measured = await pixels(both[1]!);
    expect(catalogue.equals(await pixels((await frame.host.previewFrame({}, 'catalogue'))!))).toBe(true);
    expect(catalogue.equals(measured)).toBe(false);
    await screenshots(page, 'calibrate-inks', '#compare-h');

    await page.getByRole('button', { name: 'Keep these inks' }).click();
    await expect.poll(() => page.locator('#outcome').textContent(), { timeout: 10_000 }).toMatch(/^kept: every photo/);
    const file = inksFileSchema.parse(
      JSON.parse(await readFile(instancePaths(frame.host.settings!).calibratedInksPath, 'utf8')),
    );
    expect(file.source).toBe('photo');

    await page.goto(frame.url + '/');
    const seq = frame.host.snapshot().shown!.seq;
    const next = nextRefresh(frame, seq);
    await page.getByRole('button', { name: 'Next', exact: true }).click();
    const newSeq = await next;
    await glassShows(page, newSeq);
    const glass = await pixels(await shownPicture(page));
    expect(glass.equals(await pixels((await frame.host.previewFrame({}, file))!))).toBe(true);
    expect(glass.equals(await pixels((await frame.host.previewFrame({}, 'catalogue'))!))).toBe(false);
  }, 120_000);
});
