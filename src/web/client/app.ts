// The page's script: progressive enhancement of the server-rendered screens. Forms marked
// data-api are sent with fetch (the CSRF token in a header) and their outcome is said in the
// status line; the Now screen follows the frame's events; Settings and Library preview what an
// edit would do before it is saved. Without this script every screen still works by form posts.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />

const csrf = (): string => document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
const $ = <T extends HTMLElement>(sel: string): T | null => document.querySelector<T>(sel);

function say(text: string, bad = false): void {
  const out = $('#outcome');
  if (!out) return;
  out.textContent = text;
  out.className = bad ? 'bad' : 'good';
}

/** A form's fields as strings, the way a form post sends them (the server converts both alike). */
function fieldsOf(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string') out[k] = v;
  return out;
}

async function send(url: string, body: Record<string, string>, method = 'POST'): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
}

async function messageOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { message?: string; error?: { message?: string } };
  return body.error?.message ?? body.message ?? `${res.status}`;
}

/** The config's one-line messages under the fields they name ("config: KEY = ... is not allowed; ..."). */
function showProblems(form: HTMLFormElement, text: string | null): void {
  for (const p of form.querySelectorAll<HTMLElement>('.err')) p.textContent = '';
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  if (!text) return;
  for (const line of text.split('\n')) {
    const key = /^[^:]*: (?:unknown key ")?([a-z_]+)/.exec(line)?.[1];
    const slot = key ? form.querySelector<HTMLElement>(`#err-${key}`) : null;
    if (slot) {
      slot.textContent = line;
      form.querySelector(`[name="${key}"]:not([type=hidden])`)?.setAttribute('aria-invalid', 'true');
    }
  }
}

function enhanceForms(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-api]')) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const button = form.querySelector('button[type=submit]');
      button?.setAttribute('aria-busy', 'true');
      void send(form.action, fieldsOf(form))
        .then(async (res) => {
          const text = await messageOf(res);
          say(text, !res.ok);
          showProblems(form, res.ok ? null : text);
          if (res.ok && form.dataset.then) location.assign(form.dataset.then);
          else if (res.ok && /\/photos\/[^/]+\/(hide|unhide)$/.test(form.action) && location.pathname === '/library')
            location.reload();
        })
        .catch(() => say('the frame did not answer', true))
        .finally(() => button?.removeAttribute('aria-busy'));
    });
  }
}

/** The Now screen: a new frame on the glass replaces the picture and its facts; sync progress live. */
function followFrame(): void {
  const now = $('.now');
  if (!now) return;
  const events = new EventSource('/api/events');
  events.addEventListener('refreshed', (e) => {
    const { frame } = JSON.parse((e as MessageEvent<string>).data) as { frame: { seq: number } };
    const img = $<HTMLImageElement>('#glass');
    if (img) img.src = `/api/frame.png?seq=${frame.seq}`;
    now.dataset.seq = String(frame.seq);
    void fetch('/', { credentials: 'same-origin' })
      .then((r) => r.text())
      .then((text) => {
        const fresh = new DOMParser().parseFromString(text, 'text/html').querySelector('#now-facts');
        const here = $('#now-facts');
        if (fresh && here) here.replaceWith(fresh);
      });
  });
  const progress = $<HTMLProgressElement>('#sync-progress');
  const words = $('#sync-words');
  const show = (text: string, done?: number, total?: number) => {
    if (words) words.textContent = text;
    if (progress && total !== undefined) {
      progress.max = Math.max(1, total);
      progress.value = done ?? 0;
    }
  };
  events.addEventListener('sync-started', () => show('starting', 0, 1));
  events.addEventListener('sync-progress', (e) => {
    const p = JSON.parse((e as MessageEvent<string>).data) as { phase: string; done: number; total: number };
    show(p.phase === 'download' ? `downloading ${p.done} of ${p.total}` : p.phase, p.done, p.total);
  });
  events.addEventListener('sync-finished', (e) => {
    const p = JSON.parse((e as MessageEvent<string>).data) as { ok: boolean; summary: string };
    show(`${p.ok ? 'done' : 'failed'}: ${p.summary}`, 1, 1);
  });
}

function debounce(fn: () => void, ms = 300): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

/** Library: how many photos the edited filters let through, and which, before saving. */
function previewFilters(): void {
  const form = $<HTMLFormElement>('#filters');
  if (!form) return;
  const update = debounce(() => {
    void send(form.dataset.preview!, fieldsOf(form)).then(async (res) => {
      const count = $('#filter-count');
      const list = $('#filter-matches');
      if (!res.ok) {
        const text = await messageOf(res);
        showProblems(form, text);
        if (count) count.textContent = text;
        return;
      }
      showProblems(form, null);
      const p = (await res.json()) as { matching: number; total: number; photos: string[]; filters: string[] };
      if (count)
        count.textContent = `${p.matching} of ${p.total} photos would match${p.filters.length ? ` (${p.filters.join('; ')})` : ''}.`;
      if (list)
        list.replaceChildren(
          ...p.photos.map((id) => {
            const li = document.createElement('li');
            const img = document.createElement('img');
            img.src = `/api/photos/${encodeURIComponent(id)}/thumbnail`;
            img.alt = `photo ${id}`;
            img.width = img.height = 80;
            img.loading = 'lazy';
            li.append(img);
            return li;
          }),
        );
    });
  });
  form.addEventListener('input', update);
  form.addEventListener('change', update);
}

