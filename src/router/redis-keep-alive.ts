/**
 * A router's Redis connection must not keep the process alive on its own: a script that forgets
 * `router.close()` should still exit when its work is done. ioredis has no `unref()`, so:
 *
 * - the socket is unref'd on every (re)connect, and ref'd again only while a command is in flight
 *   (a call waiting on a rate-limit or cache command must not be cut off by the process exiting);
 * - the reconnect timer ioredis arms while Redis is down is unref'd.
 *
 * Left as it is: while a connection attempt is in progress (at most `connectTimeout`, 2 s, per
 * attempt) its socket is ref'd; ioredis creates it out of reach. `router.close()` remains the way
 * to end everything at once.
 */
import type { Redis } from 'ioredis';

/** What this module reaches inside an ioredis client (not in its public types). */
interface RedisInternals {
  stream?: { ref?: () => void; unref?: () => void };
  reconnectTimeout?: { unref?: () => void } | null;
  sendCommand: Redis['sendCommand'];
}

/** Makes `redis` keep the process alive only while one of its commands is in flight. */
export function keepAliveOnlyWhileBusy(redis: Redis): void {
  const client = redis as unknown as RedisInternals;
  let inFlight = 0;
  const release = (): void => {
    inFlight -= 1;
    if (inFlight === 0) client.stream?.unref?.();
  };
  const send = client.sendCommand.bind(redis);
  client.sendCommand = (...parameters: Parameters<Redis['sendCommand']>) => {
    const result = send(...parameters);
    if (!(result instanceof Promise)) return result;
    inFlight += 1;
    if (inFlight === 1) client.stream?.ref?.();
    result.then(release, release);
    return result;
  };
  redis.on('connect', () => {
    if (inFlight === 0) client.stream?.unref?.();
  });
  redis.on('reconnecting', () => client.reconnectTimeout?.unref?.());
}
