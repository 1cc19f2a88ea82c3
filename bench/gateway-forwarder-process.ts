/**
 * The floor under any gateway, for `bench/gateway.ts`: an HTTP server that forwards each request's
 * body, unread, to the upstream through an undici `Pool`, and sends the answer back: a whole body
 * in one piece with its length (as a gateway answers a non-streaming call), an event stream piped
 * as it comes. No auth, no parsing, no policies: what is left is the cost of one more HTTP hop in
 * Node. Runs in its own process and prints `READY <url>` when listening.
 *
 * `FORWARDER=node` (the default) serves with `node:http`; `FORWARDER=fastify` with Fastify, loaded
 * from `FASTIFY_DIR` (an install outside the repository: `npm install fastify` in that folder),
 * with the JSON body kept as a buffer (no parse) so both forward the same bytes.
 * `UPSTREAM_URL` is the simulator's origin.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';

const upstreamUrl = process.env.UPSTREAM_URL;
if (upstreamUrl === undefined) throw new Error('UPSTREAM_URL is not set');
const pool = new Pool(upstreamUrl, { connections: 1_100, keepAliveTimeout: 300_000 });

/** What came back from upstream: a whole body, or a stream to pipe. */
interface Forwarded {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer | NodeJS.ReadableStream;
}

/** Sends a request's body upstream; an event stream is handed back as it comes, anything else read whole. */
async function forward(path: string, authorization: string | undefined, body: Buffer): Promise<Forwarded> {
  const upstream = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) }, body });
  const type = upstream.headers['content-type'];
  const contentType = typeof type === 'string' ? type : undefined;
  if (contentType?.startsWith('text/event-stream') === true) return { status: upstream.statusCode, contentType, body: upstream.body };
  return { status: upstream.statusCode, contentType, body: Buffer.from(await upstream.body.arrayBuffer()) };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

async function serveWithNodeHttp(): Promise<string> {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const upstream = await forward(request.url ?? '/', request.headers.authorization, body);
    const type = upstream.contentType === undefined ? {} : { 'content-type': upstream.contentType };
    if (Buffer.isBuffer(upstream.body)) {
      response.writeHead(upstream.status, { ...type, 'content-length': upstream.body.length });
      response.end(upstream.body);
      return;
    }
    response.writeHead(upstream.status, type);
    // pipeline destroys the upstream body when the client goes away, which frees its connection.
    pipeline(upstream.body, response, () => undefined);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502).end();
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The part of Fastify's API this forwarder uses (Fastify is not a dependency of the repository). */
interface FastifyReply {
  code(status: number): FastifyReply;
  header(name: string, value: string): FastifyReply;
  send(payload: unknown): FastifyReply;
}
interface FastifyInstance {
  addContentTypeParser(type: string, options: { parseAs: 'buffer' }, parser: (request: unknown, body: Buffer, done: (error: Error | null, body?: Buffer) => void) => void): void;
  post(path: string, handler: (request: { url: string; headers: Record<string, string | undefined>; body: Buffer }, reply: FastifyReply) => Promise<FastifyReply>): void;
  listen(options: { port: number; host: string }): Promise<string>;
}

async function serveWithFastify(directory: string): Promise<string> {
  const module = (await import(pathToFileURL(join(directory, 'node_modules', 'fastify', 'fastify.js')).href)) as { default: (options: { logger: boolean; bodyLimit: number }) => FastifyInstance };
  const app = module.default({ logger: false, bodyLimit: 4_000_000 });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post('/v1/chat/completions', async (request, reply) => {
    const upstream = await forward(request.url, request.headers.authorization, request.body);
    reply.code(upstream.status);
    if (upstream.contentType !== undefined) reply.header('content-type', upstream.contentType);
    return reply.send(upstream.body);
  });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const kind = process.env.FORWARDER ?? 'node';
let url: string;
if (kind === 'fastify') {
  const directory = process.env.FASTIFY_DIR;
  if (directory === undefined) throw new Error('FORWARDER=fastify needs FASTIFY_DIR (a folder where `npm install fastify` was run)');
  url = await serveWithFastify(directory);
} else {
  url = await serveWithNodeHttp();
}
console.log(`READY ${url}`);
process.on('SIGTERM', () => process.exit(0));
