// `password`: set the page's password (install.sh calls it). Stored beside the config as a scrypt
// hash only; read from stdin (a pipe, so it never sits in the process list) or generated and
// printed once. Every page session signs out at the frame's next start.
import { parseArgs } from 'node:util';
import { configPath } from '../config/config.js';
import { ConfigError } from '../core/errors.js';
import { generatePassword, passwordFile, passwordProblem, setPassword } from '../web/password.js';
import type { Command } from './command.js';

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) throw new ConfigError('the password on stdin is longer than 4 KB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export const passwordCommand: Command = {
  name: 'password',
  summary: "set the frame page's password (stored as a scrypt hash beside the config)",
  usage: 'password (--stdin | --generate) [--config FILE]',
  options: [
    '--stdin      read the new password from the first line of stdin',
    '--generate   make a random password, store it and print it once',
  ],
  examples: [
    'artframe-immich password --generate',
    'artframe-immich password --stdin --config /etc/artframe-immich/config.json < password.txt',
  ],
  async run(ctx) {
    const { values } = parseArgs({
      args: ctx.args,
      options: { stdin: { type: 'boolean' }, generate: { type: 'boolean' } },
    });
    if (Boolean(values.stdin) === Boolean(values.generate))
      throw new ConfigError('password: give exactly one of --stdin (read it) or --generate (make one and print it)');
    const file = configPath({ flag: ctx.configFlag, env: ctx.env });
    const password = values.generate ? generatePassword() : await readStdinLine();
    const problem = passwordProblem(password);
    if (problem) throw new ConfigError(`password: ${problem}`);
    await setPassword(file, password);
    if (values.generate) ctx.stdout(`the page's password (shown once; keep it): ${password}\n`);
    ctx.stdout(`password set (${passwordFile(file)}, a scrypt hash)\n`);
    return 0;
  },
};
