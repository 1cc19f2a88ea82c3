/**
 * The schema of the `gateway:` section: what `switchyard serve` listens on, its admin key, its
 * store of virtual keys, CORS, proxies in front of it, and keys declared in the file. Strict like
 * the rest of the config.
 */
import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration-schema.js';
import { sizeSchema as size } from './extensions-schema.js';

/** An IPv4 or IPv6 CIDR block, or a single address. */
const cidrSchema = z.string().refine((value) => cidrProblem(value) === undefined, { error: 'expected an IP address or CIDR block such as 10.0.0.0/8 or fd00::/8' });

/** Why a string is not an address or CIDR block; undefined when it is one. */
export function cidrProblem(value: string): string | undefined {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || address === undefined) return 'too many "/"';
  const version = address.includes(':') ? 6 : 4;
  if (version === 4 && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(address)) return 'not an IPv4 address';
  if (version === 4 && address.split('.').some((octet) => Number(octet) > 255)) return 'not an IPv4 address';
  if (version === 6 && !/^[0-9a-fA-F:.]+$/.test(address)) return 'not an IPv6 address';
  if (bits === undefined) return undefined;
  const prefix = Number(bits);
  if (!/^\d+$/.test(bits) || prefix > (version === 4 ? 32 : 128)) return 'not a prefix length';
  return undefined;
}

const quotaSchema = z.union([
  z.literal('unlimited'),
  z
    .strictObject({
      tokens: z.number().int().min(0).optional().describe('Input plus output tokens the key may use in all.'),
      usd: z.number().min(0).optional().describe('US dollars the key may spend in all, priced from `pricing`.'),
    })
    .refine((quota) => quota.tokens !== undefined || quota.usd !== undefined, { error: 'a quota needs `tokens` or `usd` (or write `unlimited`)' }),
]);

const keyLimitsSchema = z.strictObject({
  rpm: z.number().int().min(1).optional().describe('Requests per minute for this key, shared across gateway instances.'),
  tpm: z.number().int().min(1).optional().describe('Tokens per minute for this key.'),
  concurrency: z.number().int().min(1).optional().describe('Calls in flight at once for this key.'),
});

/** A virtual key declared in the file (static; small setups). */
export const staticKeySchema = z.strictObject({
  name: z.string().min(1).max(200).describe('What the key is for; shown in the admin API, logs and usage.'),
  key: z
    .string()
    .regex(/^sy-[A-Za-z0-9_-]{20,200}$/, { error: 'a virtual key is "sy-" and at least 20 letters, digits, "-" or "_" (create one with `switchyard keys create`)' })
    .describe('The key callers send, written as `"${APP_KEY}"`; a secret, stored only as a hash.'),
  tenant: z.string().min(1).optional().describe('The tenant calls of this key count against (rate limits, audit). @default the key\'s name'),
  routes: z.array(z.string().min(1)).optional().describe('Routes (and `provider/model` names) the key may call. @default every route'),
  quota: quotaSchema.optional().describe('Tokens and/or US dollars the key may use. @default `unlimited`'),
  limits: keyLimitsSchema.optional().describe('Per-key rate limits. @default none'),
  subnets: z.array(cidrSchema).optional().describe('Client addresses the key is accepted from. @default any'),
  expiresAt: z.iso.datetime({ offset: true }).optional().describe('When the key stops working (ISO 8601). @default never'),
  metadata: z.record(z.string(), z.string()).optional().describe('Free-form labels kept with the key.'),
});

/** Where the gateway keeps virtual keys, reservations and the usage ledger. */
const storeSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .refine((url) => /^(sqlite:|postgres(ql)?:\/\/)/.test(url), { error: 'expected `sqlite:<file>` (embedded) or `postgres://user@host:5432/db`' })
    .optional()
    .describe('`sqlite:<file>` (embedded, one instance) or `postgres://…` (several instances). @default `sqlite:./switchyard-gateway.db`'),
  keyCacheTtl: durationSchema.optional().describe('How long a key record read from the store is trusted before it is read again (a disabled key stops working within this). @default `5s`'),
  staleFor: durationSchema.optional().describe('While the store is down, keys verified before keep working this long. @default `10m`'),
  sweepInterval: durationSchema.optional().describe('How often reservations of calls whose instance died are charged and closed (`0`: never, another instance does it). @default `30s`'),
});

const corsSchema = z.strictObject({
  origins: z.array(z.string().min(1)).min(1).describe('Origins allowed to call from a browser (`*` for any).'),
});

/** The `gateway:` section. */
export const gatewaySchema = z.strictObject({
  host: z.string().min(1).optional().describe('Address to listen on. @default `127.0.0.1`'),
  port: z.number().int().min(0).max(65_535).optional().describe('Port to listen on (0 picks a free one). @default `8080`'),
  bodyLimit: size.optional().describe('Largest request body accepted. @default `4MB`'),
  adminKey: z.string().optional().describe('Bearer key of the admin API, written as `"${SWITCHYARD_ADMIN_KEY}"`; a secret. @default admin API off'),
  store: storeSchema.optional().describe('Where virtual keys, reservations and the usage ledger live.'),
  cors: z.union([z.literal(false), corsSchema]).optional().describe('Browser access. @default `false` (off)'),
  trustedProxies: z.number().int().min(0).max(10).optional().describe('Proxies in front of the gateway (Nginx): the client address is taken that many hops back in `X-Forwarded-For`. @default `0`'),
  timeouts: z
    .strictObject({
      headers: positiveDurationSchema.optional().describe('Time a client has to send the request headers. @default `10s`'),
      body: positiveDurationSchema.optional().describe('Time a client has to send the request body. @default `30s`'),
      shutdown: positiveDurationSchema.optional().describe('On SIGTERM, how long calls in flight may take to finish. @default `30s`'),
    })
    .optional()
    .describe('Client-side timeouts and the shutdown deadline.'),
  streamBuffer: size.optional().describe('Bytes buffered for a streaming client that stops reading; past it the stream is cut. @default `1MB`'),
  fileIds: z
    .enum(['allow', 'refuse'])
    .optional()
    .describe('Whether calls may name uploaded files by id (`file_id`). The ids resolve in the providers\' accounts, shared by every virtual key, so `allow` lets any key read any file uploaded there. @default `refuse`'),
  log: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional().describe('Access-log and event level. @default `info`'),
      format: z.enum(['json', 'pretty']).optional().describe('`json`: one line per request; `pretty`: readable in a terminal. @default `json`'),
    })
    .optional()
    .describe('The access log.'),
  keys: z.array(staticKeySchema).max(10_000).optional().describe('Virtual keys declared in the file. @default `[]`'),
});
