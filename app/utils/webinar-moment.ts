// Where a webinar stands in time, for what a resident's pages lead with. Shared by the server
// (the personal page's loader) and the pages (the catalogue's "live now" mark).

export type WebinarMoment = 'before' | 'live' | 'after'

/** Live from its start until its end, inclusive; "after" once it ended or was finished early. */
export function webinarMoment(webinar: { start_at: string; end_at: string; status?: string }, now: string): WebinarMoment {
  if (webinar.status === 'finished' || webinar.end_at < now) return 'after'
  return webinar.start_at <= now ? 'live' : 'before'
}
