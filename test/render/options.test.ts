import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';
import {
  DISPLAY_KEYS,
  FRAME_CONFIG_KEYS,
  FRAME_OPTION_RULES,
  RENDER_OPTION_RULES,
  frameOptionsFromConfig,
  resolveFrameOptions,
  resolveOptions,
} from '../../src/render/options.js';

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
  exposure: -2.5,
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

describe('frame options: one validator per option', () => {
  const badFrame: Record<keyof typeof FRAME_CONFIG_KEYS, unknown> = {
    caption: ['date', 'weather'],
    captionPosition: 'middle',
    locale: 'not a locale!',
    timeZone: 'Mars/Olympus_Mons',
    portraitPairs: 'yes',
  };

  it('the config and the render stage refuse the same values in the same words', () => {
    for (const key of Object.keys(FRAME_CONFIG_KEYS) as (keyof typeof FRAME_CONFIG_KEYS)[]) {
      const allowed = FRAME_OPTION_RULES[key].allowed;
      const configKey = FRAME_CONFIG_KEYS[key];
      expect(() => parseConfig({ ...valid, [configKey]: badFrame[key] })).toThrow(
        `${configKey} = ${JSON.stringify(badFrame[key])} is not allowed; expected ${allowed}`,
      );
      expect(() => resolveFrameOptions({ [key]: badFrame[key] } as never)).toThrow(ConfigError);
      expect(() => resolveFrameOptions({ [key]: badFrame[key] } as never)).toThrow(`frame option ${key} = `);
      expect(() => resolveFrameOptions({ [key]: badFrame[key] } as never)).toThrow(allowed);
    }
  });

  it('defaults: no caption, automatic corner, the system locale and zone, portrait pairs on', () => {
    const config = parseConfig(valid);
    expect(frameOptionsFromConfig(config)).toEqual({
      caption: [],
      captionPosition: 'auto',
      locale: '',
      timeZone: '',
      portraitPairs: true,
    });
  });

  it('caption: true is the date and place; a list keeps its fields in the caption order', () => {
    expect(parseConfig({ ...valid, caption: true }).caption).toEqual(['date', 'place']);
    expect(parseConfig({ ...valid, caption: false }).caption).toEqual([]);
    const c = parseConfig({
      ...valid,
      caption: ['place', 'years_ago', 'place'],
      caption_position: 'top-right',
      locale: 'fr-FR',
      timezone: 'Europe/Paris',
      portrait_pairs: false,
    });
    expect(frameOptionsFromConfig(c)).toEqual({
      caption: ['years_ago', 'place'],
      captionPosition: 'top-right',
      locale: 'fr-FR',
      timeZone: 'Europe/Paris',
      portraitPairs: false,
    });
    expect(resolveFrameOptions(frameOptionsFromConfig(c))).toEqual(frameOptionsFromConfig(c));
  });
});
