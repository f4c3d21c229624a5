// `amz-token store show|migrate`: which secret store a run uses and why, and
// moving every secret to another store (keychain, file, or a docker credential
// helper such as pass, which a team shares) without losing one.

import { Option } from '@commander-js/extra-typings';
import { ExitCode, StoreUnavailableError, UsageError, AmzTokenError } from '../errors.js';
import { updateConfig, configFile } from '../config/config.js';
import { sameStore, storeName, storeSpecOf, type StoreSpec } from '../config/store-setting.js';
import { configAccounts } from '../secrets/accounts.js';
import { table } from '../output.js';
import { readConfig, type CommandContext } from '../context.js';
import { helpFooter } from './help.js';
import type { CommandLine } from './command-line.js';
import type { Program } from './command-line.js';

const { OK, USAGE, STORE_UNAVAILABLE } = ExitCode;
export const STORE_EXIT_CODES = {
  show: [OK, USAGE, STORE_UNAVAILABLE],
  migrate: [OK, USAGE, STORE_UNAVAILABLE],
  prune: [OK, USAGE, STORE_UNAVAILABLE],
} as const;



export interface StoreMigrateOptions {
  to: StoreSpec;
  dryRun: boolean;
}

export async function runStoreShow(ctx: CommandContext): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const { storeChoice, storeWarning } = await import('../secrets/store.js');
  const choice = await storeChoice(ctx.deps);
  const file = configFile(ctx.deps.configDir);
  let description: string | undefined;
  let entries: string[] | undefined;
  let problem: AmzTokenError | undefined;
  let warning: string | undefined;
  try {
    const store = await ctx.deps.secretStore();
    description = store.description;
    warning = storeWarning(choice.spec, store);
    // A harmless call that every store answers; only entry names come back to be shown.
    entries = await store.list();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    problem = error;
  }
  const overridden = choice.source === 'env' && config.store !== undefined && config.store !== storeName(choice.spec) ? config.store : undefined;

  if (ctx.global.json) {
    ctx.out.json({
      store: storeName(choice.spec),
      source: choice.source,
      configFile: file,
      ...(overridden ? { overrides: overridden } : {}),
      description: description ?? null,
      answers: problem === undefined,
      entries: entries ?? null,
      error: problem?.message ?? null,
    });
  } else {
    const chosenBy = { env: 'AMZ_TOKEN_STORE', config: `"store" in ${file}`, default: 'the default (neither AMZ_TOKEN_STORE nor "store" in config.json is set)' }[choice.source];
    const rows = [
      ['STORE', storeName(choice.spec)],
      ['CHOSEN BY', chosenBy],
      ...(overridden ? [['OVERRIDES', `"store": "${overridden}" in ${file}`]] : []),
      ...(description ? [['WHERE', description]] : []),
      ['ANSWERS', problem ? 'no' : `yes: ${entries!.length} amz-token ${entries!.length === 1 ? 'entry' : 'entries'}`],
    ];
    for (const row of table(rows)) ctx.out.result(row);
  }
  if (warning) ctx.out.warn(warning);
  if (problem) {
    ctx.out.problem(problem.message, problem.hint);
    return STORE_UNAVAILABLE;
  }
  return OK;
}

