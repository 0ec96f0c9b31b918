import { describe, expect, it } from 'vitest';
import { buttonLevel, buttonTick, initialButtonState, pressForKey, type PressKind } from '../../src/frame/buttons.js';

/** Play a script of (time, level) edges, ticking every millisecond, and collect the presses. */
function play(edges: Array<[number, boolean]>, until: number): Array<[number, PressKind]> {
  let s = initialButtonState();
  const out: Array<[number, PressKind]> = [];
  let e = 0;
  for (let t = 0; t <= until; t++) {
    while (e < edges.length && edges[e]![0] === t) s = buttonLevel(s, edges[e++]![1], t);
    const r = buttonTick(s, t);
    s = r.state;
    if (r.press) out.push([t, r.press]);
  }
  return out;
}

describe('buttons', () => {
  it('a clean short press fires once, on release', () => {
    expect(
      play(
        [
          [100, true],
          [300, false],
        ],
        1000,
      ),
    ).toEqual([[330, 'short']]);
  });

  it('contact bounce does not make extra presses', () => {
    const bouncy: Array<[number, boolean]> = [
      [100, true],
      [102, false],
      [104, true],
      [107, false],
      [109, true],
      [400, false],
      [403, true],
      [405, false],
    ];
    expect(play(bouncy, 1000)).toEqual([[435, 'short']]);
  });

  it('a glitch shorter than the debounce time is no press', () => {
    expect(
      play(
        [
          [100, true],
          [110, false],
        ],
        1000,
      ),
    ).toEqual([]);
  });

  it('holding 2 s fires a long press while held, and no short press on release', () => {
    expect(
      play(
        [
          [100, true],
          [3000, false],
        ],
        4000,
      ),
    ).toEqual([[2100, 'long']]);
  });

  it('two presses in a row are two presses', () => {
    expect(
      play(
        [
          [100, true],
          [200, false],
          [400, true],
          [500, false],
        ],
        1000,
      ),
    ).toEqual([
      [230, 'short'],
      [530, 'short'],
    ]);
  });

  it('keys stand in for the buttons on a terminal', () => {
    expect(pressForKey('n')).toBe('short');
    expect(pressForKey('s')).toBe('long');
    expect(pressForKey('q')).toBe('quit');
    expect(pressForKey('x')).toBeNull();
  });
});
