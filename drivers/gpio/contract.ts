// What a GPIO backend does for the panel transport and the buttons: both backends (gpio/rpio.ts on
// /dev/gpiomem, gpio/chardev.ts on the kernel's character device) implement it; gpio.ts chooses.
import type { Level } from '../transports/transport.js';

/** A GPIO input's pull resistor. */
export type Pull = 'up' | 'down' | 'off';

export interface Gpio {
  openOutput(pin: number, level: Level): void;
  write(pin: number, level: Level): void;
  read(pin: number): Level;
  openInput(pin: number, pull: Pull): void;
  /** Call `onEdge` with the pin's level after each change; returns the function that stops it. */
  watch(pin: number, onEdge: (level: Level) => void): () => void;
  close(pin: number): void;
}
