// The page as `run` (and `demo --web`) starts it: the web door given the frame's host, its config
// file and a client for the Immich pickers. Loaded lazily, so a frame with the page off never
// loads any of src/web.
import pkg from '../../package.json' with { type: 'json' };
import type { PanelProfile } from '../../drivers/panels.js';
import type { FrameConfig } from '../config/config.js';
import type { Logger, Redactor } from '../core/log.js';
import type { FrameHost } from '../frame/host.js';
import { ImmichClient } from '../immich/client.js';
import type { LogRing } from './log-ring.js';
import { startWebDoor, type WebDoor } from './server.js';

export async function startFrameWebDoor(o: {
  frame: FrameHost<FrameConfig & { path: string }>;
  config: FrameConfig & { path: string };
  logger: Logger;
  redactor: Redactor;
  logRing: LogRing;
  panel: PanelProfile;
  pairingCode?: () => string;
}): Promise<WebDoor> {
  return startWebDoor({
    // The host is the frame as the page steers it: restart applies saved settings in place.
    frame: o.frame,
    web: o.config.web,
    configPath: o.config.path,
    logger: o.logger,
    redactor: o.redactor,
    logRing: o.logRing,
    version: pkg.version,
    minRefreshMs: o.panel.minRefreshIntervalSeconds * 1000,
    panel: o.panel,
    lists: async (url, apiKey) => {
      const client = new ImmichClient({ baseUrl: url, apiKey, logger: o.logger, answerWithinMs: 15_000 });
      try {
        return { albums: await client.listAlbums(), people: await client.listPeople() };
      } finally {
        await client.close();
      }
    },
    ...(o.pairingCode ? { pairingCode: o.pairingCode } : {}),
  });
}
