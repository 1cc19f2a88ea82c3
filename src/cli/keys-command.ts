/**
 * `switchyard keys <create|list|show|disable|delete|usage> --config <file>`: the gateway's virtual
 * keys, read and changed in the store the config names (`gateway.store.url`), without a running
 * gateway. A created key is printed once; the store keeps only its hash.
 */
import { resolveGateway } from '../config/resolve-gateway.js';
import { ConfigError } from '../config/config-error.js';
import { keyView } from '../gateway/admin-api.js';
import { openKeyStore } from '../gateway/store/open-key-store.js';
import type { CreateKeyInput, KeyRecord, KeyStore } from '../gateway/store/types.js';
import type { CommandIo } from './canary-command.js';
import { loadForInspection, parseCommandArgs, table, usageError, type ConfigCommandOptions } from './config-support.js';

const USAGE = `Usage: switchyard keys <command> --config <switchyard.yaml> [options]

Commands:
  create --name <name> [--tenant <t>] [--routes a,b] [--quota-tokens <n>] [--quota-usd <x>]
         [--rpm <n>] [--tpm <n>] [--concurrency <n>] [--subnets 10.0.0.0/8,…] [--expires <ISO date>]
                          create a key; prints it once (the store keeps only its hash)
  list                    every key: id, name, tenant, state, quota and use
  show <id>               one key in full
  disable <id>            stop a key from working (within gateway.store.keyCacheTtl on running gateways)
  enable <id>             let a disabled key work again
  delete <id>             delete a key (its usage history stays)
  usage <id> [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                          the key's calls, errors, tokens and cost per day, route and model

Options:
  -c, --config <file>     the config whose gateway.store.url names the store
      --json              print JSON
  -h, --help              print this help

Exit codes: 0 done, 1 failed (unknown key, store unreachable, invalid config), 2 usage mistake.
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  name: { type: 'string' },
  tenant: { type: 'string' },
  routes: { type: 'string' },
  'quota-tokens': { type: 'string' },
  'quota-usd': { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  subnets: { type: 'string' },
  expires: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

class UsageMistake extends Error {}

function wholeNumber(values: Record<string, unknown>, option: string): number | undefined {
  const text = values[option];
  if (typeof text !== 'string') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageMistake(`--${option} must be a whole number, not ${JSON.stringify(text)}.`);
  return value;
}

function list(values: Record<string, unknown>, option: string): string[] | undefined {
  const text = values[option];
  return typeof text === 'string' ? text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '') : undefined;
}

/** The key settings given on the command line. */
function createInput(values: Record<string, unknown>): CreateKeyInput {
  const name = values['name'];
  if (typeof name !== 'string' || name === '') throw new UsageMistake('keys create needs --name <name>.');
  const tokens = wholeNumber(values, 'quota-tokens');
  const usdText = values['quota-usd'];
  const usd = typeof usdText === 'string' ? Number(usdText) : undefined;
  if (usd !== undefined && !(Number.isFinite(usd) && usd >= 0)) throw new UsageMistake(`--quota-usd must be an amount of US dollars, not ${JSON.stringify(usdText)}.`);
  const expires = values['expires'];
  const expiresAt = typeof expires === 'string' ? Date.parse(expires) : undefined;
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) throw new UsageMistake(`--expires must be an ISO 8601 date such as 2027-01-31T00:00:00Z, not ${JSON.stringify(expires)}.`);
  const rpm = wholeNumber(values, 'rpm');
  const tpm = wholeNumber(values, 'tpm');
  const concurrency = wholeNumber(values, 'concurrency');
  const routes = list(values, 'routes');
  const subnets = list(values, 'subnets');
  return {
    name,
    quota: tokens === undefined && usd === undefined ? 'unlimited' : { ...(tokens === undefined ? {} : { tokens }), ...(usd === undefined ? {} : { usd }) },
    limits: { ...(rpm === undefined ? {} : { rpm }), ...(tpm === undefined ? {} : { tpm }), ...(concurrency === undefined ? {} : { concurrency }) },
    ...(typeof values['tenant'] === 'string' ? { tenant: values['tenant'] } : {}),
    ...(routes === undefined ? {} : { routes }),
    ...(subnets === undefined ? {} : { subnets }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}

function quotaText(record: KeyRecord): string {
  if (record.quota === 'unlimited') return 'unlimited';
  const parts = [];
  if (record.quota.tokens !== undefined) parts.push(`${record.used.tokens}/${record.quota.tokens} tokens`);
  if (record.quota.usd !== undefined) parts.push(`$${record.used.usd.toFixed(4)}/$${record.quota.usd}`);
  return parts.join(', ');
}

function stateText(record: KeyRecord): string {
  if (!record.enabled) return 'disabled';
  if (record.expiresAt !== undefined && record.expiresAt <= Date.now()) return 'expired';
  return 'active';
}

/** Runs `switchyard keys …`; resolves with the exit code. */
export async function keysCommand(argv: readonly string[], io: CommandIo, options: ConfigCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, OPTIONS);
  if ('mistake' in parsed) return usageError(io, USAGE, parsed.mistake);
  const [command, id, ...extra] = parsed.positionals;
  if (parsed.values.help === true || command === undefined) {
    if (command === undefined && parsed.values.help !== true) return usageError(io, USAGE, 'Missing the keys command.');
    io.stdout(USAGE);
    return 0;
  }
  const file = parsed.values.config;
  if (typeof file !== 'string') return usageError(io, USAGE, 'Missing --config <file> (its gateway.store.url names the store).');
  const needsId = ['show', 'disable', 'enable', 'delete', 'usage'].includes(command);
  if (!['create', 'list', ...(needsId ? [command] : [])].includes(command)) return usageError(io, USAGE, `Unknown keys command ${JSON.stringify(command)}.`);
  if (needsId && (id === undefined || id === '')) return usageError(io, USAGE, `keys ${command} needs the key's id (see \`switchyard keys list\`).`);
  if (extra.length > 0 || (!needsId && id !== undefined)) return usageError(io, USAGE, `Unexpected argument ${JSON.stringify(extra[0] ?? id)}.`);

  let store: KeyStore | undefined;
  try {
    const { config } = loadForInspection(file, options.env ?? process.env);
    const settings = config.gateway ?? resolveGateway(undefined);
    store = await openKeyStore(settings.store.url);
    const json = parsed.values.json === true;
    const print = (value: unknown, text: string): void => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
    switch (command) {
      case 'create': {
        const { record, plainKey } = await store.createKey(createInput(parsed.values));
        print({ key: plainKey, ...keyView(record) }, `${plainKey}\n\nkey ${record.id} "${record.name}" (tenant ${record.tenant}, quota ${quotaText(record)}). The key is shown once: store it now.`);
        return 0;
      }
      case 'list': {
        const records = await store.listKeys();
        print(records.map(keyView), records.length === 0 ? 'no keys' : table([['id', 'name', 'tenant', 'prefix', 'state', 'quota', 'source'], ...records.map((record) => [record.id, record.name, record.tenant, record.displayPrefix, stateText(record), quotaText(record), record.source])]));
        return 0;
      }
      case 'usage': {
        const record = await found(store, id as string);
        const rows = await store.usage({ keyId: record.id, ...(typeof parsed.values.from === 'string' ? { from: parsed.values.from } : {}), ...(typeof parsed.values.to === 'string' ? { to: parsed.values.to } : {}) });
        print(
          rows,
          rows.length === 0
            ? `no usage for ${record.id} "${record.name}"`
            : table([
                ['day', 'route', 'model', 'calls', 'errors', 'input', 'output', 'cache read', 'cache write', 'reasoning', 'usd'],
                ...rows.map((row) => [row.day, row.route, row.model, String(row.calls), String(row.errors), String(row.inputTokens), String(row.outputTokens), String(row.cachedTokens), String(row.cacheWriteTokens), String(row.reasoningTokens), row.usd.toFixed(6)]),
              ]),
        );
        return 0;
      }
      case 'show': {
        const record = await found(store, id as string);
        print(keyView(record), JSON.stringify(keyView(record), null, 2));
        return 0;
      }
      case 'disable':
      case 'enable': {
        await found(store, id as string);
        const record = await store.updateKey(id as string, { enabled: command === 'enable' });
        print(record === undefined ? {} : keyView(record), `key ${id} ${command}d`);
        return 0;
      }
      default: {
        await found(store, id as string);
        await store.deleteKey(id as string);
        print({ id, deleted: true }, `key ${id} deleted`);
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageMistake) return usageError(io, USAGE, error.message);
    io.stderr(`${ConfigError.isConfigError(error) || error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await store?.close();
  }
}

async function found(store: KeyStore, id: string): Promise<KeyRecord> {
  const record = await store.getKey(id);
  if (record === undefined) throw new Error(`no key ${JSON.stringify(id)} in the store`);
  return record;
}
