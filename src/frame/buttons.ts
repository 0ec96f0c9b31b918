// What a press means: raw pin levels in, debounced `short` and `long` presses out. Pure; the
// GPIO source (rpio) and the TTY keys that stand in for buttons in development feed it.

export type PressKind = 'short' | 'long';

export interface ButtonTiming {
  /** A level must hold this long to count (contact bounce on cheap tactile switches is ~5-20 ms). */
  debounceMs: number;
  /** Held this long, a press is a long press; it fires while still held, not on release. */
  longPressMs: number;
}

export const DEFAULT_BUTTON_TIMING: ButtonTiming = { debounceMs: 30, longPressMs: 2000 };

export interface ButtonState {
  /** The debounced level. */
  pressed: boolean;
  /** The raw level last seen and since when, to decide when it has settled. */
  raw: boolean;
  rawSince: number;
  /** When the debounced press began, and whether its long press already fired. */
  pressedAt: number;
  longFired: boolean;
}

export function initialButtonState(now = 0): ButtonState {
  return { pressed: false, raw: false, rawSince: now, pressedAt: 0, longFired: false };
}

/** Feed a raw level (true = pressed) seen at time `t`. */
export function buttonLevel(state: ButtonState, pressed: boolean, t: number): ButtonState {
  if (pressed === state.raw) return state;
  return { ...state, raw: pressed, rawSince: t };
}

/**
 * Advance to time `t`: settle the raw level into the debounced one and report a press that
 * completed (short, on release) or crossed the long-press threshold (long, while held).
 */
export function buttonTick(
  state: ButtonState,
  t: number,
  timing: ButtonTiming = DEFAULT_BUTTON_TIMING,
): { state: ButtonState; press: PressKind | null } {
  let s = state;
  let press: PressKind | null = null;
  if (s.raw !== s.pressed && t - s.rawSince >= timing.debounceMs) {
    if (s.raw) {
      s = { ...s, pressed: true, pressedAt: s.rawSince, longFired: false };
    } else {
      if (!s.longFired) press = 'short';
      s = { ...s, pressed: false };
    }
  }
  if (s.pressed && !s.longFired && t - s.pressedAt >= timing.longPressMs) {
    s = { ...s, longFired: true };
    press = 'long';
  }
  return { state: s, press };
}

/** Keys that stand in for the buttons on a development machine's terminal. */
export function pressForKey(key: string): PressKind | 'quit' | null {
  switch (key) {
    case 'n':
    case ' ':
    case '\r':
      return 'short';
    case 's':
    case 'S':
      return 'long';
    case 'q':
    case '\u0003': // Ctrl-C in raw mode
      return 'quit';
    default:
      return null;
  }
}
