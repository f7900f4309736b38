import { createHmac } from 'node:crypto'
import { getEnv } from './env.server'

/**
 * The rate-limit key for a value that identifies a person: an e-mail address, an IP address, a
 * personal link, a device. The table holds only a keyed hash of it (HMAC with the newest
 * SESSION_SECRET), so a copy of the database names nobody, and a plain hash cannot be reversed
 * by hashing a list of likely addresses. Rotating the secret starts every count afresh, which
 * only forgives at most one window of hits.
 */
export function limitKey(scope: string, kind: 'email' | 'ip' | 'token' | 'account' | 'device', value: string): string {
  const digest = createHmac('sha256', getEnv().SESSION_SECRETS[0]!).update(`${kind}\u0000${value}`).digest('base64url')
  return `${scope}:${kind}:${digest.slice(0, 32)}`
}
