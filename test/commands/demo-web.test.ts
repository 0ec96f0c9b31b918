// `npm run demo -- --web`: the demo frame stays up with its page, prints where and the password;
// the page answers a person who signs in with it; Ctrl-C ends it cleanly (plain `demo` still ends
// by itself: demo.test.ts).
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiClient } from '../web/web-frame.js';

describe('demo --web', () => {
  it('keeps the demo frame running with its page, prints the address and the password', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'demo-web-'));
    const child = spawn(
      process.execPath,
      [
        path.resolve('bin/artframe-immich.js'),
        'demo',
        '--web',
        '--port',
        '0',
        '--photos',
        '3',
        '--frames',
        '1',
        '--out',
        out,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const ready = new Promise<{ url: string; password: string }>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const url = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
        const password = /password: (\S+)/.exec(stdout)?.[1];
        if (url && password && stdout.includes('Ctrl-C')) resolve({ url, password });
      });
      child.once('exit', (code) => reject(new Error(`demo exited ${code}:\n${stdout}\n${stderr}`)));
    });
    const { url, password } = await ready;
    const c = new ApiClient(url);
    expect(await c.signIn(password)).toBe(200);
    expect((await c.get('/api/status')).json.running).toBe(true);
    const glass = await c.get('/api/frame.png');
    expect(glass.status).toBe(200);
    expect(glass.headers.get('content-type')).toBe('image/png');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  }, 90_000);
});
