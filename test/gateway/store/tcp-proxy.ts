/**
 * A TCP proxy a test can cut, to give a client a real outage of its server: `stop()` closes the
 * listener and destroys every connection (the client sees resets and refused connects),
 * `resume()` listens on the same port again. `dropReplies()` keeps forwarding what the client
 * sends but throws away what the server answers, for a write that commits while its reply is lost.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private replies: 'forward' | 'drop' = 'forward';

  private constructor(
    readonly port: number,
    private readonly target: { readonly host: string; readonly port: number },
  ) {}

  /** Starts a proxy on a free port of 127.0.0.1, forwarding to `target`. */
  static async start(target: { readonly host: string; readonly port: number }): Promise<TcpProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    const proxy = new TcpProxy(address.port, target);
    await proxy.resume();
    return proxy;
  }

  /** Listens again (after `stop`), forwarding replies. */
  async resume(): Promise<void> {
    this.replies = 'forward';
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** From now on, the server's answers on every connection are thrown away. */
  dropReplies(): void {
    this.replies = 'drop';
  }

  /** Closes the listener and destroys every connection through it. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (this.replies === 'forward') client.write(chunk);
    });
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}
