/**
 * The undici dispatch handler behind `HttpTransport.exchange`: it collects a whole response body
 * and settles one promise with the status, headers and text.
 *
 * `undici.request()` builds, per request, an `AsyncResource`, a `Readable` body stream and the
 * machinery that consumes it; a non-streaming call reads the body whole anyway, so this handler
 * keeps the chunks in an array instead (~25k fewer instructions per call, docs/benchmarks.md,
 * "Instructions per call"). It listens to the call's signal itself: to a fan-out signal
 * through a relay (no `EventTarget` listener, see shared-signal.ts), to any other the ordinary way.
 * A cancellation settles the promise at once, even while the request still waits for a connection.
 */
import type { Dispatcher } from 'undici';
import type { HeaderBag } from '../errors.js';
import { addRelay, type Relay } from './shared-signal.js';
import { mapTransportError } from './transport-errors.js';

/**
 * How much of an error status's body is kept: bytes collected here (the rest is read and dropped),
 * characters handed to the providers' error mappers (`post-json.ts`).
 */
export const ERROR_BODY_LIMIT = 64 * 1024;

/** A complete upstream response: status, headers and the whole body as text. */
export interface HttpExchange {
  readonly status: number;
  readonly headers: HeaderBag;
  /** The body decoded as UTF-8 (empty when there was none); for an error status, its first 64 KiB or more. */
  readonly text: string;
}

/** The headers of a response that has not started: none. */
const NO_HEADERS: HeaderBag = Object.freeze({});

/** Collects one response; settles `resolve` or `reject` exactly once. */
export class ExchangeHandler implements Dispatcher.DispatchHandler, Relay {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  // Both are made when the response arrives, not with the handler: a handler lives as long as the
  // upstream takes to answer, and every scavenge meanwhile copies what it holds.
  private headers: HeaderBag = NO_HEADERS;
  private chunks: Buffer[] | undefined;
  private errorBodyBytes = 0;
  private settled = false;
  private stopListening: (() => void) | undefined;

  /**
   * @param signal the call's signal; its abort cancels the request.
   * @param resolve receives the complete response.
   * @param reject receives a `SwitchyardError` (`network`, `timeout` or `canceled`).
   */
  constructor(
    private readonly signal: AbortSignal,
    private readonly resolve: (exchange: HttpExchange) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** Starts listening to the signal. Returns false (having settled) when it has already aborted. */
  listen(): boolean {
    if (this.signal.aborted) {
      this.fail(this.signal.reason);
      return false;
    }
    this.stopListening = addRelay(this.signal, this);
    return true;
  }

  /** The signal aborted: stop the request (or settle now, if it has not started yet). */
  fire(): void {
    const reason: unknown = this.signal.reason;
    if (this.controller === undefined) this.fail(reason);
    else this.controller.abort(reason instanceof Error ? reason : new Error(String(reason)));
  }

  /** Settles with the error, mapped into the taxonomy. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.stopListening?.();
    this.reject(mapTransportError(error, this.signal));
  }

  /** undici: the request is about to be written; `controller` can abort it from now on. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Canceled while it waited for a connection: the promise is settled, free the slot at once.
    if (this.settled) controller.abort(new Error('canceled before the request started'));
  }

  /** undici: status and headers have arrived. */
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = headers;
  }

  /** undici: a piece of the body has arrived. */
  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.status >= 200 && this.status < 300) {
      (this.chunks ??= []).push(chunk);
    } else if (this.errorBodyBytes < ERROR_BODY_LIMIT) {
      // An error body says what went wrong in its first bytes; the rest is read and dropped.
      (this.chunks ??= []).push(chunk);
      this.errorBodyBytes += chunk.length;
    }
  }

  /** undici: the body is complete. */
  onResponseEnd(): void {
    this.complete();
  }

  /** undici: the request failed (network, timeout, or aborted through the controller). */
  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // An error status whose body broke off: the status says what went wrong, so answer with it and
    // the part of the body that arrived (a cancellation still wins).
    const errorStatus = this.status !== 0 && (this.status < 200 || this.status >= 300);
    if (errorStatus && !this.signal.aborted) this.complete();
    else this.fail(error);
  }

  /** Settles with the response collected so far. */
  private complete(): void {
    if (this.settled) return;
    this.settled = true;
    this.stopListening?.();
    const chunks = this.chunks;
    const text = chunks === undefined ? '' : chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
    this.chunks = undefined;
    this.resolve({ status: this.status, headers: this.headers, text });
  }
}
