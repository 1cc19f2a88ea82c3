/**
 * Google's OAuth 2.0 token endpoint for service accounts, as the simulator serves it
 * (`POST /token`): the JWT-bearer grant of RFC 7523 that google-auth-library sends for a
 * service-account key (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`).
 * The assertion must be an RS256 JWT signed by the service account's key, issued by its email, for
 * Google's token URL and not expired; the answer is `{ access_token, expires_in, token_type }`
 * with the simulator's API key as the token, or `400 { error: "invalid_grant" }` as Google answers.
 * Reference: "Using OAuth 2.0 for Server to Server Applications" (developers.google.com/identity).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The path the simulator serves the token endpoint on. */
export const GOOGLE_TOKEN_PATH = '/token';

/** The audience Google's token endpoint expects in the assertion. */
const TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

/** The service account the simulator knows: its email and the public half of its key (PEM). */
export interface SimServiceAccount {
  readonly clientEmail: string;
  readonly publicKey: string;
}

/** The endpoint's answer. */
export interface TokenAnswer {
  readonly status: number;
  readonly body: unknown;
}

function invalidGrant(description: string): TokenAnswer {
  return { status: 400, body: { error: 'invalid_grant', error_description: description } };
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Answers one token request (`rawBody` form-encoded) for `account`, issuing `accessToken`. */
export function answerTokenRequest(rawBody: string, account: SimServiceAccount | undefined, accessToken: string, now: number = Date.now()): TokenAnswer {
  if (account === undefined) return { status: 404, body: { error: 'not_found', error_description: 'the simulator was started without a googleServiceAccount' } };
  const form = new URLSearchParams(rawBody);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } };
  const [header, payload, signature] = (form.get('assertion') ?? '').split('.');
  if (header === undefined || payload === undefined || signature === undefined) return invalidGrant('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe');
  const claims = decodeSegment(payload);
  if (decodeSegment(header)?.alg !== 'RS256' || claims === undefined) return invalidGrant('Invalid JWT Signature.');
  let key: KeyObject;
  try {
    key = createPublicKey(account.publicKey);
  } catch {
    return invalidGrant('Invalid JWT Signature.');
  }
  if (!verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'))) return invalidGrant('Invalid JWT Signature.');
  if (claims.iss !== account.clientEmail) return invalidGrant('Invalid JWT: issuer is not the service account');
  if (claims.aud !== TOKEN_AUDIENCE) return invalidGrant('Invalid JWT: audience is not the token endpoint');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < now) return invalidGrant('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe');
  return { status: 200, body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' } };
}