/** Settings: each edit checked by the config's own rule; the schedule's next times; connect; preview. */
function enhanceSettings(): void {
  const form = $<HTMLFormElement>('#settings');
  if (!form) return;
  const check = debounce(() => {
    void send(form.dataset.check!, fieldsOf(form)).then(async (res) =>
      showProblems(form, res.ok ? null : await messageOf(res)),
    );
    const list = $<HTMLOListElement>('#schedule-next');
    if (list)
      void send(list.dataset.preview!, fieldsOf(form)).then(async (res) => {
        if (!res.ok) return;
        const { next } = (await res.json()) as { next: string[] };
        list.replaceChildren(
          ...next.map((t) => {
            const li = document.createElement('li');
            li.textContent = new Date(t).toLocaleString();
            return li;
          }),
        );
      });
  });
  form.addEventListener('input', check);
  form.addEventListener('change', check);

  const connect = $<HTMLButtonElement>('#connect');
  connect?.addEventListener('click', () => {
    connect.setAttribute('aria-busy', 'true');
    void send(connect.dataset.connect!, fieldsOf(form))
      .then(async (res) => {
        const pickers = $('#pickers');
        if (!res.ok) return say(await messageOf(res), true);
        const lists = (await res.json()) as {
          message: string;
          albums: { id: string; name: string; photos: number | null }[];
          people: { id: string; name: string }[];
        };
        say(lists.message);
        pickers?.replaceChildren(
          picker(
            'Albums',
            lists.albums.map((a) => [a.id, `${a.name}${a.photos === null ? '' : ` (${a.photos})`}`]),
            'album_ids',
            form,
          ),
          picker(
            'People',
            lists.people.map((p) => [p.name, p.name]),
            'people',
            form,
          ),
        );
      })
      .finally(() => connect.removeAttribute('aria-busy'));
  });

  const preview = $<HTMLButtonElement>('#preview-frame');
  preview?.addEventListener('click', () => {
    preview.setAttribute('aria-busy', 'true');
    void send(preview.dataset.preview!, fieldsOf(form))
      .then(async (res) => {
        if (!res.ok) return say(await messageOf(res), true);
        const img = $<HTMLImageElement>('#preview');
        if (!img) return;
        await showImage(img, res);
        say('preview ready: nothing was saved');
      })
      .finally(() => preview.removeAttribute('aria-busy'));
  });
}

