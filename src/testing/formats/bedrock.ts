/**
 * Amazon Bedrock's InvokeModel API for Anthropic models, as the simulator speaks it:
 * `POST /model/{modelId}/invoke` and `/invoke-with-response-stream`. Written from the Bedrock
 * Runtime API reference (InvokeModel, InvokeModelWithResponseStream, common errors) and the
 * Anthropic-on-Bedrock request shape (anthropics/anthropic-sdk-typescript `packages/bedrock-sdk`):
 * the body is the Anthropic Messages body without `model` and `stream`, with
 * `anthropic_version: "bedrock-2023-05-31"`; the answer is Anthropic's message; a stream is AWS
 * event-stream framing whose `chunk` events carry each Anthropic event as base64 `bytes`.
 *
 * Every request's SigV4 signature is recomputed with the same signer and the simulator's AWS
 * credentials; a missing, unknown or wrong one is answered 403 as AWS does. A Bedrock API key
 * (`Authorization: Bearer …`) is checked against the simulator's API key.
 */
import { randomUUID } from 'node:crypto';
import { createRequestSigner } from '../../../providers/bedrock/sigv4.js';
import type { SimAnswer, SimCredentials, SimParsedRequest, SimRawRequest, SimRejection, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { anthropicFormat } from './anthropic.js';
import { headerValue, isObject } from './wire-helpers.js';

/** The `anthropic_version` Bedrock requires. */
const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** Bedrock's error type for each status, per the InvokeModel reference. */
const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/** The Bedrock error type a status is answered with. */
export function bedrockErrorTypeForStatus(status: number): string {
  return ERROR_TYPE_BY_STATUS[status] ?? (status < 500 ? 'ValidationException' : 'InternalServerException');
}

/** An AWS REST-JSON error: the type in `x-amzn-errortype`, `{ message }` in the body. */
export function bedrockErrorResponse(status: number, type: string, message: string): SimRejection {
  return {
    status,
    body: { message },
    headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': randomUUID() },
  };
}

/** The `match` of a Bedrock runtime route: `POST /model/{modelId}/{action}`, or `/{streamAction}` for a stream. */
export function bedrockRouteMatcher(action: string, streamAction: string): WireFormat['match'] {
  const path = new RegExp(`^/model/([^/]+)/(${action}|${streamAction})$`);
  return (method, url) => {
    if (method !== 'POST') return undefined;
    const found = path.exec(url.pathname);
    if (found === null) return undefined;
    return { pathModel: decodeURIComponent(found[1] ?? ''), pathStream: found[2] === streamAction };
  };
}

/** A failed answer as `renderError` gives it: the status's Bedrock error type and `message`. */
function renderBedrockError(status: number, message: string): ReturnType<WireFormat['renderError']> {
  const rendered = bedrockErrorResponse(status, bedrockErrorTypeForStatus(status), message);
  return { body: rendered.body, ...(rendered.headers === undefined ? {} : { headers: rendered.headers }) };
}

/** The parts of a SigV4 `Authorization` header. */
interface SigV4Authorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function parseAuthorization(value: string): SigV4Authorization | undefined {
  const match = AUTHORIZATION.exec(value.trim());
  if (match === null) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  return { accessKeyId: accessKeyId!, date: date!, region: region!, service: service!, signedHeaders: signedHeaders!.split(';'), signature: signature! };
}

/** `20260101T000000Z` as a date. */
function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number);
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

/** Headers the signer adds itself; the rest of the signed ones are given to it as received. */
const ADDED_BY_SIGNER = new Set(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);

/** Recomputes the request's signature with the simulator's credentials: a rejection, or undefined when it matches. */
async function verifySignature(request: SimRawRequest, aws: SimCredentials['aws']): Promise<SimRejection | undefined> {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization === undefined) return bedrockErrorResponse(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parsed = parseAuthorization(authorization);
  if (parsed === undefined) return bedrockErrorResponse(400, 'IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders and Signature parameters.');
  if (parsed.accessKeyId !== aws.accessKeyId) return bedrockErrorResponse(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  if ((aws.sessionToken ?? '') !== (headerValue(request.headers, 'x-amz-security-token') ?? '')) {
    return bedrockErrorResponse(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const signingDate = parseAmzDate(headerValue(request.headers, 'x-amz-date') ?? '');
  if (signingDate === undefined) return bedrockErrorResponse(400, 'IncompleteSignatureException', 'Date must be in ISO-8601 basic format in the x-amz-date header.');
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = headerValue(request.headers, name);
    if (value !== undefined && !ADDED_BY_SIGNER.has(name)) headers[name] = value;
  }
  const host = headerValue(request.headers, 'host') ?? request.url.host;
  const sign = createRequestSigner(aws, parsed.region, parsed.service);
  const url = new URL(`http://${host}${request.url.pathname}${request.url.search}`);
  const expected = await sign({ method: request.method === 'GET' ? 'GET' : 'POST', url, headers, body: request.body }, signingDate);
  if (expected.authorization === authorization.trim()) return undefined;
  return bedrockErrorResponse(
    403,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}

/**
 * Checks a request's credentials (`verify`): a Bedrock API key (`Authorization: Bearer …`) against
 * the simulator's, otherwise the SigV4 signature, which covers the body.
 */
async function verifyBedrockRequest(request: SimRawRequest, credentials: SimCredentials): Promise<SimRejection | undefined> {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization !== undefined && /^Bearer /i.test(authorization)) {
    return authorization.slice('Bearer '.length).trim() === credentials.apiKey ? undefined : bedrockErrorResponse(403, 'UnrecognizedClientException', 'Invalid API Key format: Must start with pre-defined prefix');
  }
  return verifySignature(request, credentials.aws);
}

/** What the simulator uses of `@smithy/eventstream-codec`. */
export interface Encoder {
  encode(message: { headers: Record<string, { type: 'string'; value: string }>; body: Uint8Array }): Uint8Array;
}

let encoder: Encoder | undefined;

/** The event-stream codec, loaded on the first stream (an optional peer dependency of the library). */
export async function loadEncoder(): Promise<Encoder> {
  if (encoder !== undefined) return encoder;
  const [{ EventStreamCodec }, { toUtf8, fromUtf8 }] = await Promise.all([import('@smithy/eventstream-codec'), import('@smithy/util-utf8')]);
  const codec: Encoder = new EventStreamCodec(toUtf8, fromUtf8);
  encoder = codec;
  return codec;
}

/** One event-stream message: string headers and a JSON payload. */
function jsonMessage(codec: Encoder, headers: Readonly<Record<string, string>>, payload: unknown): Uint8Array {
  return codec.encode({
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { type: 'string' as const, value }])),
    body: Buffer.from(JSON.stringify(payload)),
  });
}

