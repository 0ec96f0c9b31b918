// `calibrate`: this frame's own inks. The swatch to photograph (as a PNG, or on the glass), a
// photo of it read into inks (or refused with the reason), and the inks kept, exported, imported
// or reset. The reading itself is src/calibration/; this is its command line.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { findPanel, type PanelProfile } from '../../drivers/panels.js';
import { inksFile, parseInksFile, readInksFile, resetInks, saveInksFile } from '../calibration/inks-file.js';
import type { FrameConfig } from '../config/config.js';
import { CalibrationRefusedError, ConfigError, StorageError } from '../core/errors.js';
import { writeFileAtomic } from '../library/atomic-file.js';
import { instancePaths } from '../library/instance.js';
import { RENDER_OPTION_RULES, type Rotation } from '../render/options.js';
import { concretePanelId } from './auto-panel.js';
import type { Command, CommandContext } from './command.js';
import { optionalConfig, PANEL_TARGET_HELP, PANEL_TARGET_OPTIONS, panelTarget } from './panel-target.js';

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: "measure this frame's own inks from a phone photo of its calibration swatch",
  usage: [
    'calibrate --swatch FILE.png [--panel ID] [--rotate DEG]',
    'calibrate --show [--panel ID] [--transport T] [--dry-run]',
    'calibrate PHOTO [--json] [--save]',
    'calibrate --export FILE.json | --import FILE.json | --reset',
  ].join('\n       artframe-immich '),
  options: [
    "--swatch FILE.png     write the swatch as the glass shows it (the catalogue's inks, the panel's resolution)",
    '--show                put the swatch on the glass, to photograph it',
    'PHOTO                 a photo of the frame showing its swatch, a sheet of white paper beside it in the same light',
    '--json                the inks found (sRGB and CIELAB), or why the photo was refused, as JSON',
    '--save                keep the inks for this frame: every render from then on uses them',
    "--export FILE.json    write this frame's inks to a file; --import FILE.json keeps a file's inks",
    "--reset               back to the catalogue's inks",
    "--rotate DEG          how the frame hangs (default: the config's rotate)",
    ...PANEL_TARGET_HELP,
  ],
  examples: [
    'artframe-immich calibrate --show',
    'artframe-immich calibrate swatch-photo.jpg --save',
    'artframe-immich calibrate --swatch swatch.png --panel waveshare-7in3e',
    'artframe-immich calibrate --export my-frame-inks.json',
  ],
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: {
        ...PANEL_TARGET_OPTIONS,
        swatch: { type: 'string' },
        show: { type: 'boolean' },
        json: { type: 'boolean' },
        save: { type: 'boolean' },
        export: { type: 'string' },
        import: { type: 'string' },
        reset: { type: 'boolean' },
        rotate: { type: 'string' },
      },
    });
    const actions = [
      positionals.length > 0,
      values.swatch !== undefined,
      values.show,
      values.export !== undefined,
      values.import !== undefined,
      values.reset,
    ].filter(Boolean).length;
    if (actions !== 1 || positionals.length > 1) {
      throw new ConfigError(
        'calibrate takes one of: PHOTO, --swatch FILE.png, --show, --export FILE, --import FILE, --reset (see artframe-immich calibrate --help)',
      );
    }
    const config = await optionalConfig(ctx);
    const rotate = rotation(values.rotate, config);

    if (values.show) {
      const target = panelTarget(ctx, values, config);
      const { drawSwatch } = await import('../calibration/swatch.js');
      const panel = await target.open({ rotate });
      try {
        await panel.show(drawSwatch(target.profile, rotate).buffer);
      } finally {
        await panel.close();
      }
      const line = `the ${target.profile.id} shows its calibration swatch: photograph it with a sheet of white paper beside it`;
      if (target.transport === 'dry-run') ctx.logger.info(line);
      else ctx.stdout(line + '\n');
      return 0;
    }

    const panel = findPanel(concretePanelId(values.panel ?? config?.panel ?? 'waveshare-7in3e', ctx));
    if (values.swatch !== undefined) {
      const { drawSwatch } = await import('../calibration/swatch.js');
      const { writeVirtualPanel } = await import('../../drivers/virtual-panel.js');
      await writeVirtualPanel(drawSwatch(panel, rotate).buffer, panel, values.swatch, { rotate });
      ctx.stdout(`wrote ${values.swatch} (the ${panel.id}'s calibration swatch, ${panel.width}x${panel.height})\n`);
      return 0;
    }

    if (positionals.length === 1) return measure(ctx, positionals[0]!, panel, rotate, config, values);

    const paths = instancePaths(needConfig(config, values.reset ? '--reset' : values.export ? '--export' : '--import'));
    if (values.reset) {
      const had = await resetInks(paths);
      ctx.stdout(had ? "back to the catalogue's inks\n" : "this frame already uses the catalogue's inks\n");
      return 0;
    }
    if (values.export !== undefined) {
      const file = await readInksFile(paths, panel);
      if (!file) throw new ConfigError('this frame has no inks of its own to export: calibrate PHOTO --save first');
      try {
        await writeFileAtomic(values.export, JSON.stringify(file, null, 2) + '\n');
      } catch (err) {
        throw new StorageError(`cannot write ${values.export}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      ctx.stdout(`wrote ${values.export} (the ${panel.id}'s inks, measured ${file.measured_at})\n`);
      return 0;
    }
    const from = values.import!;
    let text: string;
    try {
      text = await readFile(from, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read ${from}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConfigError(`${from} is not JSON`);
    }
    const file = parseInksFile(json, panel, from);
    await saveInksFile(paths, { ...file, source: 'import' });
    ctx.stdout(`kept the inks of ${from} for this frame: every render from now on uses them\n`);
    return 0;
  },
};

function needConfig(config: FrameConfig | undefined, flag: string): FrameConfig {
  if (!config)
    throw new ConfigError(
      `${flag} works on this frame's inks, kept beside its library: it needs a config (--config FILE)`,
    );
  return config;
}

function rotation(flag: string | undefined, config: FrameConfig | undefined): Rotation {
  if (flag === undefined) return config?.rotate ?? 0;
  const parsed = RENDER_OPTION_RULES.rotate.schema.safeParse(Number(flag));
  if (!parsed.success)
    throw new ConfigError(`--rotate ${flag} is not allowed; expected ${RENDER_OPTION_RULES.rotate.allowed}`);
  return parsed.data;
}

async function measure(
  ctx: CommandContext,
  photo: string,
  panel: PanelProfile,
  rotate: Rotation,
  config: FrameConfig | undefined,
  flags: { json?: boolean; save?: boolean },
): Promise<number> {
  const paths = flags.save ? instancePaths(needConfig(config, '--save')) : undefined;
  // sharp loads only for this, so the other commands start quickly.
  const { readSwatchPhoto } = await import('../calibration/photo.js');
  const result = await readSwatchPhoto(photo, panel, rotate);
  if (!result.ok) {
    if (flags.json) {
      ctx.stdout(
        JSON.stringify(
          { photo, panel: panel.id, refused: { reason: result.reason, message: result.message } },
          null,
          2,
        ) + '\n',
      );
      return new CalibrationRefusedError(result.message, result.reason).exitCode;
    }
    throw new CalibrationRefusedError(`cannot calibrate from ${photo}: ${result.message}`, result.reason);
  }
  let saved: string | null = null;
  if (paths) {
    await saveInksFile(paths, inksFile(panel, result.inks, 'photo'));
    saved = paths.calibratedInksPath;
  }
  const { inkReport } = await import('../calibration/ink-report.js');
  const rows = inkReport(panel, result.inks);
  if (flags.json) {
    ctx.stdout(JSON.stringify({ photo, panel: panel.id, paper: result.paper, inks: rows, saved }, null, 2) + '\n');
    return 0;
  }
  ctx.stdout(`the ${panel.id}'s inks in ${photo} (sRGB against white paper; CIELAB; ΔE2000 from the catalogue's):\n`);
  for (const r of rows) {
    ctx.stdout(
      `  ${r.name.padEnd(7)} ${r.hex}  rgb ${r.rgb.map((v) => String(v).padStart(3)).join(' ')}  Lab ${r.lab.map((v) => v.toFixed(1).padStart(6)).join(' ')}  ΔE ${r.delta_e2000.toFixed(1)}\n`,
    );
  }
  ctx.stdout(
    saved
      ? `kept for this frame in ${saved}: every render from now on uses them\n`
      : 'not kept: add --save to use them for this frame\n',
  );
  return 0;
}
