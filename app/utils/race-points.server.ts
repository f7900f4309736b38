/**
 * Named points inside transactions where two processes racing for the same rows matter, so a
 * test can stop one transaction there until the other arrives and prove that the lock rule
 * (lockWebinars, the outbox claim) makes them take turns. Outside the race tests no hook is
 * set and a point costs one Map lookup.
 */
const hooks = new Map<string, () => Promise<void>>()

export type RacePoint =
  | 'cancel:after-read'
  | 'register:after-read'
  | 'outbox:after-select'
  | 'reach:before-insert'
  | 'outcomes:after-read'
  | 'purge:after-list'
  | 'purge:after-claim'
  | 'zoom-link:after-read'
  | 'assign-role:after-read'
  | 'brief-answer:after-read'
  | 'cancel-webinar:after-read'
  | 'remove-role:after-read'
  | 'publish:after-read'
  | 'open-checkin:after-read'
  | 'check-in:after-read'
  | 'mark:after-read'
  | 'finalise:after-read'
  | 'revoke:after-read'
  | 'reissue:after-read'
  | 'zoom-commit:after-read'
  | 'erase:after-read'
  | 'slug:after-check'
  | 'issuer:after-read'
  | 'issuer:after-commit'
  | 'issuer:cleanup-after-read'
  | 'question-edit:after-read'
  | 'answers:after-read'
  | 'finish-attempt:after-read'
  | 'material:after-read'
  | 'staff:after-check'
  | 'person-account:after-check'
  | 'evaluation:after-read'
  | 'resend-link:after-read'
  | 'erase-answers:after-lock'
  | 'reminder:after-list'
  | 'thank-you:after-list'

export async function racePoint(name: RacePoint): Promise<void> {
  const hook = hooks.get(name)
  if (hook) await hook()
}

/** Tests only: runs `hook` whenever a transaction passes `name`; returns the function that removes it. */
export function onRacePoint(name: RacePoint, hook: () => Promise<void>): () => void {
  hooks.set(name, hook)
  return () => hooks.delete(name)
}

let lockRule = true

/** Whether the lock rule is on. Only a race test's control run turns it off, to show the race it closes. */
export function lockRuleOn(): boolean {
  return lockRule
}

/** Tests only: the control run of a race test. */
export function setLockRuleForTests(on: boolean): void {
  lockRule = on
}