export async function runStoreMigrate(ctx: CommandContext, opts: StoreMigrateOptions): Promise<ExitCode> {
  const config = await readConfig(ctx);
  const { storeChoice, openSecretStore, originOf, storeWarning } = await import('../secrets/store.js');
  const { migrate, planMigration } = await import('../secrets/migration.js');
  const choice = await storeChoice(ctx.deps);
  const target = storeName(opts.to);
  if (sameStore(choice.spec, opts.to)) {
    throw new UsageError(`the secrets are in ${target} already (${originOf(choice, ctx.deps.configDir)}); nothing to move`);
  }
  const from = await ctx.deps.secretStore();
  const to = await openSecretStore(opts.to, { env: ctx.deps.env, configDir: ctx.deps.configDir, dataDir: ctx.deps.dataDir, warn: (line) => ctx.out.warn(line), prompt: ctx.global.input });
  const { expected, cached, shared } = configAccounts(config);

  if (opts.dryRun) {
    const plan = await planMigration({ from, to, expected, cached, shared });
    // The real run ends by recording the new store: a config.json it cannot write fails the dry run too (exit 8).
    await updateConfig(ctx.deps.configDir, (latest) => void (latest.store = target), { dryRun: true });
    if (ctx.global.json) {
      ctx.out.json({ from: storeName(choice.spec), to: target, dryRun: true, move: plan.move, inNewStoreToo: plan.inNewStoreToo, notStored: plan.notStored });
      return OK;
    }
    ctx.out.info(`Would move ${plan.move.length} secret(s) from ${from.description} to ${to.description}, then set "store": "${target}" in ${configFile(ctx.deps.configDir)}:`);
    const rows = [['ACCOUNT', 'WOULD']];
    for (const account of plan.move) rows.push([account, plan.inNewStoreToo.includes(account) ? 'move (the new store has it too: compared first)' : 'move']);
    for (const account of plan.notStored) rows.push([account, 'nothing: not stored']);
    for (const row of table(rows)) ctx.out.result(row);
    return OK;
  }

  // An interrupt before the new store is recorded undoes the migration; after, it waits for the end.
  let signal: string | undefined;
  let committed = false;
  const restoreSignals = ctx.deps.onSignal((received) => {
    signal ??= received;
    ctx.out.warn(
      committed
        ? `${received} received: finishing; the new store is recorded already`
        : `${received} received: stopping the migration; what it wrote to the new store will be erased`,
    );
  });
  let result: Awaited<ReturnType<typeof migrate>>;
  try {
    result = await migrate({
      from,
      to,
      expected,
      cached,
      shared,
      interrupted: () => signal,
      committed: () => (committed = true),
      recordNewStore: () =>
        updateConfig(ctx.deps.configDir, (latest) => {
          if (latest.store !== config.store) {
            throw new StoreUnavailableError(`${configFile(ctx.deps.configDir)} changed its "store" during the migration (to ${latest.store ?? 'none'})`);
          }
          latest.store = target;
        }),
    });
  } finally {
    restoreSignals();
  }

  for (const left of result.leftInOldStore) ctx.out.warn(`warning: ${left.account} is still in ${from.description}: ${left.reason}`);
  if (ctx.global.json) {
    ctx.out.json({ from: storeName(choice.spec), to: target, dryRun: false, ...result });
  } else {
    const rows = [['ACCOUNT', 'RESULT']];
    const kept = (account: string) => (result.keptInOldStore.includes(account) ? ' (kept in the old store too: other config folders may use it)' : '');
    for (const account of result.moved) rows.push([account, `${kept(account) ? 'copied' : 'moved'}${kept(account)}`]);
    for (const account of result.alreadyThere) rows.push([account, `in the new store already${kept(account)}`]);
    for (const account of result.notStored) rows.push([account, 'nothing: not stored']);
    for (const row of table(rows)) ctx.out.result(row);
    ctx.out.info(`Moved ${result.moved.length} secret(s) to ${to.description}; ${configFile(ctx.deps.configDir)} now says "store": "${target}".`);
    if (result.leftInOldStore.length === 0) ctx.out.info(`Erased them from ${from.description}.`);
    ctx.out.info(
      opts.to.kind === 'helper' && opts.to.helper === 'pass'
        ? 'Next: share it: commit and push config.json, and run pass git push.'
        : 'Next: if a team shares config.json, commit and push it.',
    );
  }
  const warning = storeWarning(opts.to, to);
  if (warning) ctx.out.warn(warning);
  if (choice.source === 'env') {
    ctx.out.warn(`warning: AMZ_TOKEN_STORE=${storeName(choice.spec)} is set and overrides config.json: unset it, or amz-token keeps looking in the old store`);
  }
  return OK;
}

export function registerStore(program: Program, line: CommandLine): void {
  const store = program
    .command('store')
    .description('show the secret store in use, move every secret to another one (keychain, file, helper:<name>), or prune unused entries')
    .addHelpText('after', helpFooter(['amz-token store show', 'amz-token store migrate --to helper:pass', 'amz-token store prune'], [...STORE_EXIT_CODES.show, ...STORE_EXIT_CODES.migrate, ...STORE_EXIT_CODES.prune]));

  store
    .command('show')
    .description('print the store in use, what chose it (AMZ_TOKEN_STORE, config.json, default) and whether it answers')
    .addHelpText('after', helpFooter(['amz-token store show', 'amz-token store show --json'], STORE_EXIT_CODES.show))
    .action(() => line.choose('store show', {}, runStoreShow));

  store
    .command('prune')
    .description("list the store's entries that no app or profile of this config.json uses; --yes deletes them")
    .option('-y, --yes', 'delete them (without it, only list their names)')
    .addHelpText(
      'after',
      `
Entries are left behind by hand edits of config.json, or by a removal that
could not finish. Only names are shown, never secrets. If another config
folder (AMZ_TOKEN_CONFIG_DIR) shares the store, its entries are listed too:
check the list before --yes.
` + helpFooter(['amz-token store prune', 'amz-token store prune --yes'], STORE_EXIT_CODES.prune),
    )
    .action((flags) => line.choose('store prune', { yes: flags.yes === true }, async (ctx, opts) => (await import('./store-prune.js')).runStorePrune(ctx, opts)));

  store
    .command('migrate')
    .description('move every secret from the store in use to another, then record it in config.json')
    .addOption(
      new Option('--to <store>', 'keychain, file or helper:<name> (runs docker-credential-<name> from PATH)')
        .argParser((value) => storeSpecOf(value, '--to'))
        .makeOptionMandatory(),
    )
    .option('--dry-run', 'list what would move, and change nothing')
    .addHelpText(
      'after',
      `
Reads every secret from the store in use, writes each to the new store and reads
it back, and only then records the new store in config.json and erases the old
entries. Any failure or interrupt before that erases what it wrote and leaves
the old store and config.json as they were (exit 8).
` + helpFooter(['amz-token store migrate --to helper:pass --dry-run', 'amz-token store migrate --to helper:pass'], STORE_EXIT_CODES.migrate),
    )
    .action((flags) => line.choose('store migrate', { to: flags.to, dryRun: flags.dryRun === true }, runStoreMigrate));
}
