// A simulated Immich server as its own process, for trying the frame by hand and for benchmarks
// that want the server in another process:
//   node dist/immich-sim/main.js --port 2283 --photos 50 [--version 3.1.0] [--seed 1]
//        [--sizes small|mixed|large] [--json]
// It prints the URL, an API key and the album id (one JSON line with --json), then serves until
// SIGINT or SIGTERM.
import { parseArgs } from 'node:util';
import { seedSampleLibrary } from './sample-photos.js';
import { startImmichSim } from './server.js';

function parseVersion(text: string): { major: number; minor: number; patch: number } {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`--version must look like 3.1.0, not ${JSON.stringify(text)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '2283' },
      host: { type: 'string', default: '127.0.0.1' },
      photos: { type: 'string', default: '50' },
      version: { type: 'string', default: '3.1.0' },
      seed: { type: 'string', default: '1' },
      sizes: { type: 'string', default: 'small' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: node dist/immich-sim/main.js [--port 2283] [--photos 50] [--version 3.1.0] [--seed 1] [--sizes small|mixed|large] [--json]\n' +
        'example: node dist/immich-sim/main.js --port 2283 --photos 20\n',
    );
    return;
  }
  const sizes = values.sizes as 'small' | 'mixed' | 'large';
  if (!['small', 'mixed', 'large'].includes(sizes)) throw new Error('--sizes must be small, mixed or large');
  const sim = await startImmichSim({
    port: Number(values.port),
    host: values.host,
    version: parseVersion(values.version),
    seed: Number(values.seed),
  });
  const { album, photos } = await seedSampleLibrary(sim, {
    count: Number(values.photos),
    seed: Number(values.seed),
    sizes,
  });
  const info = { url: sim.url, apiKey: sim.apiKey, albumId: album.id, photos: photos.length, version: values.version };
  if (values.json) {
    process.stdout.write(JSON.stringify(info) + '\n');
  } else {
    process.stdout.write(
      `simulated Immich ${values.version} at ${info.url}\n` +
        `immich_api_key: ${info.apiKey}\n` +
        `album_id: ${info.albumId} (${info.photos} photos and a video)\n`,
    );
  }
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`immich-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
