// The local door's wire: one JSON request a line, one JSON answer a line, over a Unix socket in the
// instance folder. Requests are the frame's own commands (control.ts), plus `status` and `health`.
import type { CommandOutcome, FrameStatus } from '../frame/control.js';
import type { FrameHealth } from '../frame/health.js';

/** A request line longer than this is not one of ours. */
export const MAX_REQUEST_BYTES = 4096;

export type LocalAnswer =
  | { kind: 'outcome'; outcome: CommandOutcome }
  | { kind: 'status'; status: FrameStatus }
  | { kind: 'health'; health: FrameHealth }
  | { kind: 'error'; code: string; message: string };
