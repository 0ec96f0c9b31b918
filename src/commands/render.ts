// `render`: one photo through the render stage to the virtual panel's PNG (and, if asked, the
// packed frame buffer the panel would receive). Display keys come from the config when there is
// one; flags override them.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { findPanel } from '../../drivers/panels.js';
import { loadOptionalConfig } from '../config/config.js';
import { ConfigError, StorageError } from '../core/errors.js';
import { DITHER_ALGORITHMS, renderOptionsFromConfig } from '../render/options.js';
import type { RenderOptions } from '../render/options.js';
import { concretePanelId } from './auto-panel.js';
import { framePanel } from '../calibration/inks-file.js';
import { instancePaths } from '../library/instance.js';
import type { Command } from './command.js';

export const renderCommand: Command = {
  name: 'render',
  summary: 'render a photo for a panel: a PNG of what the glass will show, and the frame buffer',
  usage:
    'render PHOTO --out FILE.png [--panel ID] [--dither ALGO] [--fit contain|cover] [--rotate DEG] [--buffer FILE.bin]',
  options: [
    "--out FILE.png        the virtual panel: the frame in the inks' measured colours, as it hangs",
    "--panel ID            a panel id from `artframe-immich panels` or auto (default: the config's, else waveshare-7in3e)",
    `--dither ALGO         ${DITHER_ALGORITHMS.join(', ')}`,
    '--fit contain|cover   contain shows the whole photo on --background; cover fills and crops',
    '--crop centre|attention  where cover crops',
    '--background COLOUR   "#rrggbb", "#rgb", white or black',
    '--rotate DEG          0, 90, 180 or 270: how far the panel is turned clockwise as it hangs',
    '--saturation N, --contrast N, --brightness N   the colour boost (1 = unchanged)',
    '--exposure STOPS      light in linear light, -2 to 2 (0 = unchanged, 1 = twice the light)',
    "--palette measured|nominal   inks to match against: measured is this frame's own after `calibrate --save`, else the catalogue's (nominal: what the vendors' drivers assume)",
    '--buffer FILE.bin     also write the packed frame buffer, exactly the bytes the panel receives',
    '--json                print what was written as JSON',
  ],
  examples: [
    'artframe-immich render holiday.jpg --panel waveshare-7in3e --out frame.png',
    'artframe-immich render portrait.jpg --panel inky-impression-7in3 --rotate 90 --fit contain --out frame.png --buffer frame.bin',
  ],
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        panel: { type: 'string' },
        dither: { type: 'string' },
        fit: { type: 'string' },
        crop: { type: 'string' },
        background: { type: 'string' },
        rotate: { type: 'string' },
        saturation: { type: 'string' },
        contrast: { type: 'string' },
        brightness: { type: 'string' },
        exposure: { type: 'string' },
        palette: { type: 'string' },
        buffer: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new ConfigError('render takes one PHOTO (see artframe-immich render --help)');
    if (!values.out) throw new ConfigError('render needs --out FILE.png (see artframe-immich render --help)');
    const photo = positionals[0]!;

    // sharp loads only for this command, so the others start quickly.
    const { renderForPanel, resolveOptions } = await import('../render/pipeline.js');
    const { writeVirtualPanel } = await import('../../drivers/virtual-panel.js');
    // --panel says all render needs: a config this user may not read only loses its display keys.
    const fromConfig = await loadOptionalConfig({
      flag: ctx.configFlag,
      env: ctx.env,
      redactor: ctx.redactor,
      complete: values.panel ? { skipped: (why) => ctx.stderr(`note: ${why}\n`) } : undefined,
    });
    const catalogue = findPanel(concretePanelId(values.panel ?? fromConfig?.panel ?? 'waveshare-7in3e', ctx));
    // The frame's own inks when it has been calibrated (and the panel is the config's).
    const panel =
      fromConfig && (values.panel === undefined || values.panel === fromConfig.panel)
        ? await framePanel(catalogue, instancePaths(fromConfig), (m) => ctx.logger.warn(m))
        : catalogue;
    const flags: Partial<RenderOptions> = {
      dither: values.dither as RenderOptions['dither'] | undefined,
      fit: values.fit as RenderOptions['fit'] | undefined,
      crop: values.crop as RenderOptions['crop'] | undefined,
      background: values.background,
      rotate: numberFlag('rotate', values.rotate) as RenderOptions['rotate'] | undefined,
      saturation: numberFlag('saturation', values.saturation),
      contrast: numberFlag('contrast', values.contrast),
      brightness: numberFlag('brightness', values.brightness),
      exposure: numberFlag('exposure', values.exposure),
      palette: values.palette as RenderOptions['palette'] | undefined,
    };
    const options = resolveOptions({ ...(fromConfig ? renderOptionsFromConfig(fromConfig) : {}), ...defined(flags) });

    const started = performance.now();
    const frame = await renderForPanel(photo, panel, options);
    const ms = Math.round(performance.now() - started);
    await writeVirtualPanel(frame.buffer, panel, values.out, { rotate: frame.rotate });
    if (values.buffer) {
      try {
        await writeFile(values.buffer, frame.buffer);
      } catch (err) {
        throw new StorageError(
          `cannot write the frame buffer ${values.buffer}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        );
      }
    }
    if (values.json) {
      ctx.stdout(
        JSON.stringify(
          {
            photo,
            panel: panel.id,
            png: values.out,
            buffer: values.buffer ?? null,
            bytes: frame.buffer.length,
            options,
            ms,
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      ctx.stdout(`wrote ${values.out} (${panel.id}, ${frame.width}x${frame.height}, ${options.dither}, ${ms} ms)\n`);
      if (values.buffer) ctx.stdout(`wrote ${values.buffer} (${frame.buffer.length} bytes, ${panel.pixelFormat})\n`);
    }
    return 0;
  },
};

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n))
    throw new ConfigError(`--${name} ${JSON.stringify(value)} is not a number`);
  return n;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
