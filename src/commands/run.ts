// `run`: the frame itself, as systemd starts it. Logs go to stdout as JSON lines (journald);
// SIGTERM or SIGINT finishes the refresh in progress, leaves the panel asleep and exits 0.
import { parseArgs } from 'node:util';
import { HATS, parsePins, type HatKind } from '../../drivers/hats.js';
import type { PinMap } from '../../drivers/transports/transport.js';
import { findPanel } from '../../drivers/panels.js';
import { driverFor } from '../../drivers/registry.js';
import { watchKeys } from '../frame/button-input.js';
import { loadConfig, type FrameConfig } from '../config/config.js';
import { ConfigError, describeError } from '../core/errors.js';
import { instancePaths } from '../library/instance.js';
import { createLogger } from '../core/log.js';
import { frameHost } from '../frame/frame-host.js';
import type { PressKind } from '../frame/buttons.js';
import { startGpioButtons } from '../frame/gpio-buttons.js';
import { concretePanelId } from './auto-panel.js';
import type { Command } from './command.js';
import { openI2cDevice } from '../../drivers/i2c.js';
import { chooseWakeBoard } from '../power/choose.js';
import { type WakeCycle, wakeCycle } from '../power/cycle.js';
import { doorSettings, MqttDoorSlot, pageUrl } from '../mqtt/door-slot.js';
// Inlined by the bundler: the version Home Assistant shows for the device.
import pkg from '../../package.json' with { type: 'json' };

