/**
 * The signer against an independent reference: the SigV4 steps written out with node:crypto, after
 * AWS's "Create a signed AWS API request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
 * canonical request (each path segment URI-encoded twice for every service but S3), string to sign,
 * signing key, signature. The simulator checks signatures with the same signer it tests, so a
 * mistake in how requests reach it (the path of a model id with a `:`, the host with a port) would
 * pass there; here it cannot.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRequestSigner } from './sigv4.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const REGION = 'us-east-1';
const DATE = new Date('2026-12-08T03:04:05Z');

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);

/** The signature SigV4 gives `headers` (those named in `signedHeaders`) on a POST of `body` to `url`. */
function referenceSignature(url: URL, headers: Readonly<Record<string, string>>, signedHeaders: readonly string[], body: string): string {
  const canonicalUri = url.pathname.split('/').map(uriEncode).join('/');
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${(headers[name] ?? '').trim()}\n`).join('');
  const canonicalRequest = ['POST', canonicalUri, '', canonicalHeaders, signedHeaders.join(';'), sha256(body)].join('\n');
  const amzDate = headers['x-amz-date'] ?? '';
  const scope = `${amzDate.slice(0, 8)}/${REGION}/bedrock/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, amzDate.slice(0, 8)), REGION), 'bedrock'), 'aws4_request');
  return createHmac('sha256', signingKey).update(stringToSign).digest('hex');
}

describe('createRequestSigner', () => {
  it.each([
    ['a model id with a colon', 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke'],
    ['a host with a port (the simulator)', 'http://127.0.0.1:8123/model/amazon.nova-lite-v1%3A0/converse'],
  ])('signs %s as the SigV4 reference does', async (_name, address) => {
    const url = new URL(address);
    const body = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });
    const signed = await createRequestSigner(CREDENTIALS, REGION)({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body }, DATE);
    const authorization = signed.authorization ?? '';
    const match = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261208\/us-east-1\/bedrock\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
    expect(match, authorization).not.toBeNull();
    const signedHeaders = (match?.[1] ?? '').split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['content-type', 'host', 'x-amz-date']));
    expect(signed.host).toBe(url.host);
    expect(match?.[2]).toBe(referenceSignature(url, signed, signedHeaders, body));
  });
});
