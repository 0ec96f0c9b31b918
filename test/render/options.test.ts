import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { DISPLAY_KEYS, RENDER_OPTION_RULES, resolveOptions } from '../../src/render/options.js';

const valid = { immich_url: 'http://127.0.0.1:2283', immich_api_key: 'k'.repeat(20) };

const bad: Record<(typeof DISPLAY_KEYS)[number], unknown> = {
  fit: 'stretch',
  background: 'mauve',
  crop: 'left',
  rotate: 45,
  dither: 'error-diffusion',
  saturation: 4,
  contrast: 0.1,
  brightness: 'bright',
};

describe('render options: one validator per option', () => {
  it('the config and the render stage refuse the same values in the same words', () => {
    for (const key of DISPLAY_KEYS) {
      const allowed = RENDER_OPTION_RULES[key].allowed;
      expect(() => parseConfig({ ...valid, [key]: bad[key] })).toThrow(allowed);
      expect(() => resolveOptions({ [key]: bad[key] } as never)).toThrow(ConfigError);
      expect(() => resolveOptions({ [key]: bad[key] } as never)).toThrow(`render option ${key} = `);
      expect(() => resolveOptions({ [key]: bad[key] } as never)).toThrow(allowed);
    }
  });

  it('a config that parses gives render options that resolve to the same values', () => {
    const config = parseConfig({ ...valid, background: 'black', rotate: 90, saturation: 1.5 });
    const o = resolveOptions(Object.fromEntries(DISPLAY_KEYS.map((k) => [k, config[k]])));
    expect(o).toMatchObject({ background: '#000000', rotate: 90, saturation: 1.5 });
  });

  it('resolved options pass through untouched, so a render checks them once', () => {
    const once = resolveOptions({ dither: 'atkinson' });
    expect(resolveOptions(once)).toBe(once);
    // The mark does not leak into what is printed or spread.
    expect(Object.keys(once)).not.toContain('__resolved');
    expect(JSON.stringify(once)).not.toContain('__resolved');
  });
});
