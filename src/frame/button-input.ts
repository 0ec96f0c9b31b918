// Where presses come from: GPIO buttons wired to GND (internal pull-up, so pressed reads low),
// debounced by buttons.ts; and, on a development machine, keys on the terminal.
import type { Gpio } from '../../drivers/gpio.js';
import {
  buttonLevel,
  buttonTick,
  DEFAULT_BUTTON_TIMING,
  initialButtonState,
  pressForKey,
  type ButtonTiming,
  type PressKind,
} from './buttons.js';

/** The input side of drivers/gpio.ts: what buttons need from the Pi's GPIO. */
export type GpioInputs = Pick<Gpio, 'openInput' | 'read' | 'watch' | 'close'>;

export type OnPress = (kind: PressKind, pin: number) => void;

/** Watch buttons on `pins`; returns a function that stops watching and releases the pins. */
export function watchGpioButtons(
  gpio: GpioInputs,
  pins: readonly number[],
  onPress: OnPress,
  timing: ButtonTiming = DEFAULT_BUTTON_TIMING,
  now: () => number = () => performance.now(),
): () => void {
  const stops = pins.map((pin) => {
    gpio.openInput(pin, 'up');
    let state = initialButtonState(now());
    let timer: NodeJS.Timeout | undefined;

    // Settle the debounced level, then wake again while something is still pending: the end of
    // the debounce window, or the long-press threshold of a held button.
    const tick = () => {
      timer = undefined;
      const t = now();
      const r = buttonTick(state, t, timing);
      state = r.state;
      if (r.press) onPress(r.press, pin);
      let wait: number | undefined;
      if (state.raw !== state.pressed) wait = state.rawSince + timing.debounceMs - t;
      else if (state.pressed && !state.longFired) wait = state.pressedAt + timing.longPressMs - t;
      if (wait !== undefined) timer = setTimeout(tick, Math.max(1, Math.ceil(wait)));
    };

    const unwatch = gpio.watch(pin, (level) => {
      state = buttonLevel(state, level === 0, now());
      if (timer) clearTimeout(timer);
      tick();
    });
    return () => {
      unwatch();
      if (timer) clearTimeout(timer);
      gpio.close(pin);
    };
  });
  return () => stops.forEach((stop) => stop());
}

/** Keys on a terminal stand in for buttons: n/space = next, s = sync, q = quit. */
export function watchKeys(
  input: NodeJS.ReadStream,
  onPress: (kind: PressKind) => void,
  onQuit: () => void,
): () => void {
  if (!input.isTTY) return () => {};
  input.setRawMode(true);
  input.setEncoding('utf8');
  const onData = (chunk: string) => {
    for (const key of chunk) {
      const action = pressForKey(key);
      if (action === 'quit') onQuit();
      else if (action) onPress(action);
    }
  };
  input.on('data', onData);
  input.resume();
  return () => {
    input.off('data', onData);
    input.setRawMode(false);
    input.pause();
  };
}
