/**
 * Where a Bedrock provider's AWS credentials and region come from: the options given in code, else
 * the usual AWS environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, `AWS_REGION` / `AWS_DEFAULT_REGION`), else the AWS SDK's default chain
 * (credential-chain.ts: profiles, shared files, container and instance roles). The secret key and
 * the session token are registered as secrets, so no error, log or dump can show them.
 */
import { registerSecret, SwitchyardError } from '../../src/errors.js';
import type { ProviderSettings } from '../../src/provider-spec.js';

/** Static AWS credentials, as SigV4 needs them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  /** Never logged, never put in an error. */
  readonly secretAccessKey: string;
  /** Temporary credentials' token (STS, SSO, an assumed role). Never logged. */
  readonly sessionToken?: string;
}

/** The environment variables read, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

function configError(settings: ProviderSettings, field: string, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', code: 'config.invalid', message: `providers.${settings.id}.${field}: ${problem}`, provider: settings.id });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The provider's region: `region:` from the config, else `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
export function bedrockRegion(settings: ProviderSettings, environment: Environment): string {
  const region = nonEmpty(settings.region) ?? nonEmpty(environment.AWS_REGION) ?? nonEmpty(environment.AWS_DEFAULT_REGION);
  if (region === undefined) throw configError(settings, 'region', 'required: set region in the config or AWS_REGION in the environment');
  return region;
}

/**
 * Static credentials from `given` or the environment, when either has them; `undefined` when neither
 * names a key at all (the default chain, credential-chain.ts, is then asked). Half a key pair is a
 * config error naming the missing variable. The secret and the token are registered as secrets
 * before anything can echo them.
 */
export function staticAwsCredentials(settings: ProviderSettings, environment: Environment, given?: AwsCredentials): AwsCredentials | undefined {
  const accessKeyId = nonEmpty(given?.accessKeyId ?? environment.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(given?.secretAccessKey ?? environment.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(given === undefined ? environment.AWS_SESSION_TOKEN : given.sessionToken);
  registerSecret(secretAccessKey);
  registerSecret(sessionToken);
  if (accessKeyId === undefined && secretAccessKey === undefined && given === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    const missing = [accessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : undefined, secretAccessKey === undefined ? 'AWS_SECRET_ACCESS_KEY' : undefined].filter((name) => name !== undefined);
    throw configError(settings, 'type', `bedrock needs AWS credentials: set ${missing.join(' and ')} (or give apiKey: a Bedrock API key)`);
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}
