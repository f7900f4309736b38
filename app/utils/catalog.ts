// The programme's fixed vocabularies. Codes are stored; labels come from the dictionary.
export const PILLARS = ['cakap', 'etika', 'aman', 'budaya'] as const
export type Pillar = (typeof PILLARS)[number]

export const SEGMENTS = ['umum', 'pelajar', 'mahasiswa', 'guru', 'orangtua', 'asn', 'umkm', 'komunitas'] as const
export type Segment = (typeof SEGMENTS)[number]

export const WEBINAR_STATUSES = ['draft', 'published', 'finished', 'cancelled'] as const
export const ASSIGNMENT_ROLES = ['moderator', 'speaker', 'kol', 'keynote'] as const

export function splitPillars(value: string): Pillar[] {
  return value.split(',').filter((code): code is Pillar => (PILLARS as readonly string[]).includes(code))
}

/** "Tata Kelola Pelayanan Publik!" → "tata-kelola-pelayanan-publik" */
export function slugify(text: string, maxLength = 80): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '')
}

/** What residents say they do, for the reports' breakdown by segment. */
export const OCCUPATIONS = ['pelajar', 'mahasiswa', 'guru', 'asn', 'tnipolri', 'umkm', 'karyawan', 'wiraswasta', 'irt', 'tidakbekerja', 'lainnya'] as const
export type Occupation = (typeof OCCUPATIONS)[number]

export const AGE_RANGES = ['u17', '17-24', '25-34', '35-44', '45-54', '55plus'] as const
export type AgeRange = (typeof AGE_RANGES)[number]

export const GENDERS = ['perempuan', 'lakilaki'] as const
export type Gender = (typeof GENDERS)[number]

/** A bank question's difficulty (issue 15). */
export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const
