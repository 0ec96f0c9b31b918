// Every panel against its vendor's own driver: for each panel and frame buffer of the recorded
// fixtures (test/fixtures/vendor-traces, see its README), the stream `show --transport
// trace:FILE` writes equals the vendor's trace record for record (pins, delays, BUSY reads,
// commands, data), but for the departures drivers/departures.ts lists, and only those.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPARTURES } from '../../drivers/departures.js';
import { HATS } from '../../drivers/hats.js';
import { findPanel, PANELS } from '../../drivers/panels.js';
import { driverFor, openPanel } from '../../drivers/registry.js';
import { SpiPanel } from '../../drivers/spi-panel.js';
import { TraceTransport } from '../../drivers/transports/trace.js';
import { createGlass } from '../emulator/glass.js';

const DIR = fileURLToPath(new URL('../fixtures/vendor-traces/', import.meta.url));

interface TraceEntry {
  buffer?: string;
  trace?: string;
  sha256?: string;
  commands?: string;
  same_as?: string;
  stored?: boolean;
  white_jsonl_with_data_lines?: Array<{ line: number; count: number; byte: string }>;
}
interface ManifestPanel {
  project_panel: string | null;
  suggested_panel_id?: string;
  file: string;
  traces: Record<string, TraceEntry>;
}
const manifest = JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as {
  panels: Record<string, ManifestPanel>;
};

const gunzip = (file: string) => gunzipSync(readFileSync(path.join(DIR, file)));
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * A trace as comparable lines: every record as its JSON, but a data run as its length, first
 * bytes and a hash, so a 960,000-byte run compares (and prints) cheaply.
 */
function summarise(text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    if (!line.startsWith('{"op":"data"')) return line;
    const { count, hex } = JSON.parse(line) as { count: number; hex: string };
    if (hex.length === 2 * count && /^(..)\1*$/.test(hex.slice(0, 64)) && hex === hex.slice(0, 2).repeat(count)) {
      return `data ${count} x${hex.slice(0, 2)}`;
    }
    return `data ${count} ${hex.slice(0, 16)}... sha1:${createHash('sha1').update(hex).digest('hex')}`;
  });
}

interface Difference {
  line: number;
  vendor: string;
  ours: string;
}

