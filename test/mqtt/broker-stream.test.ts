// How the door reaches the broker without the `mqtt` package's entry: mqtt:// is a plain TCP socket
// to the URL's host and port, mqtts:// is TLS that checks the broker's certificate and names the host.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { brokerAddress, brokerStream } from '../../src/mqtt/broker-stream.js';

const OPENSSL = ['/usr/bin/openssl', '/bin/openssl'].find((p) => existsSync(p)) ?? null;

describe("the broker's address", () => {
  it('takes the port from the URL, or MQTT’s own (1883, 8883 for TLS), and an IPv6 literal bare', () => {
    expect(brokerAddress('mqtt://broker.local')).toEqual({ secure: false, host: 'broker.local', port: 1883 });
    expect(brokerAddress('mqtts://broker.local')).toEqual({ secure: true, host: 'broker.local', port: 8883 });
    expect(brokerAddress('mqtt://127.0.0.1:18830')).toEqual({ secure: false, host: '127.0.0.1', port: 18830 });
    expect(brokerAddress('mqtts://[::1]:8884')).toEqual({ secure: true, host: '::1', port: 8884 });
  });
});

describe('the stream to the broker', () => {
  it('mqtt:// is a TCP connection to that host and port', async () => {
    const server = net.createServer((s) => s.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      const sock = brokerStream(brokerAddress(`mqtt://127.0.0.1:${port}`))();
      let got = '';
      sock.on('data', (d: Buffer) => (got += d.toString()));
      await new Promise((r) => sock.once('end', r));
      expect(got).toBe('hello');
    } finally {
      server.close();
    }
  });

  it.skipIf(!OPENSSL)(
    'mqtts:// is TLS that refuses a certificate nobody vouches for, and sends the host name',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'broker-tls-'));
      try {
        const key = path.join(dir, 'key.pem');
        const cert = path.join(dir, 'cert.pem');
        execFileSync(
          OPENSSL!,
          [
            'req',
            '-x509',
            '-newkey',
            'ec',
            '-pkeyopt',
            'ec_paramgen_curve:prime256v1',
            '-nodes',
            '-keyout',
            key,
            '-out',
            cert,
            '-days',
            '1',
            '-subj',
            '/CN=localhost',
          ],
          { stdio: 'ignore' },
        );
        const names: string[] = [];
        const context = { key: await readFile(key), cert: await readFile(cert) };
        const server = tls.createServer(
          {
            ...context,
            SNICallback: (name, cb) => {
              names.push(name);
              cb(null, tls.createSecureContext(context));
            },
          },
          (s) => s.end(),
        );
        // The refused handshake shows up on the server side too; it is what this test is about.
        server.on('tlsClientError', () => {});
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const { port } = server.address() as net.AddressInfo;
        try {
          const sock = brokerStream(brokerAddress(`mqtts://localhost:${port}`))();
          const err = await new Promise<NodeJS.ErrnoException>((r) => sock.once('error', r));
          expect(err.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
          expect(names).toEqual(['localhost']);
        } finally {
          server.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
