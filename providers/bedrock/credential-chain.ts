/**
 * AWS credentials beyond the environment variables: the AWS SDK's own default chain
 * (`@aws-sdk/credential-provider-node`'s `defaultProvider`, an optional peer dependency loaded the
 * first time a request is signed). It reads, in order, SSO token caches, web identity tokens, the
 * shared files (`AWS_PROFILE`, `~/.aws/credentials` and `~/.aws/config`, or the files
 * `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` name, `credential_process` included), then
 * container (ECS, EKS Pod Identity) and EC2 instance roles. Its provider is memoized and fetches new
 * credentials when the ones it holds are less than five minutes from expiring, so temporary
 * credentials are renewed before they run out. Every secret key and session token it returns is
 * registered as a secret before the signer sees it.
 */
import { registerSecret, redactAndClip, SwitchyardError } from '../../src/errors.js';
import { loadOptionalModule } from '../../src/optional-module.js';
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { AwsCredentials, Environment } from './aws-credentials.js';

/** Resolves the credentials to sign one request with (the same ones until they near expiry). */
export type AwsCredentialSource = () => Promise<AwsCredentials>;

/** What this module uses of `@aws-sdk/credential-provider-node` (kept local so no declaration depends on it). */
export interface CredentialProviderModule {
  readonly defaultProvider: (init?: { readonly profile?: string; readonly filepath?: string; readonly configFilepath?: string }) => () => Promise<AwsCredentials & { readonly expiration?: Date }>;
}

/** Loads the AWS SDK's credential chain. */
export function loadCredentialProviderModule(): Promise<CredentialProviderModule> {
  return loadOptionalModule('@aws-sdk/credential-provider-node', 'AWS credentials beyond environment variables', () => import('@aws-sdk/credential-provider-node') as Promise<unknown> as Promise<CredentialProviderModule>);
}

const INSTALL = '@aws-sdk/credential-provider-node';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The default chain for one provider, as a credential source. `load` brings the AWS SDK's module
 * (tests give one that fails as a missing package does). The profile and file paths are taken from
 * `environment` so an adapter built with its own environment reads its own.
 */
export function credentialChain(settings: ProviderSettings, environment: Environment, load: () => Promise<CredentialProviderModule> = loadCredentialProviderModule): AwsCredentialSource {
  let provider: Promise<() => Promise<AwsCredentials>> | undefined;
  const profile = nonEmpty(environment.AWS_PROFILE);
  const filepath = nonEmpty(environment.AWS_SHARED_CREDENTIALS_FILE);
  const configFilepath = nonEmpty(environment.AWS_CONFIG_FILE);
  const init = { ...(profile === undefined ? {} : { profile }), ...(filepath === undefined ? {} : { filepath }), ...(configFilepath === undefined ? {} : { configFilepath }) };

  return async () => {
    provider ??= load().then(
      (module) => module.defaultProvider(init),
      (error: unknown) => {
        provider = undefined; // a later call may find the package installed
        const missing = SwitchyardError.isInstance(error) && error.category === 'config';
        if (!missing) throw error;
        throw new SwitchyardError({
          category: 'config',
          code: 'config.invalid',
          message: `providers.${settings.id}: bedrock needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, give apiKey (a Bedrock API key), or install ${INSTALL} to use AWS_PROFILE, ~/.aws/credentials and ~/.aws/config, and container or instance roles (npm i ${INSTALL})`,
          provider: settings.id,
          cause: error,
        });
      },
    );
    const resolve = await provider;
    let credentials: AwsCredentials;
    try {
      credentials = await resolve();
    } catch (error) {
      // The chain's own words (which source failed and why) help; they name files and profiles, not secrets.
      const reason = error instanceof Error ? redactAndClip(error.message, 300, '') : 'unknown failure';
      throw new SwitchyardError({
        category: 'auth',
        code: 'auth.provider',
        message: `providers.${settings.id}: no AWS credentials found${profile === undefined ? '' : ` for profile ${profile}`}: ${reason}`,
        provider: settings.id,
      });
    }
    registerSecret(credentials.secretAccessKey);
    registerSecret(credentials.sessionToken);
    return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }) };
  };
}
