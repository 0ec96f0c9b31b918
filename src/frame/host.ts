// The frame behind its doors: holds the running FrameService and swaps it for a new one when the
// settings change, so a door (the page, MQTT) keeps one handle and one subscription across a
// restart. What a door sees is always FrameControl; the host only adds start, restart and stop.
import type { Logger } from '../core/log.js';
import { describeError, FrameStoppedError } from '../core/errors.js';
import type {
  CommandOutcome,
  Door,
  FrameCommand,
  FrameControl,
  FrameListener,
  FrameStatus,
  ShownFrame,
} from './control.js';
import type { FrameService } from './service.js';
import type { FilterPreview, PhotoPage, PhotoRecord } from '../library/listing.js';
import type { SelectionFilters } from '../library/selection/options.js';
import type { FrameOptions, RenderOptions } from '../render/options.js';
import type { FrameHealth } from './health.js';
import type { InksFile } from '../calibration/inks-file.js';

export class FrameHost<C> implements FrameControl {
  private current: FrameService | null = null;
  private config: C | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly listeners = new Set<FrameListener>();
  private readonly settingsListeners = new Set<(config: C, before: C | null) => void>();
  /** Serialises start, restart and stop. */
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(
    /** Builds the service for a config (the composition root: panel, transport, source, clock). */
    private readonly make: (config: C) => FrameService,
    private readonly log: Logger,
  ) {}

  /** The settings the running frame was started with. */
  get settings(): C | null {
    return this.config;
  }

  start(config: C): Promise<void> {
    return this.serially(() => this.open(config));
  }

  /** Stop the running frame (its refresh in progress finishes) and start it again with `config`. */
  restart(config: C): Promise<void> {
    return this.serially(async () => {
      const before = this.config;
      await this.close();
      this.log.info('restarting the frame with new settings');
      try {
        await this.open(config);
      } finally {
        // Told even when the new service failed to start: the settings are the new ones all the same.
        if (this.config === config) this.tellSettings(config, before);
      }
    });
  }

  /** Learn the settings each restart brings: what lives beside the service (the MQTT door) follows
   * them. Called once the new service has started; a listener that throws is logged. */
  onSettings(listener: (config: C, before: C | null) => void): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  private tellSettings(config: C, before: C | null): void {
    for (const listener of this.settingsListeners) {
      try {
        listener(config, before);
      } catch (err) {
        this.log.warn('a door failed to take the new settings', { error: describeError(err) });
      }
    }
  }

  stop(): Promise<void> {
    // A stop during a start (the first photo still drawing) stops that service at once: its stop
    // kills the render, so the start ends and the stop behind it runs.
    if (this.current) void this.current.stop();
    return this.serially(() => this.close());
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.then(step);
    this.lifecycle = run.catch(() => {});
    return run;
  }

  private async open(config: C): Promise<void> {
    const service = this.make(config);
    this.unsubscribe = service.subscribe((event) => {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (err) {
          this.log.warn('a door failed to take an event', { event: event.type, error: describeError(err) });
        }
      }
    });
    this.current = service;
    this.config = config;
    await service.start();
  }

  private async close(): Promise<void> {
    const service = this.current;
    this.current = null;
    if (!service) return;
    await service.stop();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Resolves when no refresh and no sync is in flight (tests, and a clean stop). */
  async idle(): Promise<void> {
    await this.lifecycle;
    await this.current?.idle();
  }

  command(command: FrameCommand, door: Door): Promise<CommandOutcome> {
    if (!this.current)
      return Promise.resolve({
        ok: false,
        command: command.type,
        code: 'FRAME_STOPPED',
        message: 'the frame is restarting; try again in a moment',
      });
    return this.current.command(command, door);
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): FrameStatus {
    if (!this.current) throw new Error('the frame is not running');
    return this.current.snapshot();
  }

  health(): Promise<FrameHealth> {
    if (!this.current) return Promise.reject(new Error('the frame is not running'));
    return this.current.health();
  }

  framePng(): Promise<{ png: Buffer; frame: ShownFrame } | null> {
    return this.current ? this.current.framePng() : Promise.resolve(null);
  }

  /** The running service, or a FRAME_STOPPED error while the host swaps it. */
  private running(): FrameService {
    if (!this.current) throw new FrameStoppedError('the frame is restarting; try again in a moment');
    return this.current;
  }

  photos(offset: number, limit: number): Promise<PhotoPage> {
    return this.running().photos(offset, limit);
  }

  photo(id: string): Promise<PhotoRecord | null> {
    return this.running().photo(id);
  }

  previewFilters(filters: SelectionFilters, limit: number): Promise<FilterPreview> {
    return this.running().previewFilters(filters, limit);
  }

  previewFrame(
    options: Partial<RenderOptions> & Partial<FrameOptions>,
    inks?: 'catalogue' | InksFile,
  ): Promise<Buffer | null> {
    return this.running().previewFrame(options, inks);
  }

  showNotice(text: string, door: Door): Promise<CommandOutcome> {
    return this.current ? this.current.showNotice(text, door) : Promise.resolve(restarting('notice'));
  }

  showSwatch(door: Door): Promise<CommandOutcome> {
    return this.current ? this.current.showSwatch(door) : Promise.resolve(restarting('swatch'));
  }
}

function restarting(command: 'notice' | 'swatch'): CommandOutcome {
  return { ok: false, command, code: 'FRAME_STOPPED', message: 'the frame is restarting; try again in a moment' };
}
