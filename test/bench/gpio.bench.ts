// `npm run bench -- gpio`: what one BUSY read costs the character-device backend in JavaScript and
// system-call overhead, against one plain system call from Node (fstat) measured in the same run.
// There is no GPIO chip here, so the read's GET_VALUES ioctl is stood in for by FIONBIO on
// /dev/null through the same addon, with the same 16-byte gpio_v2_line_values buffer built and
// decoded; the kernel's own GPIO work (an RP1 register read over PCIe on a Pi 5) is not in it.
// Also what an idle watched button costs: one non-blocking read answering EAGAIN per poll.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { DRAIN_EVERY, EDGE_POLL_MS } from '../../drivers/gpio/chardev.js';
import { encodeLineValues, FIONBIO, lineValue } from '../../drivers/gpio/uapi.js';

const CALLS = 200_000;
const ROUNDS = 5;

type IoctlFn = (fd: number, request: number, arg: Buffer) => number;

export async function run(): Promise<void> {
  let ioctl: IoctlFn;
  try {
    ioctl = createRequire(import.meta.url)('ioctl') as IoctlFn;
  } catch {
    console.log('the ioctl addon is not installed here: nothing to measure');
    return;
  }
  const fd = openSync('/dev/null', 'r');
  const nonBlocking = Buffer.from([1, 0, 0, 0]);
  // A watched pin with no edge waiting: the non-blocking read answers EAGAIN (an empty FIFO
  // opened for reading and writing behaves the same).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gpio-bench-'));
  const fifo = path.join(dir, 'events');
  spawnSync('mkfifo', [fifo]);
  const events = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const eventBuf = Buffer.alloc(48 * 16);
  const cases = {
    'baseline: fs.fstatSync (one system call from Node)': () => fstatSync(fd),
    'a BUSY read: values buffer + ioctl through the addon + decode': () => {
      const values = encodeLineValues(0);
      ioctl(fd, FIONBIO, nonBlocking);
      return lineValue(values);
    },
    'an idle button poll: a read answering EAGAIN, caught': () => {
      try {
        return readSync(events, eventBuf, 0, eventBuf.length, null);
      } catch (err) {
        return (err as NodeJS.ErrnoException).code;
      }
    },
  };
  const best: Record<string, number> = {};
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, fn] of Object.entries(cases)) {
        const t = process.hrtime.bigint();
        for (let i = 0; i < CALLS; i++) fn();
        const ns = Number(process.hrtime.bigint() - t) / CALLS;
        best[name] = Math.min(best[name] ?? Infinity, ns);
      }
    }
  } finally {
    closeSync(fd);
    closeSync(events);
    rmSync(dir, { recursive: true, force: true });
  }
  const base = best[Object.keys(cases)[0]!]!;
  for (const [name, ns] of Object.entries(best)) {
    console.log(`${name.padEnd(64)} ${(ns / 1000).toFixed(2).padStart(6)} µs  x${(ns / base).toFixed(2)}`);
  }
  const read = best[Object.keys(cases)[1]!]!;
  console.log(
    `the drivers poll BUSY every 10 ms (busyPollMs): one read is ${((read / 10_000_000) * 100).toFixed(4)}% of that interval`,
  );
  const empty = best[Object.keys(cases)[2]!]!;
  const perSecond = (nsPerPoll: number) => 4 * (1000 / EDGE_POLL_MS) * nsPerPoll;
  const share = (ns: number) => `${((ns / 1e9) * 100).toFixed(3)}% of one core`;
  console.log(`four idle buttons, polled every ${EDGE_POLL_MS} ms:`);
  console.log(`  reading the queued edges each poll: ${share(perSecond(empty))}`);
  console.log(
    `  the level each poll, the edges when it moved or every ${DRAIN_EVERY}th poll (the backend): ${share(perSecond(read + empty / DRAIN_EVERY))}`,
  );
}
