/**
 * AWS Signature Version 4 for Bedrock requests, by the signer the AWS SDK itself uses
 * (`@smithy/signature-v4` with `@smithy/hash-node`'s SHA-256). Both are optional peer
 * dependencies, loaded the first time a Bedrock provider signs: a missing one is a `config` error
 * saying what to install.
 */
import { loadOptionalModule } from '../../src/optional-module.js';
import type { AwsCredentials } from './aws-credentials.js';

/** The SigV4 service name of Bedrock's runtime endpoints. */
export const BEDROCK_SIGNING_SERVICE = 'bedrock';

/** The request a signer sees: what goes on the wire, `host` included. */
export interface SignableRequest {
  readonly method: 'POST' | 'GET';
  readonly url: URL;
  /** Lower-case names. `host` is added from the URL. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Signs requests: resolves with the headers to send (`authorization`, `x-amz-date`, …, `host` included). */
export type RequestSigner = (request: SignableRequest, signingDate?: Date) => Promise<Record<string, string>>;

/** What this module uses of `@smithy/signature-v4` (kept local so no declaration depends on it). */
interface SignerModule {
  readonly SignatureV4: new (init: {
    readonly credentials: AwsCredentials | (() => Promise<AwsCredentials>);
    readonly region: string;
    readonly service: string;
    readonly sha256: unknown;
  }) => { sign(request: SmithyRequest, options?: { signingDate?: Date }): Promise<SmithyRequest> };
}

/** What this module uses of `@smithy/hash-node`. */
interface HashModule {
  readonly Hash: new (algorithm: string, secret?: unknown) => unknown;
}

/** The request shape the smithy signer reads. */
interface SmithyRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let modules: Promise<[SignerModule, HashModule]> | undefined;

/** Loads the signer and the hash once per process. */
function loadModules(): Promise<[SignerModule, HashModule]> {
  modules ??= Promise.all([
    loadOptionalModule('@smithy/signature-v4', 'Bedrock', () => import('@smithy/signature-v4') as Promise<unknown> as Promise<SignerModule>),
    loadOptionalModule('@smithy/hash-node', 'Bedrock', () => import('@smithy/hash-node') as Promise<unknown> as Promise<HashModule>),
  ]).catch((error: unknown) => {
    modules = undefined; // a later call may find the package installed
    throw error;
  });
  return modules;
}

/** The smithy request for `request`: the URL's parts and the headers, `host` added. */
function smithyRequestOf(request: SignableRequest): SmithyRequest {
  const { url } = request;
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return {
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query,
    headers: { ...request.headers, host: url.host },
    body: request.body,
  };
}

/**
 * A signer for one region and one set of credentials, or a source of them asked at every signing
 * (the default chain, which renews them before they expire) (the SDK's `SignatureV4`, made once on
 * first use). `signingDate` is for tests and for the simulator, which recomputes a signature at the
 * date the request names.
 */
export function createRequestSigner(credentials: AwsCredentials | (() => Promise<AwsCredentials>), region: string, service: string = BEDROCK_SIGNING_SERVICE): RequestSigner {
  let signer: Promise<InstanceType<SignerModule['SignatureV4']>> | undefined;
  return async (request, signingDate) => {
    signer ??= loadModules().then(([{ SignatureV4 }, { Hash }]) => new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, 'sha256') }));
    let instance: InstanceType<SignerModule['SignatureV4']>;
    try {
      instance = await signer;
    } catch (error) {
      signer = undefined;
      throw error;
    }
    const signed = await instance.sign(smithyRequestOf(request), signingDate === undefined ? undefined : { signingDate });
    return { ...signed.headers };
  };
}
