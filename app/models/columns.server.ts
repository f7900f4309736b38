// Column lists that several models select the same way. Kept apart from the model files so any
// of them can import these without an import cycle.

/** What a person holding the webinar in their calendar needs: schedule, join details, calendar identity. */
export const WEBINAR_INVITATION_COLUMNS = [
  'webinars.slug',
  'webinars.topic',
  'webinars.start_at',
  'webinars.end_at',
  'webinars.platform_url',
  'webinars.meeting_id',
  'webinars.passcode',
  'webinars.livestream_url',
  'webinars.calendar_uid',
  'webinars.calendar_sequence',
] as const

/** Where the webinar takes place and the zone its times are shown in (regencies/provinces joined). */
export const WEBINAR_PLACE_COLUMNS = ['regencies.name as regency_name', 'provinces.name as province_name', 'provinces.time_zone'] as const
