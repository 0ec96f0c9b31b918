// Run the CLI in-process and collect what it prints: for tests of commands' output and exit codes.
import { spawn } from 'node:child_process';
import type { HardwareSeams } from '../../drivers/detect.js';
import { main } from '../../src/cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `hardware`: the board's model file and the I2C bus that panel auto-detect sees (the real ones by default). */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  hardware?: HardwareSeams,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    hardware,
    isTTY: false,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr };
}

/** The installed command with its reader gone before it writes (`artframe-immich ... | head -c 0`):
 * its exit code and whatever it said on stderr. */
export async function runInstalledWithReaderGone(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/artframe-immich.js', ...argv], { env });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stderr };
}
