// The frame as `run` composes it: a FrameHost whose services drive this panel through the
// config's transport and sync from the config's Immich server. `run` and `demo --web` build it
// here, and the page's tests too, so all three run the same frame.
import type { PanelProfile } from '../../drivers/panels.js';
import { openPanel } from '../../drivers/registry.js';
import { selectionFilters, type FrameConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { ImmichClient } from '../immich/client.js';
import { FrameHost } from './host.js';
import { FrameService, type FrameServiceOptions } from './service.js';

export function frameHost<C extends FrameConfig>(
  profile: PanelProfile,
  logger: Logger,
  /** What `run` adds for a config (battery mode's wake cycle and battery reading). */
  extra: (c: C) => Partial<FrameServiceOptions> = () => ({}),
): FrameHost<C> {
  return new FrameHost<C>(
    (c) =>
      new FrameService({
        ...extra(c),
        config: c,
        panel: profile,
        openPanel: () => openPanel(profile, c.transport, { rotate: c.rotate, pins: c.panel_pins || undefined }),
        createSource: () => new ImmichClient({ baseUrl: c.immich_url, apiKey: c.immich_api_key, logger }),
        clock: systemClock,
        logger,
        // One zone for "today" (on this day) and "the same day" (pairs) as for the captions.
        selection: { filters: selectionFilters(c), timeZone: c.timezone || undefined },
      }),
    logger,
  );
}
