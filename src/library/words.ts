// How the library's numbers read to a person: sizes, and a sync's failures by reason with what
// fixes each. Shared by the sync engine's messages and the sync and status commands.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

const REASON_FIX: Record<string, string> = {
  permission: 'give the API key the permission named (Account Settings > API Keys)',
  'not-found': 'deleted or unshared since the listing; the next sync drops them',
  'not-rendered': 'the server has not made their renderings yet; the next sync tries again',
  decode: 'the server sent images that cannot be read; the next sync tries again',
  checksum: 'the bytes did not match the checksum (a proxy or a damaged file); the next sync tries again',
  download: 'the download broke off; the next sync tries again',
};

/** "27 permission (give the key ...), 1 download (...)": the failures of a sync by reason. */
export function formatFailureReasons(byReason: Record<string, number> | undefined): string {
  return Object.entries(byReason ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n} ${reason} (${REASON_FIX[reason] ?? 'see the log'})`)
    .join(', ');
}
