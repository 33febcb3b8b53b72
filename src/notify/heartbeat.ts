/**
 * A heartbeat (dead man's switch) for services such as healthchecks.io and Cronitor, in the convention they share:
 * POST URL/start when a run begins, URL itself on success, URL/fail on failure, with a short text body. If the
 * schedule stops firing, the service notices the silence. A ping that fails is logged, never fails the run.
 */
import { request } from 'undici';
import type { Logger } from '../log.js';
import { errorCode } from '../util/error-text.js';

export type HeartbeatEvent = 'start' | 'success' | 'fail';

/** The body a service keeps as the ping's log: at most this many bytes. */
const MAX_BODY = 2000;
const TIMEOUT_MS = 10_000;
const ATTEMPTS = 2;

/** The URL for an event: the base itself on success, with /start or /fail appended otherwise. */
export function heartbeatUrl(base: string, event: HeartbeatEvent): string {
  const url = new URL(base);
  if (event !== 'success') url.pathname = `${url.pathname.replace(/\/$/, '')}/${event}`;
  return url.toString();
}

/** Sends one ping (two attempts); says in the log when it could not, and never throws. */
export async function pingHeartbeat(base: string, event: HeartbeatEvent, text: string, log: Logger, sleep: (ms: number) => Promise<void>): Promise<void> {
  const url = heartbeatUrl(base, event);
  const body = Buffer.from(text, 'utf8').subarray(0, MAX_BODY);
  let last = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body,
        headersTimeout: TIMEOUT_MS,
        bodyTimeout: TIMEOUT_MS,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return;
      last = `HTTP ${res.statusCode}`;
      if (res.statusCode !== 429 && res.statusCode < 500) break;
    } catch (error) {
      last = errorCode(error) ?? 'connection failed';
    }
    if (attempt < ATTEMPTS) await sleep(1000);
  }
  // The URL is a secret of sorts (whoever has it can ping): only its host is named.
  log.warn(`heartbeat "${event}" to ${new URL(base).host} failed (${last}); the run's own result is unaffected`);
}
