// A config the JSON parser refuses (issue 21, point 14 and the smaller list): the key in single
// quotes or bare is never quoted back, every error gives a line and column, a config nested
// 100,000 deep is refused by name rather than overflowing the stack, and a FIFO given as
// --config is refused at once instead of blocking. Real files, a real FIFO, and the real CLI.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { jsonSyntaxProblem } from '../../src/config/json-syntax.js';
import { ConfigError } from '../../src/core/errors.js';
import { runCli } from '../support/run-cli.js';

const KEY = 'Zq9SECRETkey0123456789abcdefXYZ';

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'config-json-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, text);
  return file;
}

const neverQuoted = (message: string) => {
  for (let i = 0; i + 4 <= KEY.length; i++) expect(message).not.toContain(KEY.slice(i, i + 4));
};

describe('JSON errors name a line and column and quote nothing', () => {
  it.each([
    [
      'the key in single quotes',
      `{\n  "immich_url": "https://x.example",\n  "immich_api_key": '${KEY}'\n}`,
      3,
      21,
      /single quote/,
    ],
    [
      'the key without quotes',
      `{\n  "immich_url": "https://x.example",\n  "immich_api_key": ${KEY}\n}`,
      3,
      21,
      /bare word/,
    ],
    ['a single-quoted name', `{'immich_api_key': "${KEY}"}`, 1, 2, /single quote where a property name/],
    ['a trailing comma', `{"immich_api_key": "${KEY}",\n}`, 2, 1, /trailing comma/],
    ['a missing comma', `{"immich_api_key": "${KEY}"\n "immich_url": "x"}`, 2, 2, /missing comma/],
    ['a string that never ends', `{"immich_api_key": "${KEY}`, 1, 20, /never ends/],
  ])('%s', async (_, text, line, column, reason) => {
    const err = await loadConfig({ flag: await configFile(text), env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).toMatch(reason);
    expect(message).toMatch(new RegExp(` at line ${line}, column ${column}$`));
    neverQuoted(message);
  });

  it('the real CLI: config check, status and run print no part of a single-quoted key', async () => {
    const file = await configFile(`{"immich_url": "https://x.example", "immich_api_key": '${KEY}'}`);
    for (const command of [['config', 'check'], ['status'], ['run']]) {
      const out = await runCli([...command, '--config', file]);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/is not valid JSON: a single quote where a value should be .* at line 1, column 55/);
      neverQuoted(out.stdout + out.stderr);
    }
  });

  it('a config nested 100,000 deep is refused, naming the file and where', async () => {
    for (const text of ['['.repeat(100_000), '['.repeat(100_000) + ']'.repeat(100_000)]) {
      const file = await configFile(text);
      const err = await loadConfig({ flag: file, env: {} }).catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        `config file ${file} is not valid JSON: nested deeper than 64 levels at line 1, column 65`,
      );
    }
  });

  it('the scan agrees with JSON.parse on what is JSON', () => {
    for (const ok of ['{}', '[]', '{"a":[1,-2.5e+3,true,false,null,"\\u00e9\\n"]}', ' 0 ', '"x"']) {
      expect(jsonSyntaxProblem(ok)).toBeNull();
      expect(() => JSON.parse(ok) as unknown).not.toThrow();
    }
    for (const bad of ['', '{', '[1,]', '{"a" 1}', '01', '1.', 'tru', '"\\x"', '{"a":1}}', '\ufeff{}']) {
      expect(jsonSyntaxProblem(bad)).not.toBeNull();
      expect(() => JSON.parse(bad) as unknown).toThrow();
    }
  });
});

describe('a FIFO as --config (smaller)', () => {
  it.skipIf(process.platform !== 'linux')('is refused at once rather than waiting for a writer', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'config-fifo-'));
    const fifo = path.join(dir, 'config.json');
    await promisify(execFile)('mkfifo', [fifo]);
    const err = await loadConfig({ flag: fifo, env: {} }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`config file ${fifo} is a FIFO, not a file; point --config at the JSON file`);
  });
});