/** The button pins to watch: the config's or the HAT's own, none of them a pin the panel uses. */
export function buttonPinsFor(config: FrameConfig, hat: HatKind): number[] {
  const pins = config.button_pins ?? HATS[hat].buttons;
  const panelPins = parsePins(config.panel_pins || undefined, HATS[hat].pins);
  for (const pin of pins) {
    const role = (Object.keys(panelPins) as Array<keyof PinMap>).find((r) => panelPins[r] === pin);
    if (role) {
      throw new ConfigError(
        `button_pins: BCM ${pin} is the panel's ${role} pin on the ${HATS[hat].name}; wire the button to a free pin (5, 6, 16 or 26, say) and set button_pins`,
      );
    }
  }
  return pins;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run the frame: show photos on schedule and at a button press, sync in the background',
  usage: 'run [--config FILE] [--no-buttons]',
  options: [
    '--no-buttons   do not watch the GPIO buttons (keys n, s, q still work on a terminal)',
    'Keys on a terminal: n or space = next photo, s = sync now, q = quit',
  ],
  examples: ['artframe-immich run --config /etc/artframe-immich/config.json'],
  async run(ctx) {
    const { values } = parseArgs({ args: ctx.args, options: { 'no-buttons': { type: 'boolean' } } });
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env, redactor: ctx.redactor });
    const profile = findPanel(concretePanelId(config.panel, ctx));
    const driver = driverFor(profile);
    // The page keeps the last lines in memory for its Health screen; loaded only when it is on.
    const logRing = config.web.enabled ? new (await import('../web/log-ring.js')).LogRing() : null;
    const logger = createLogger({
      redactor: ctx.redactor,
      level: ctx.verbose ? 'debug' : 'info',
      format: 'json',
      write: (l) => ctx.stdout(l + '\n'),
      ...(logRing ? { sink: logRing.push } : {}),
    });

    // Battery mode (power/): `run` is one wake cycle ending in power-off. No wake board found means
    // the frame runs as on mains power rather than powering off for good.
    const board =
      config.power === 'battery'
        ? await chooseWakeBoard(config.battery, openI2cDevice).catch((err: unknown) => {
            logger.error('battery mode without a wake board; running as on mains power', { error: describeError(err) });
            return null;
          })
        : null;
    let cycle: WakeCycle | null = null;
    // Every door (buttons, keys, the page, MQTT, the wake cycle) steers the frame through the host.
    const frame = frameHost<typeof config>(profile, logger, (c) => ({
      ...(board ? { battery: () => board.battery() } : {}),
      ...(board && c.power === 'battery' ? { wakeCycle: true, notice: () => cycle?.noticeText() ?? null } : {}),
    }));
    const press = (kind: PressKind) =>
      void (cycle ? cycle.press(kind) : frame.command({ type: kind === 'long' ? 'sync' : 'next' }, 'button'));

    const buttonPins = config.transport === 'rpio' && !values['no-buttons'] ? buttonPinsFor(config, driver.hat) : [];

    const stopped = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const quit = new AbortController();
    logger.info('frame starting', {
      panel: profile.id,
      transport: config.transport,
      album_id: config.album_id || '(whole library)',
    });
    // The MQTT door, as the settings say now and after every restart with new ones (the page saves).
    const mqtt = new MqttDoorSlot({ frame, logger, health: () => frame.health() });
    const mqttDevice = { model: profile.name, swVersion: pkg.version, configurationUrl: pageUrl(config.web) };
    // Its client is loaded before the frame's first render, not after it: what loading leaves behind
    // is collected before the render's peak instead of adding to it (bench: mqtt).
    if (config.mqtt) mqtt.preload();
    // A stop asked for during start (the first photo still drawing) is not kept waiting for it:
    // the service's stop kills the render.
    const starting = frame.start(config);
    await Promise.race([starting, stopped]);
    if (ctx.signal.aborted) {
      logger.info('frame stopping');
      await frame.stop();
      await starting.catch(() => {});
      return 0;
    }
    // The CLI's door (`artframe-immich frame next`): optional like every door, so a socket that
    // cannot be opened (a read-only card) costs that door only.
    const { startLocalDoor } = await import('../local-door/server.js');
    const closeLocalDoor = await startLocalDoor(frame, instancePaths(config).controlSocketPath, logger).catch(
      (err: unknown) => {
        logger.warn('the local door cannot open; `artframe-immich frame` will not reach this frame', {
          error: describeError(err),
        });
        return null;
      },
    );

    // A frame without the block never loads the client; a door that cannot start is logged and left out.
    await mqtt.apply(doorSettings(config, mqttDevice));
    const unfollow = mqtt.follow(frame, (c) => doorSettings(c, mqttDevice));

    const stops: Array<() => void> = [];
    if (buttonPins.length > 0) stops.push(await startGpioButtons(buttonPins, press, logger));
    if (process.stdin.isTTY && ctx.isTTY) {
      stops.push(watchKeys(process.stdin, press, () => quit.abort()));
      logger.info('keys: n = next photo, s = sync now, q = quit');
    }

    let web: { close(): Promise<void> } | null = null;
    const stopAll = async () => {
      await web?.close().catch(() => {});
      for (const stop of stops.splice(0)) stop();
      unfollow();
      await mqtt.stop();
      await closeLocalDoor?.();
      await frame.stop();
    };
    if (board && config.power === 'battery') {
      cycle = wakeCycle({
        frame,
        board,
        config: config.battery,
        paths: instancePaths(config),
        logger,
        stopFrame: stopAll,
      });
      const outcome = await cycle.run(ctx.signal);
      if (outcome.poweredOff) return 0;
      cycle = null;
      if (outcome.stayOn) await frame.restart({ ...config, power: 'mains' });
    }
    // The page: optional, and the frame runs the same when it cannot start (a port in use, say).
    if (logRing) {
      try {
        const { startFrameWebDoor } = await import('../web/start.js');
        web = await startFrameWebDoor({ frame, config, logger, redactor: ctx.redactor, logRing, panel: profile });
      } catch (err) {
        logger.warn('the page could not start; the frame runs without it', { error: describeError(err) });
      }
    }

    await Promise.race([stopped, new Promise<void>((r) => quit.signal.addEventListener('abort', () => r()))]);
    logger.info('frame stopping');
    await stopAll();
    return 0;
  },
};
