// What the browser tests do with a page: each screen photographed for the README at a phone's and
// a desktop's size, and the Now screen's glass picture as the browser has it. Kept apart from
// chromium.ts, which the web bench compiles without the DOM's types.
/// <reference lib="dom" />
import path from 'node:path';
import type { Page } from 'playwright-core';

export const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

/** The screen photographed for the README at a phone's and a desktop's size (docs/web-NAME-SIZE.png). */
export async function screenshots(page: Page, name: string, scroll?: string): Promise<void> {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    // The part of a long screen worth showing at the top.
    if (scroll) await page.locator(scroll).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.resolve(`docs/web-${name}-${size}.png`), fullPage: false });
  }
  await page.setViewportSize(VIEWPORTS.phone);
}

/** The bytes of the Now screen's glass picture, fetched again by the browser. */
export async function shownPicture(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const img = document.querySelector<HTMLImageElement>('#glass')!;
    const res = await fetch(img.src);
    return [...new Uint8Array(await res.arrayBuffer())];
  });
  return Buffer.from(bytes);
}

/** Until the Now screen's picture is the frame numbered `seq`. */
export async function glassShows(page: Page, seq: number): Promise<void> {
  await page.waitForFunction((s) => document.querySelector<HTMLImageElement>('#glass')!.src.endsWith(`seq=${s}`), seq);
}