/** A list of checkboxes that fills a list field (album_ids, people) with what is ticked. */
function picker(title: string, items: [string, string][], key: string, form: HTMLFormElement): HTMLElement {
  const set = document.createElement('fieldset');
  const legend = document.createElement('legend');
  legend.textContent = `${title} on the server: tick to choose`;
  set.append(legend);
  const input = form.querySelector<HTMLInputElement>(`[name="${key}"]`);
  const chosen = new Set(
    (input?.value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  for (const [value, label] of items) {
    const l = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = value;
    box.checked = chosen.has(value);
    box.addEventListener('change', () => {
      if (box.checked) chosen.add(value);
      else chosen.delete(value);
      if (input) {
        input.value = [...chosen].join(', ');
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
    });
    l.append(box, ` ${label}`);
    set.append(l);
  }
  return set;
}

/** Health: the log at another level without leaving the screen. */
function enhanceLog(): void {
  const select = $<HTMLSelectElement>('#level');
  const log = $('#log');
  if (!select || !log) return;
  select.addEventListener('change', () => {
    void fetch(`/api/logs?level=${encodeURIComponent(select.value)}&limit=300`, { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<{ lines: { level: string; line: string }[] }>)
      .then(({ lines }) => {
        log.replaceChildren(
          ...lines.map((l) => {
            const li = document.createElement('li');
            li.className = l.level;
            li.textContent = l.line;
            return li;
          }),
        );
        log.dataset.level = select.value;
      });
  });
}

/** An image answer into an <img>, the old one's memory given back; counts the pictures shown. */
async function showImage(img: HTMLImageElement, res: Response): Promise<void> {
  if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(await res.blob());
  img.hidden = false;
  img.dataset.shown = String(Number(img.dataset.shown ?? 0) + 1);
}

/** Picture controls (Settings' Look, Calibrate's Picture): each edit drawn on the current photo by
 * the frame's render, a moment after the last keystroke, before anything is saved. */
function livePreview(): void {
  for (const area of document.querySelectorAll<HTMLElement>('[data-live-preview]')) {
    const form = area.closest('form');
    const img = form?.querySelector<HTMLImageElement>('img[data-preview-img]');
    if (!form || !img) continue;
    let asked = 0;
    const update = debounce(() => {
      const mine = ++asked;
      void send(area.dataset.livePreview!, fieldsOf(form)).then(async (res) => {
        // An answer overtaken by a newer edit is dropped.
        if (mine !== asked) return;
        if (!res.ok) return showProblems(form, await messageOf(res));
        showProblems(form, null);
        await showImage(img, res);
      });
    }, 400);
    const onEdit = (e: Event) => {
      if (e.target instanceof Element && area.contains(e.target)) update();
    };
    form.addEventListener('input', onEdit);
    form.addEventListener('change', onEdit);
    if (area === form) update();
  }
}

const SVG_PATCH = (hex: string) =>
  `data:image/svg+xml,${encodeURIComponent(`<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'><rect width='1' height='1' fill='${hex}'/></svg>`)}`;

interface InkRow {
  name: string;
  hex: string;
  delta_e2000: number;
}

/** Calibrate: the swatch photo measured, the inks compared and previewed both ways, kept or imported. */
function enhanceCalibrate(): void {
  const upload = $<HTMLFormElement>('#swatch-upload');
  const inks = $<HTMLFormElement>('#inks');
  if (!upload || !inks) return;
  const source = $<HTMLInputElement>('#inks-source')!;
  const outcome = $('#measure-outcome')!;
  const previewButton = $<HTMLButtonElement>('#preview-inks')!;

  const previewBoth = async () => {
    previewButton.setAttribute('aria-busy', 'true');
    try {
      const token = { _csrf: csrf() };
      const catalogue = await send(previewButton.dataset.preview!, token);
      if (!catalogue.ok) return say(await messageOf(catalogue), true);
      await showImage($<HTMLImageElement>('#preview-catalogue')!, catalogue);
      const measured = await send(previewButton.dataset.preview!, fieldsOf(inks));
      if (!measured.ok) return say(await messageOf(measured), true);
      await showImage($<HTMLImageElement>('#preview-measured')!, measured);
      say('previews ready: nothing was kept');
    } finally {
      previewButton.removeAttribute('aria-busy');
    }
  };
  previewButton.addEventListener('click', () => void previewBoth());

  for (const input of inks.querySelectorAll<HTMLInputElement>('input[name^="ink_"]')) {
    input.addEventListener('input', () => {
      source.value = 'hand';
      const ok = /^#?[0-9a-f]{6}$/i.test(input.value.trim());
      input.toggleAttribute('aria-invalid', !ok);
      const patch = $<HTMLImageElement>(`#patch-${input.name.slice(4)}`);
      if (ok && patch) patch.src = SVG_PATCH('#' + input.value.trim().replace(/^#/, ''));
    });
  }

  upload.addEventListener('submit', (e) => {
    e.preventDefault();
    const file = $<HTMLInputElement>('#swatch-photo')?.files?.[0];
    if (!file) return say('choose or take a photo of the swatch first', true);
    const button = upload.querySelector('button[type=submit]');
    button?.setAttribute('aria-busy', 'true');
    outcome.textContent = 'reading the photo…';
    void fetch(upload.dataset.upload!, {
      method: 'POST',
      headers: { 'content-type': file.type || 'application/octet-stream', 'x-csrf-token': csrf() },
      body: file,
      credentials: 'same-origin',
    })
      .then(async (res) => {
        const body = (await res.json().catch(() => ({}))) as {
          inks?: InkRow[];
          message?: string;
          error?: { message?: string; reason?: string };
        };
        if (!res.ok || !body.inks) {
          const text = body.error?.reason
            ? `refused (${body.error.reason}): ${body.error.message}`
            : (body.error?.message ?? `${res.status}`);
          outcome.textContent = text;
          outcome.className = 'bad';
          return say(text, true);
        }
        for (const ink of body.inks) {
          const input = inks.querySelector<HTMLInputElement>(`input[name="ink_${ink.name}"]`);
          if (input) {
            input.value = ink.hex;
            input.removeAttribute('aria-invalid');
          }
          const patch = $<HTMLImageElement>(`#patch-${ink.name}`);
          if (patch) patch.src = SVG_PATCH(ink.hex);
          const de = $(`#de-${ink.name}`);
          if (de) de.textContent = ink.delta_e2000.toFixed(1);
        }
        source.value = 'photo';
        outcome.textContent = body.message ?? 'inks measured';
        outcome.className = 'good';
        say(body.message ?? 'inks measured');
        await previewBoth();
      })
      .catch(() => say('the frame did not answer', true))
      .finally(() => button?.removeAttribute('aria-busy'));
  });

  const importer = $<HTMLInputElement>('#inks-import');
  importer?.addEventListener('change', () => {
    const file = importer.files?.[0];
    if (!file) return;
    void file.text().then(async (text) => {
      let json: Record<string, string>;
      try {
        json = JSON.parse(text) as Record<string, string>;
      } catch {
        return say(`${file.name} is not JSON`, true);
      }
      const res = await send(importer.dataset.import!, json);
      say(await messageOf(res), !res.ok);
      if (res.ok) location.assign(`/calibrate?msg=${encodeURIComponent('imported ' + file.name)}`);
    });
  });
}

enhanceForms();
followFrame();
previewFilters();
enhanceSettings();
livePreview();
enhanceCalibrate();
enhanceLog();
