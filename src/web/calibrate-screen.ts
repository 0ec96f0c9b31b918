// The Calibrate screen: the picture controls (exposure, contrast, saturation, dither) previewed
// live on the current photo before they are saved, and this frame's own inks: the swatch on the
// glass, how to photograph it, the photo measured, the inks compared with the catalogue's,
// previewed both ways, kept, typed in, reset, exported and imported (calibration-api.ts).
import { html, type Html } from './html.js';
import { inksNow } from './calibration-api.js';
import { button, field, hidden, layout } from './pages.js';
import type { Answer, Call, Door, RouteSpec } from './server.js';
import { maskedSettings } from './settings-file.js';
import { SETTINGS_FIELDS } from './settings-form.js';

/** The picture controls, with the same fields (and the same rule) as Settings. */
export const PICTURE_KEYS = ['exposure', 'contrast', 'saturation', 'dither'];

/** A patch of colour without a style attribute (the page's CSP allows no inline style). */
export function inkPatch(hex: string, label: string, id?: string): Html {
  const svg = `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'><rect width='1' height='1' fill='${hex}'/></svg>`;
  return html`<img
    class="ink"
    ${id ? html`id="${id}"` : ''}
    src="data:image/svg+xml,${encodeURIComponent(svg)}"
    alt="${label}"
    width="24"
    height="24"
  />`;
}

async function calibrateScreen(call: Call, door: Door): Promise<Answer> {
  const back = '/calibrate';
  const settings = maskedSettings(door.o.frame.settings!);
  const now = await inksNow(door);
  const state = now.saved
    ? `This frame draws with its own inks: ${
        now.saved.source === 'photo' ? 'measured from a photo' : now.saved.source === 'import' ? 'imported' : 'typed in'
      } on ${now.saved.measured_at.replace('T', ' ').slice(0, 16)} UTC.`
    : `This frame draws with the catalogue's inks of the ${now.panel}.`;
  return layout(
    call,
    door,
    'Calibrate',
    html`<section aria-labelledby="picture-h">
        <h2 id="picture-h">Picture</h2>
        <p>Each change is drawn on the current photo by the frame's own render, before anything is saved.</p>
        <form method="post" action="/api/config" id="picture" data-api data-live-preview="/api/preview/frame.png">
          ${hidden(call, door, back)}
          ${SETTINGS_FIELDS.filter((f) => PICTURE_KEYS.includes(f.key)).map((f) => field(f, settings[f.key]))}
          <figure class="glass">
            <img
              id="picture-preview"
              data-preview-img
              alt="The current photo drawn with these picture settings"
              width="800"
              height="480"
              hidden
            />
          </figure>
          <button type="submit" class="primary">Save the picture settings</button>
        </form>
      </section>
      <section aria-labelledby="inks-h">
        <h2 id="inks-h">This frame's inks</h2>
        <p id="inks-state">${state}${now.problem ? html` <span class="bad">${now.problem}</span>` : ''}</p>
        <p>
          Panels of one model differ from unit to unit. A photo of this frame's calibration swatch tells the frame the
          colours its glass really shows.
        </p>
        <h3>1. Put the swatch on the glass</h3>
        ${button(call, door, '/api/calibration/swatch', 'Show the swatch on the frame', back)}
        <h3>2. Photograph it</h3>
        <ul class="how">
          <li>Even daylight, no lamp: not in sunshine, no shadow across the frame.</li>
          <li>No glare: no window or light reflected in the glass.</li>
          <li>Hold the phone parallel to the frame, the whole frame in the picture.</li>
          <li>A sheet of white paper beside the frame, in the same light, all of it in the picture.</li>
        </ul>
        <h3>3. Measure</h3>
        <form id="swatch-upload" data-upload="/api/calibration/photo">
          <div class="field">
            <label for="swatch-photo">Photo of the swatch</label
            ><input id="swatch-photo" name="photo" type="file" accept="image/*" capture="environment" required />
            <small>Up to 16 MB. Needs the page's script (or: artframe-immich calibrate PHOTO --save).</small>
          </div>
          <button type="submit" class="primary">Measure the inks</button>
          <p id="measure-outcome" role="status" aria-live="polite"></p>
        </form>
        <h3 id="compare-h">4. Compare, preview, keep</h3>
        <form method="post" action="/api/calibration/inks" id="inks" data-api>
          ${hidden(call, door, back)}<input type="hidden" name="source" id="inks-source" value="hand" />
          <table class="inks">
            <thead>
              <tr>
                <th scope="col">Ink</th>
                <th scope="col">Catalogue</th>
                <th scope="col">This frame</th>
                <th scope="col">ΔE2000</th>
              </tr>
            </thead>
            <tbody>
              ${now.inks.map(
                (i) =>
                  html`<tr data-ink="${i.name}">
                    <th scope="row">${i.name}</th>
                    <td>${inkPatch(i.catalogue.hex, `catalogue ${i.name}`)} <code>${i.catalogue.hex}</code></td>
                    <td>
                      ${inkPatch(i.hex, `this frame's ${i.name}`, `patch-${i.name}`)}<input
                        id="ink-${i.name}"
                        name="ink_${i.name}"
                        value="${i.hex}"
                        pattern="#?[0-9a-fA-F]{6}"
                        size="8"
                        autocomplete="off"
                        spellcheck="false"
                        aria-label="${i.name} as #rrggbb"
                      />
                    </td>
                    <td id="de-${i.name}">${i.delta_e2000.toFixed(1)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <button type="button" id="preview-inks" data-preview="/api/calibration/preview.png">
            Preview the current photo both ways
          </button>
          <div class="both">
            <figure class="glass">
              <img id="preview-catalogue" alt="The current photo in the catalogue's inks" hidden />
              <figcaption>The catalogue's inks</figcaption>
            </figure>
            <figure class="glass">
              <img id="preview-measured" alt="The current photo in the inks above" hidden />
              <figcaption>The inks above</figcaption>
            </figure>
          </div>
          <button type="submit" class="primary">Keep these inks</button>
        </form>
        <div class="controls">
          ${button(call, door, '/api/calibration/reset', "Reset to the catalogue's inks", back, 'danger')}
          ${now.saved ? html`<a href="/api/calibration/inks.json" download>Export the inks (JSON)</a>` : ''}
          <label for="inks-import">Import inks (JSON)</label
          ><input id="inks-import" type="file" accept="application/json,.json" data-import="/api/calibration/import" />
        </div>
      </section>`,
  );
}

export function calibrateScreenRoutes(): RouteSpec[] {
  return [{ method: 'GET', path: '/calibrate', access: 'signed-in', handler: calibrateScreen }];
}