function differences(vendor: string[], ours: string[]): Difference[] {
  const out: Difference[] = [];
  for (let i = 0; i < Math.max(vendor.length, ours.length); i++) {
    if (vendor[i] !== ours[i]) out.push({ line: i + 1, vendor: vendor[i] ?? '(end)', ours: ours[i] ?? '(end)' });
  }
  return out;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vendor-traces-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** What our real trace path writes for one update: openPanel(trace:FILE), show or clear, close. */
async function ourTrace(panelId: string, action: { show: Uint8Array } | 'clear', name: string): Promise<string> {
  const file = path.join(tmp, `${panelId}-${name}.jsonl`);
  const panel = await openPanel(findPanel(panelId), `trace:${file}`);
  await (action === 'clear' ? panel.clear() : panel.show(action.show));
  await panel.close();
  const text = await readFile(file, 'utf8');
  // The vendors' code has no close step (fixtures README, "Trace format"): ours ends with one.
  const close = '{"op":"close"}\n';
  expect(text.endsWith(close)).toBe(true);
  return text.slice(0, -close.length);
}

/** The vendor's clear trace: the white one, or (13.3" (E)) the white one with its data lines replaced. */
function vendorClear(dir: ManifestPanel, entry: TraceEntry): string {
  const white = gunzip(dir.traces.white!.trace!).toString('utf8');
  if (entry.same_as === 'white') return white;
  const lines = white.split('\n');
  for (const r of entry.white_jsonl_with_data_lines!) {
    lines[r.line - 1] = JSON.stringify({ op: 'data', count: r.count, hex: r.byte.repeat(r.count) });
  }
  const text = lines.join('\n');
  expect(sha256(text)).toBe(entry.sha256);
  return text;
}

const cases = Object.entries(manifest.panels).map(
  ([dir, p]) => [p.project_panel ?? p.suggested_panel_id!, dir, p] as const,
);

describe('the fixtures', () => {
  it('cover twelve panels, all in the catalogue, and every catalogue panel has fixtures', () => {
    expect(cases).toHaveLength(12);
    expect(cases.map(([id]) => id).sort()).toEqual(PANELS.map((p) => p.id).sort());
  });
});

describe.each(cases)('%s against %s', (panelId, _dir, p) => {
  const buffers = Object.entries(p.traces).filter(([, t]) => t.buffer !== undefined);

  it.each(buffers.map(([name, t]) => [name, t] as const))('show(%s) writes the vendor trace', async (name, t) => {
    const vendorText = gunzip(t.trace!);
    expect(sha256(vendorText)).toBe(t.sha256);
    const ours = summarise(await ourTrace(panelId, { show: gunzip(t.buffer!) }, name));
    const vendor = summarise(vendorText.toString('utf8'));
    const allowed = DEPARTURES.filter((d) => d.panel === panelId && d.trace === name).map(({ line, vendor, ours }) => ({
      line,
      vendor,
      ours,
    }));
    expect(differences(vendor, ours)).toEqual(allowed);
  });

  const clear = p.traces.clear;
  if (clear) {
    it('clear() writes the vendor Clear() trace', async () => {
      const ours = summarise(await ourTrace(panelId, 'clear', 'clear'));
      const vendor = summarise(vendorClear(p, clear));
      const allowed = DEPARTURES.filter((d) => d.panel === panelId && d.trace === 'clear').map(
        ({ line, vendor, ours }) => ({ line, vendor, ours }),
      );
      expect(differences(vendor, ours)).toEqual(allowed);
    });
  }
});

describe('the departures list', () => {
  it('names only panels and sequences the fixtures have, each with its evidence', () => {
    for (const d of DEPARTURES) {
      const entry = cases.find(([id]) => id === d.panel);
      expect(entry, d.panel).toBeDefined();
      expect(Object.keys(entry![2].traces)).toContain(d.trace);
      expect(d.evidence).toMatch(/:\d+/);
    }
  });
});

describe('timing-dependent bytes: the 7.5" V2 GET_STATUS polls', () => {
  // ReadBusy sends 0x71 before every BUSY sample (epd7in5_V2.py:85-93): a real panel sees one
  // per poll while busy; the fixtures hold one per wait (README, "Caveats"). The rule: drop every
  // poll that found the panel busy (0x71 with its framing, the busy read, the pause); what is
  // left must be the vendor trace.
  it('with a live BUSY line the stream is the vendor trace plus busy polls, and nothing else', async () => {
    const profile = findPanel('waveshare-7in5-v2');
    const driver = driverFor(profile);
    const pins = HATS[driver.hat].pins;
    const glass = createGlass(driver.name, pins);
    const lines: string[] = [];
    const t = new TraceTransport((l) => void lines.push(l), pins, { inner: glass });
    const entry = manifest.panels['waveshare-epd7in5_V2']!.traces.random!;
    await new SpiPanel(driver, t, pins).show(gunzip(entry.buffer!));
    const records = lines.map((l) => JSON.parse(l) as { op: string; byte?: string; level?: number });
    const kept: string[] = [];
    let busyPolls = 0;
    for (let i = 0; i < records.length; i++) {
      const group = records.slice(i, i + 6);
      const isBusyPoll =
        group[2]?.op === 'command' &&
        group[2].byte === '71' &&
        group[4]?.op === 'read' &&
        group[4].level === driver.busyLevel &&
        group[5]?.op === 'delay';
      if (isBusyPoll) {
        busyPolls++;
        i += 5;
        continue;
      }
      kept.push(lines[i]!);
    }
    expect(busyPolls).toBeGreaterThan(0);
    expect(differences(summarise(gunzip(entry.trace!).toString('utf8')), summarise(kept.join('\n')))).toEqual([]);
  });
});