/** An `event` message named `type` (its `:event-type`) whose payload is `payload`. */
export function eventMessage(codec: Encoder, type: string, payload: unknown): Uint8Array {
  return jsonMessage(codec, { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, payload);
}

/** One `chunk` event carrying an Anthropic event, as InvokeModelWithResponseStream sends it. */
function chunkMessage(codec: Encoder, anthropicEvent: unknown): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(anthropicEvent)).toString('base64');
  return eventMessage(codec, 'chunk', { bytes, p: 'abcdefghijklmnopqrstuvwxyzABCDEF' });
}

/** The stream exception names are the union members' names: `throttlingException`, … */
function exceptionEventName(status: number): string {
  const name = status === 424 ? 'ModelStreamErrorException' : bedrockErrorTypeForStatus(status);
  return name[0]!.toLowerCase() + name.slice(1);
}

/** A stream's `exception` message (`renderBinaryStreamError`), once a stream has loaded the codec. */
function bedrockExceptionMessage(status: number, message: string): Uint8Array {
  if (encoder === undefined) throw new Error('the event-stream codec is loaded by the stream before any error in it');
  return jsonMessage(encoder, { ':exception-type': exceptionEventName(status), ':content-type': 'application/json', ':message-type': 'exception' }, { message });
}

/** The Anthropic event payloads of `anthropicFormat`'s SSE frames (pings dropped: Bedrock sends none). */
function anthropicEvents(frames: readonly string[]): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const frame of frames) {
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (data === undefined) continue;
    const event = JSON.parse(data) as Record<string, unknown>;
    if (event.type !== 'ping') events.push(event);
  }
  return events;
}

/**
 * What the Bedrock runtime formats (InvokeModel here, Converse) share: AWS event-stream bodies,
 * credentials, AWS errors in answers and inside streams, and a request id on every answer.
 */
export const bedrockRuntimeBasics: Pick<WireFormat, 'streamContentType' | 'authorize' | 'verify' | 'successHeaders' | 'renderError' | 'renderBinaryStreamError'> = {
  streamContentType: 'application/vnd.amazon.eventstream',

  // Checked in `verify`, which sees the body the signature covers.
  authorize: () => true,

  verify: verifyBedrockRequest,

  // Every Bedrock answer names its request id (the AWS SDKs' `request_id()`, docs.rs/aws-sdk-bedrockruntime `InvokeModelOutput`).
  successHeaders: () => ({ 'x-amzn-requestid': randomUUID() }),

  renderError: renderBedrockError,

  renderBinaryStreamError: bedrockExceptionMessage,
};

/** The simulator's Bedrock (InvokeModel, Anthropic models) wire format. */
export const bedrockFormat: WireFormat = {
  ...bedrockRuntimeBasics,
  name: 'bedrock',

  match: bedrockRouteMatcher('invoke', 'invoke-with-response-stream'),

  parse(body: unknown, match: SimRouteMatch, url: URL): SimParsedRequest | string {
    if (!isObject(body)) return 'Malformed input request: expected a JSON object, please reformat your input and try again.';
    if (body.anthropic_version === undefined) return 'Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.';
    if (body.anthropic_version !== BEDROCK_ANTHROPIC_VERSION) return `Malformed input request: #/anthropic_version: ${JSON.stringify(body.anthropic_version)} is not a valid enum value, please reformat your input and try again.`;
    for (const key of ['model', 'stream']) {
      if (body[key] !== undefined) return `Malformed input request: #: extraneous key [${key}] is not permitted, please reformat your input and try again.`;
    }
    const parsed = anthropicFormat.parse({ ...body, model: match.pathModel ?? '' }, match, url);
    return typeof parsed === 'string' ? parsed : { ...parsed, stream: match.pathStream === true };
  },

  renderResponse: (answer: SimAnswer, request: SimParsedRequest) => anthropicFormat.renderResponse(answer, request),

  renderStream: (plan: SimStreamPlan, request: SimParsedRequest) => anthropicFormat.renderStream(plan, request),

  async renderBinaryStream(plan, request) {
    const codec = await loadEncoder();
    const events = anthropicEvents(anthropicFormat.renderStream(plan, request));
    const last = events[events.length - 1];
    if (last?.type === 'message_stop') {
      const { inputTokens, outputTokens } = plan.answer.usage;
      last['amazon-bedrock-invocationMetrics'] = { inputTokenCount: inputTokens, outputTokenCount: outputTokens, invocationLatency: 1, firstByteLatency: 1 };
    }
    return events.map((event) => chunkMessage(codec, event));
  },
};
