// How the installed command starts Node (install.sh writes it into the command's first line): the
// sync benches run their `sync` children the same way, and the install test holds install.sh to it.

/**
 * Semi-spaces of 1 MiB: the young generation V8 gives the service itself, which Node sizes from
 * the unit's MemoryMax=512M (under a 512 MiB limit: a heap limit of 259 MiB, 1 MiB semi-spaces).
 * A command run from a shell is sized from the Pi's memory instead: 4, 8 and 16 MiB semi-spaces
 * with 1, 2 and 4 GB (64-bit Node 20; measured with those limits), which fill with what a long
 * listing keeps alive (sync-hostile.bench.ts: 15-30 MB of a sync's peak). One flag, as a shebang
 * line passes a single argument.
 */
export const INSTALLED_NODE_FLAG = '--max-semi-space-size=1';
