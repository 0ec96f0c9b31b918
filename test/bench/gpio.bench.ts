// `npm run bench -- gpio`: what one BUSY read costs the character-device backend in JavaScript and
// system-call overhead, against one plain system call from Node (fstat) measured in the same run.
// There is no GPIO chip here, so the read's GET_VALUES ioctl is stood in for by FIONBIO on
// /dev/null through the same addon, with the same 16-byte gpio_v2_line_values buffer built and
// decoded; the kernel's own GPIO work (an RP1 register read over PCIe on a Pi 5) is not in it.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  const cases = {
    'baseline: fs.fstatSync (one system call from Node)': () => fstatSync(fd),
    'a BUSY read: values buffer + ioctl through the addon + decode': () => {
      const values = encodeLineValues(0);
      ioctl(fd, FIONBIO, nonBlocking);
      return lineValue(values);
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
  }
  const base = best[Object.keys(cases)[0]!]!;
  for (const [name, ns] of Object.entries(best)) {
    console.log(`${name.padEnd(64)} ${(ns / 1000).toFixed(2).padStart(6)} µs  x${(ns / base).toFixed(2)}`);
  }
  const read = best[Object.keys(cases)[1]!]!;
  console.log(
    `the drivers poll BUSY every 10 ms (busyPollMs): one read is ${((read / 10_000_000) * 100).toFixed(4)}% of that interval`,
  );
}
