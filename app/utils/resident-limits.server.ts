import { json } from '@remix-run/node'
import type { RateLimit } from '#app/models/rate-limit.server'
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
} satisfies Record<string, RateLimit>

/** The form again, with a message at the top saying when to try again (429 + Retry-After). */
export function tooManyRequests(retryAfterSeconds: number, values: Record<string, string>) {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60))
  const errors: FieldErrors = { '': [message('resident.tooMany', { minutes })] }
  return json({ errors, values }, { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } })
}
