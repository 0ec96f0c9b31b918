// The server as the metadata records it (never the key or credentials): host:port and path, and
// Immich's version as a string. Free of zod: `status` and `next` ask whether a sync is due by it.

/**
 * What the metadata records of the server (no key, no credentials): host:port, plus the path when
 * Immich is served under one ("photos.example/immich"), so that a change of path is a change of
 * server and makes a sync due. A URL without a path gives host:port, as before.
 */
export function serverHost(url: string): string {
  try {
    const u = new URL(url);
    return u.host + u.pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

export function versionString(v: { major: number; minor: number; patch: number }): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}
