// `sync`: bring the offline library up to date with the album when a sync is due (or forced):
// prints a summary, the plan (--dry-run) or JSON. Exit 0 only when every photo landed.
import { parseArgs } from 'node:util';
import { type FrameConfig, loadConfig } from '../config/config.js';
import { createProgressReporter } from '../library/progress.js';
import { formatBytes, formatFailureReasons } from '../library/words.js';
import { formatPlan, planCounts, planToJson } from '../library/plan.js';
import type { SyncOutcome } from '../library/sync.js';
import type { Command, CommandContext } from './command.js';
import { instancePaths } from '../library/instance.js';

export function outcomeToJson(outcome: SyncOutcome) {
  if (outcome.kind === 'not-due') return { status: 'not-due', next_due: outcome.nextDue.toISOString() };
  if (outcome.kind === 'dry-run') {
    return {
      status: 'dry-run',
      reason: outcome.reason,
      server_version: outcome.serverVersion,
      plan: planToJson(outcome.plan),
    };
  }
  return {
    status: 'synced',
    reason: outcome.reason,
    server_version: outcome.serverVersion,
    ...outcome.result,
    // Whole-library mode: listed images left out as on Immich's timeline.
    hidden: outcome.plan.hidden,
  };
}

/** On the command line a hung server is given up on within a minute (the service keeps
 * retrying at its own pace): 15 s for an answer's headers, at most 45 s for a request, retries
 * included, and "not answering" said at each retry. */
export const CLI_PATIENCE = { headersMs: 15_000, answerWithinMs: 45_000 };

export function formatOutcome(outcome: SyncOutcome): string {
  if (outcome.kind === 'not-due') {
    return `no sync due: the next one is at ${outcome.nextDue.toISOString()} (use --force to sync now)`;
  }
  if (outcome.kind === 'dry-run')
    return `dry run (Immich v${outcome.serverVersion}, nothing changed)\n${formatPlan(outcome.plan)}`;
  const r = outcome.result;
  return (
    `synced from Immich v${outcome.serverVersion} (${outcome.reason}): ${r.added} added, ${r.updated} updated, ` +
    `${r.removed} removed, ${r.kept} kept, ${r.adopted} adopted, ${r.failed} failed; ` +
    `${formatBytes(r.bytes)} in ${r.seconds} s` +
    (r.failed > 0 ? `\nfailed: ${formatFailureReasons(r.failed_by_reason)}` : '') +
    (outcome.plan.hidden.archived + outcome.plan.hidden.stacked > 0
      ? `\nnot copied, as on Immich's timeline: ${outcome.plan.hidden.archived} archived, ${outcome.plan.hidden.stacked} stacked behind their primary (include_archived, include_stacked)`
      : '')
  );
}

/** Run one sync with the config's server; the command and `test` share it. */
export async function runSync(
  ctx: CommandContext,
  config: FrameConfig,
  options: { force: boolean; dryRun: boolean; quiet?: boolean },
): Promise<SyncOutcome> {
  // The engine (sharp, the Immich client) loads only for the commands that sync, so the others
  // start quickly.
  const [{ ImmichClient }, { syncLibrary }] = await Promise.all([
    import('../immich/client.js'),
    import('../library/sync.js'),
  ]);
  const client = new ImmichClient({
    baseUrl: config.immich_url,
    apiKey: config.immich_api_key,
    logger: ctx.logger,
    timeouts: { headersMs: CLI_PATIENCE.headersMs },
    answerWithinMs: CLI_PATIENCE.answerWithinMs,
  });
  const progress = createProgressReporter({ isTTY: ctx.isTTY, write: ctx.stderr, logger: ctx.logger });
  try {
    return await syncLibrary({
      paths: instancePaths(config),
      source: client,
      config,
      force: options.force,
      dryRun: options.dryRun,
      logger: ctx.logger,
      onProgress: options.quiet ? undefined : progress,
      signal: ctx.signal,
    });
  } finally {
    progress.end();
    await client.close();
  }
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'download new and changed photos of the album, remove deleted ones (when due, or --force)',
  usage: 'sync [--force] [--dry-run] [--json]',
  options: [
    '--force     sync now even if the interval has not passed',
    '--dry-run   list the album (or library) and print the plan (add, update, remove, keep); change nothing',
    '--json      print the result as JSON',
  ],
  examples: ['artframe-immich sync', 'artframe-immich sync --force --json', 'artframe-immich sync --dry-run'],
  async run(ctx) {
    const { values } = parseArgs({
      args: ctx.args,
      options: { force: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
    });
    const config = await loadConfig({ flag: ctx.configFlag, env: ctx.env, redactor: ctx.redactor });
    const outcome = await runSync(ctx, config, { force: values.force ?? false, dryRun: values['dry-run'] ?? false });
    ctx.stdout((values.json ? JSON.stringify(outcomeToJson(outcome), null, 2) : formatOutcome(outcome)) + '\n');
    if (outcome.kind === 'synced' && outcome.result.failed > 0) {
      const first = outcome.result.failures[0]!;
      ctx.stderr(
        `error: ${outcome.result.failed} of ${planCounts(outcome.plan).add + planCounts(outcome.plan).update} photos failed to download ` +
          `(${formatFailureReasons(outcome.result.failed_by_reason)}; first: ${first.error}); the others landed, and the next sync tries them again\n`,
      );
      return 3;
    }
    return 0;
  },
};
