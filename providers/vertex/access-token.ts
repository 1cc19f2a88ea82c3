/**
 * Google OAuth access tokens for Vertex AI: from `google-auth-library` (a service-account JSON key,
 * `GOOGLE_APPLICATION_CREDENTIALS`, or Application Default Credentials: gcloud, the metadata
 * server), or a provider of your own, or a fixed token. Tokens are cached until shortly before they
 * expire, one refresh at a time, and registered as secrets so no error or log can show them.
 * `google-auth-library` is an optional peer dependency, loaded on the first call that needs it.
 */
import { isTransportFailure } from '../../src/http/transport-errors.js';
import { registerSecret, SwitchyardError } from '../../src/errors.js';
import { loadOptionalModule } from '../../src/optional-module.js';

/** An access token and, when known, when it stops working (epoch milliseconds). */
export interface AccessToken {
  readonly token: string;
  readonly expiresAt?: number;
}

/** Gets a fresh access token (or one that is still valid). */
export type AccessTokenProvider = () => Promise<AccessToken>;

/** The OAuth scope Vertex AI calls need. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** A token is renewed this long before it expires, so no request carries one that dies on the way. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** What this module uses of `google-auth-library` (kept local so no declaration depends on it). */
interface GoogleAuthModule {
  readonly GoogleAuth: new (options: Record<string, unknown>) => {
    getClient(): Promise<{
      getAccessToken(): Promise<{ token?: string | null }>;
      readonly credentials?: { readonly expiry_date?: number | null };
    }>;
  };
}

/** Options of `createGoogleAuthTokenProvider`. */
export interface GoogleAuthTokenOptions {
  /** A service-account JSON key file. @default GOOGLE_APPLICATION_CREDENTIALS, then ADC */
  readonly keyFile?: string;
  /** More `GoogleAuth` options (`clientOptions`, `credentials`, …), passed as they are. */
  readonly googleAuthOptions?: Readonly<Record<string, unknown>>;
}

/** Tokens from `google-auth-library`'s `GoogleAuth` with the cloud-platform scope. */
export function createGoogleAuthTokenProvider(options: GoogleAuthTokenOptions = {}): AccessTokenProvider {
  let client: ReturnType<InstanceType<GoogleAuthModule['GoogleAuth']>['getClient']> | undefined;
  return async () => {
    client ??= loadOptionalModule('google-auth-library', 'Vertex AI', () => import('google-auth-library') as Promise<unknown> as Promise<GoogleAuthModule>).then(({ GoogleAuth }) =>
      new GoogleAuth({ scopes: CLOUD_PLATFORM_SCOPE, ...(options.keyFile === undefined ? {} : { keyFilename: options.keyFile }), ...options.googleAuthOptions }).getClient(),
    );
    let authClient: Awaited<typeof client>;
    try {
      authClient = await client;
    } catch (error) {
      client = undefined; // the next call tries again (a key file written since, a package installed)
      throw error;
    }
    const { token } = await authClient.getAccessToken();
    if (typeof token !== 'string' || token === '') throw new Error('google-auth-library returned no access token');
    const expiry = authClient.credentials?.expiry_date;
    return { token, ...(typeof expiry === 'number' ? { expiresAt: expiry } : {}) };
  };
}

/** A fixed token (`apiKey` in the config: e.g. `gcloud auth print-access-token`). */
export function staticTokenProvider(token: string): AccessTokenProvider {
  const value: AccessToken = { token };
  return () => Promise.resolve(value);
}

/**
 * `network` when the token endpoint (or metadata server) could not be reached or failed with a
 * 5xx; `auth` when it refused the credentials (a 4xx such as `invalid_grant`), or none were found.
 */
function tokenFailureCategory(error: unknown): 'auth' | 'network' {
  type Failure = { readonly code?: unknown; readonly status?: unknown; readonly config?: unknown; readonly response?: { readonly status?: unknown }; readonly error?: unknown; readonly cause?: unknown } | null | undefined;
  const top = error as Failure;
  const status = top?.response?.status ?? top?.status;
  if (typeof status === 'number') return status >= 500 ? 'network' : 'auth';
  // A request that got no answer: gaxios keeps fetch's failure in `error`, its socket error in `cause`.
  for (let link = top, depth = 0; link !== null && link !== undefined && depth < 5; link = (link.error ?? link.cause) as Failure, depth += 1) {
    // The transport's own test (socket, DNS, TLS, undici codes): worth another try, unlike a refused key.
    if (isTransportFailure(link)) return 'network';
  }
  return top !== null && top !== undefined && top.config !== undefined && top.response === undefined ? 'network' : 'auth';
}

/**
 * `provider`'s tokens, each kept until `marginMs` before it expires (a token without an expiry is
 * kept until a call fails with `auth`, see `invalidate`); concurrent calls share one refresh.
 * Failures become `auth` errors naming the provider, never the credential.
 */
export function cachedTokenProvider(provider: AccessTokenProvider, providerId: string, now: () => number = Date.now, marginMs: number = TOKEN_REFRESH_MARGIN_MS): { readonly token: () => Promise<string>; readonly invalidate: () => void } {
  let cached: AccessToken | undefined;
  let refreshing: Promise<AccessToken> | undefined;
  const fresh = (token: AccessToken): boolean => token.expiresAt === undefined || token.expiresAt - marginMs > now();
  return {
    async token() {
      if (cached !== undefined && fresh(cached)) return cached.token;
      refreshing ??= provider().then(
        (token) => {
          registerSecret(token.token);
          cached = token;
          refreshing = undefined;
          return token;
        },
        (error: unknown) => {
          refreshing = undefined;
          if (SwitchyardError.isInstance(error)) throw error.with({ provider: error.provider ?? providerId });
          const reason = error instanceof Error ? error.message : String(error);
          const category = tokenFailureCategory(error);
          throw new SwitchyardError({ category, code: category === 'auth' ? 'auth.provider' : 'network.other', message: `${providerId}: could not get a Google access token: ${reason}`, provider: providerId, cause: error });
        },
      );
      return (await refreshing).token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
