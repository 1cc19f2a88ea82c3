/**
 * AWS credentials beyond the environment variables: the AWS SDK's own default chain
 * (`@aws-sdk/credential-provider-node`'s `defaultProvider`, an optional peer dependency loaded the
 * first time a request is signed). It reads, in order, SSO token caches, web identity tokens, the
 * shared files (`AWS_PROFILE`, `~/.aws/credentials` and `~/.aws/config`, or the files
 * `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` name, `credential_process` included), then
 * container (ECS, EKS Pod Identity) and EC2 instance roles. Its provider is memoized and fetches new
 * credentials when the ones it holds are less than five minutes from expiring, so temporary
 * credentials are renewed before they run out. When a container credentials endpoint is configured
 * and fails, the error is `network` (retried), not `auth`. The secret key and session token it
 * returns are registered as secrets before the signer sees them, replacing the ones it returned
 * before.
 */
import { redactAndClip, replaceSlotSecrets, SwitchyardError } from '../../src/errors.js';
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
 * What the SDK's chain throws when every source let it go on to the next one. A source that failed
 * for a reason of its own (an endpoint that timed out, refused the connection or answered 500) says
 * "try the next source" too, so its error is dropped and only this one reaches us.
 */
const END_OF_CHAIN = 'Could not load credentials from any providers';

function isEndOfChain(error: unknown): boolean {
  return error instanceof Error && error.name === 'CredentialsProviderError' && error.message === END_OF_CHAIN;
}

/**
 * The variable naming a container credentials endpoint (ECS, EKS Pod Identity), if one is set. Read
 * from `process.env`, as the SDK reads it. With one set, the endpoint is the chain's last source, so
 * reaching the end of the chain means it failed: unreachable, timed out or answering with an error,
 * which may pass, unlike credentials that are not there. (Without one, the last source is the EC2
 * instance metadata service, whose silence is also how "not on EC2" looks: that stays `auth`.)
 */
function containerEndpointVariable(): string | undefined {
  return ['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'].find((name) => nonEmpty(process.env[name]) !== undefined);
}

/**
 * The default chain for one provider, as a credential source. `load` brings the AWS SDK's module
 * (tests give one that fails as a missing package does). The profile and file paths are taken from
 * `environment` so an adapter built with its own environment reads its own.
 */
export function credentialChain(settings: ProviderSettings, environment: Environment, load: () => Promise<CredentialProviderModule> = loadCredentialProviderModule): AwsCredentialSource {
  let provider: Promise<() => Promise<AwsCredentials>> | undefined;
  const registrySlot = {};
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
      const endpoint = containerEndpointVariable();
      if (endpoint !== undefined && isEndOfChain(error)) {
        throw new SwitchyardError({
          category: 'network',
          code: 'network.other',
          message: `providers.${settings.id}: the container credentials endpoint (${endpoint}) gave no AWS credentials: it did not answer, or answered with an error`,
          provider: settings.id,
        });
      }
      // The chain's own words (which source failed and why) help; they name files and profiles, not secrets.
      const reason = error instanceof Error ? redactAndClip(error.message, 300, '') : 'unknown failure';
      throw new SwitchyardError({
        category: 'auth',
        code: 'auth.provider',
        message: `providers.${settings.id}: no AWS credentials found${profile === undefined ? '' : ` for profile ${profile}`}: ${reason}`,
        provider: settings.id,
      });
    }
    // Replaces this source's previous pair: renewed credentials would otherwise pile up for the process's life.
    replaceSlotSecrets(registrySlot, [credentials.secretAccessKey, credentials.sessionToken]);
    return { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }) };
  };
}
