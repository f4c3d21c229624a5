// `amz-token store prune`: the store's entries that no app or profile of this
// config.json uses, listed by name, and deleted with --yes.

import { ExitCode, StoreUnavailableError } from '../errors.js';
import { configFile } from '../config/config.js';
import { configAccounts } from '../secrets/accounts.js';
import { table } from '../output.js';
import { readConfig, type CommandContext } from '../context.js';

const { OK, STORE_UNAVAILABLE } = ExitCode;

export interface StorePruneOptions {
  /** --yes: delete; without it, only list. */
  yes: boolean;
}

/**
 * `store prune`: the entries of the store in use that no app or profile of this
 * config.json uses (left by hand edits, or by a removal that could not finish).
 * Lists their names (never values) unless --yes deletes them.
 */
export async function runStorePrune(ctx: CommandContext, opts: StorePruneOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const store = await ctx.deps.secretStore();
  const { expected, cached, shared } = configAccounts(config);
  const used = new Set([...expected, ...cached, ...shared]);
  const unused = (await store.list()).filter((account) => !used.has(account));
  const deleted: string[] = [];
  const failed: { account: string; reason: string }[] = [];
  if (opts.yes) {
    for (const account of unused) {
      try {
        await store.delete(account);
        deleted.push(account);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error;
        failed.push({ account, reason: error.message });
      }
    }
  }
  if (ctx.global.json) {
    ctx.out.json({ store: store.description, unused, deleted: opts.yes ? deleted : [], dryRun: !opts.yes, ...(failed.length ? { failed } : {}) });
  } else if (unused.length === 0) {
    ctx.out.info(`${store.description} holds no entry that ${configFile(ctx.deps.configDir)} does not use.`);
  } else {
    ctx.out.info(
      opts.yes
        ? `Deleted from ${store.description} the entries ${configFile(ctx.deps.configDir)} does not use:`
        : `${store.description} holds ${unused.length} ${unused.length === 1 ? 'entry' : 'entries'} that ${configFile(ctx.deps.configDir)} does not use (names only):`,
    );
    const rows = [['ACCOUNT', opts.yes ? 'RESULT' : 'WOULD']];
    for (const account of unused) rows.push([account, !opts.yes ? 'delete' : deleted.includes(account) ? 'deleted' : 'kept: could not delete']);
    for (const row of table(rows)) ctx.out.result(row);
    if (!opts.yes) {
      ctx.out.info('Another config folder (AMZ_TOKEN_CONFIG_DIR) sharing this store would use its own entries: check, then delete them with: amz-token store prune --yes');
    }
  }
  if (failed.length) {
    ctx.out.problem(`could not delete ${failed.map((f) => f.account).join(', ')}: ${failed[0]!.reason}`);
    return STORE_UNAVAILABLE;
  }
  return OK;
}
