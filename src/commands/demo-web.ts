// `demo --web`: the demo's frame left running with its page, so a newcomer can click around a
// frame without a Pi: the built-in server, the synced library, the virtual panel (a PNG of the
// glass in the demo folder) and the page on 127.0.0.1 with a password printed once. Ctrl-C ends it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PanelProfile } from '../../drivers/panels.js';
import { parseConfig } from '../config/config.js';
import { createLogger } from '../core/log.js';
import { frameHost } from '../frame/frame-host.js';
import { LogRing } from '../web/log-ring.js';
import { generatePassword, setPassword } from '../web/password.js';
import { startFrameWebDoor } from '../web/start.js';
import type { CommandContext } from './command.js';

export async function runDemoFrame(o: {
  ctx: CommandContext;
  out: string;
  port: number;
  panel: PanelProfile;
  raw: Record<string, unknown>;
}): Promise<void> {
  const { ctx } = o;
  const say = (line: string) => ctx.stdout(line + '\n');
  const glass = path.join(o.out, 'glass.png');
  const raw = { ...o.raw, transport: `virtual:${glass}`, web: { enabled: true, port: o.port, bind: '127.0.0.1' } };
  const configPath = path.join(o.out, 'config.json');
  await writeFile(configPath, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
  const config = { ...parseConfig(raw, configPath, ctx.redactor), path: configPath };
  const password = generatePassword();
  await setPassword(configPath, password);

  const logRing = new LogRing();
  // The frame's log goes to the page's Health screen; the terminal keeps the demo's own lines.
  const logger = createLogger({ redactor: ctx.redactor, level: 'info', write: () => {}, sink: logRing.push });
  const frame = frameHost<typeof config>(o.panel, logger);
  await frame.start(config);
  try {
    const web = await startFrameWebDoor({ frame, config, logger, redactor: ctx.redactor, logRing, panel: o.panel });
    try {
      say(`4. The demo frame is running with its page: open ${web.url}`);
      say(`   password: ${password}   (the glass: ${glass}; settings saved there go to ${configPath})`);
      say('   Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await web.close();
    }
  } finally {
    await frame.stop();
  }
}
