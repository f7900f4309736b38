import { createContext, useContext } from 'react'
import { en } from './en'
import { id, type Dictionary, type MessageKey } from './id'
import { TIME_ZONES } from '#app/utils/time'
import type { TimeZoneCode } from '#db/schema'

export type { MessageKey }
export type Lang = 'id' | 'en'
export const LANGS: readonly Lang[] = ['id', 'en']
export const DEFAULT_LANG: Lang = 'id'

export const dictionaries: Record<Lang, Dictionary> = { id, en }

export function isLang(value: unknown): value is Lang {
  return value === 'id' || value === 'en'
}

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(id, value)
}

export type Vars = Record<string, string | number>

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const template = dictionaries[lang][key]
  if (!vars) return template
  // Numbers are written the reader's way ("1.000" in Indonesian): every count in every message.
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in vars)) return whole
    const value = vars[name]!
    return typeof value === 'number' ? formatNumber(value, lang) : value
  })
}

export type Translate = (key: MessageKey, vars?: Vars) => string

export function makeT(lang: Lang): Translate {
  return (key, vars) => translate(lang, key, vars)
}

export const LangContext = createContext<Lang>(DEFAULT_LANG)

export function useLang(): Lang {
  return useContext(LangContext)
}

export function useT(): Translate {
  return makeT(useLang())
}

// Building an Intl.DateTimeFormat costs far more than using one: a page lists many dates, and
// there are only two languages and three zones, so each formatter is made once.
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()

function dateTimeFormat(zone: TimeZoneCode, lang: Lang): Intl.DateTimeFormat {
  const key = `${lang} ${zone}`
  let format = dateTimeFormats.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(dictionaries[lang]['date.locale'], {
      timeZone: TIME_ZONES[zone].iana,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    dateTimeFormats.set(key, format)
  }
  return format
}

function zonedParts(iso: string, zone: TimeZoneCode, lang: Lang) {
  const parts = dateTimeFormat(zone, lang).formatToParts(new Date(iso))
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return {
    weekday: part('weekday'),
    day: part('day'),
    month: part('month'),
    year: part('year'),
    hour: part('hour'),
    minute: part('minute'),
    zone,
  }
}

/** "Rabu, 1 September 2021, 09.00 WIB" — the way Indonesians write it. */
export function formatDateTime(iso: string, zone: TimeZoneCode, lang: Lang): string {
  return translate(lang, 'date.format', zonedParts(iso, zone, lang))
}

export function formatDate(iso: string, zone: TimeZoneCode, lang: Lang): string {
  return translate(lang, 'date.formatDate', zonedParts(iso, zone, lang))
}

export function formatTime(iso: string, zone: TimeZoneCode, lang: Lang): string {
  return translate(lang, 'date.formatTime', zonedParts(iso, zone, lang))
}

/** How a figure reads: a count (at most one decimal), a share, a mean rating, a score, a gain. */
const NUMBER_STYLES = {
  count: { maximumFractionDigits: 1 },
  percent: { style: 'percent', maximumFractionDigits: 1 },
  mean: { minimumFractionDigits: 2, maximumFractionDigits: 2 },
  score: { minimumFractionDigits: 1, maximumFractionDigits: 1 },
  gain: { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' },
} satisfies Record<string, Intl.NumberFormatOptions>

export type NumberStyle = keyof typeof NUMBER_STYLES

const numberFormats = new Map<string, Intl.NumberFormat>()

/**
 * Every figure residents and staff read goes through here: "1.000", "12,5" and "85,3%" in
 * Indonesian, "1,000", "12.5" and "85.3%" in English. translate() uses it for every number it
 * puts into a message.
 */
export function formatNumber(value: number, lang: Lang, style: NumberStyle = 'count'): string {
  const key = `${lang} ${style}`
  let format = numberFormats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(dictionaries[lang]['date.locale'], NUMBER_STYLES[style] as Intl.NumberFormatOptions)
    numberFormats.set(key, format)
  }
  return format.format(value)
}
