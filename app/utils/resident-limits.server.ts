import { json } from '@remix-run/node'
import type { RateLimit } from '#app/models/rate-limit.server'
import type { MessageKey } from '#app/i18n'
import { message, type FieldErrors } from './messages'

const MINUTE = 60_000

/**
 * Limits on the residents' forms. Per address they are generous because many residents share
 * one: a school lab registering a class, and mobile carriers putting thousands of phones behind
 * one IP (CGNAT). Per e-mail they are tight: every accepted post mails that address.
 */
export const RESIDENT_LIMITS = {
  registerPerIp: { limit: 60, windowMs: 10 * MINUTE },
  registerPerEmail: { limit: 5, windowMs: 60 * MINUTE },
  linkPerIp: { limit: 10, windowMs: 10 * MINUTE },
  linkPerEmail: { limit: 3, windowMs: 60 * MINUTE },
  // Only wrong check-in codes count. 10 per person lets a resident fix typos; a guesser needs
  // on average 31^6 / 2 tries, so at 10 per 15 minutes a code outlives any window.
  checkinPerRegistration: { limit: 10, windowMs: 15 * MINUTE },
  checkinPerIp: { limit: 200, windowMs: 15 * MINUTE },
  // Verifying is public: enough for an employer checking a pile of certificates, too few to
  // walk the number space (80 random bits).
  verifyPerIp: { limit: 60, windowMs: 10 * MINUTE },
  // Every post on a test page counts. The longest test has 80 questions (20 per pillar), each
  // posted on its own, so 200 leaves room to go back and change answers. A hall taking the
  // post-test together sits behind one address, hence the wide per-address limit.
  testAnswersPerRegistration: { limit: 200, windowMs: 15 * MINUTE },
  testAnswersPerIp: { limit: 5000, windowMs: 15 * MINUTE },
  // One evaluation per person; 20 posts cover sending it back with a rating missing.
  evaluationPerRegistration: { limit: 20, windowMs: 15 * MINUTE },
  evaluationPerIp: { limit: 1000, windowMs: 15 * MINUTE },
} satisfies Record<string, RateLimit>

/**
 * The form again, with a message saying when to try again (429 + Retry-After): at the top of the
 * form unless `field` puts it beside one field.
 */
export function tooManyRequests(
  retryAfterSeconds: number,
  values: Record<string, string>,
  options: { key?: MessageKey; field?: string; headers?: Record<string, string> } = {},
) {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60))
  const errors: FieldErrors = { [options.field ?? '']: [message(options.key ?? 'resident.tooMany', { minutes })] }
  return json({ errors, values }, { status: 429, headers: { ...options.headers, 'Retry-After': String(retryAfterSeconds) } })
}
