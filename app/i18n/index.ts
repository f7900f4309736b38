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
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole))
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

const numberFormats = new Map<Lang, Intl.NumberFormat>()

/**
 * Every figure residents and staff read: "1.000" and "12,5" in Indonesian, "1,000" and "12.5" in
 * English. Counts, minutes, percentages and capacities all go through here.
 */
export function formatNumber(value: number, lang: Lang): string {
  let format = numberFormats.get(lang)
  if (!format) {
    format = new Intl.NumberFormat(dictionaries[lang]['date.locale'], { maximumFractionDigits: 1 })
    numberFormats.set(lang, format)
  }
  return format.format(value)
}
