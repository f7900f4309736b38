import { z } from 'zod'
import { LANGS, type MessageKey } from '#app/i18n'
import { AccountAlreadyLinkedError, UnknownAccountError, type PersonInput } from '#app/models/person.server'
import { printableName } from './name-field.server'
import { optionalEmail, optionalPhone, optionalText } from './validation.server'

/** The organiser's directory entry form; `account` is the id of the staff account to link, if any. */
export const PersonFormSchema = z
  .object({
    // Speakers, moderators and KOLs get certificates with this name.
    name: printableName(200),
    title: optionalText(200),
    organisation: optionalText(200),
    email: optionalEmail,
    whatsapp: optionalPhone,
    bio: optionalText(2000, { multiline: true }),
    lang: z.enum(LANGS, { message: 'form.invalidChoice' }).default('id'),
    account: z
      .string()
      .trim()
      .max(100, 'form.invalidChoice')
      .optional()
      .transform((value) => (value ? value : null)),
  })
  .transform(({ account, ...person }): PersonInput => ({ ...person, userId: account }))

/** A saved entry as the form's text fields, to fill the edit form or echo a refused one. */
export function personFormValues(person: PersonInput): Record<string, string> {
  return {
    name: person.name,
    title: person.title ?? '',
    organisation: person.organisation ?? '',
    email: person.email ?? '',
    whatsapp: person.whatsapp ?? '',
    bio: person.bio ?? '',
    account: person.userId ?? '',
    lang: person.lang ?? 'id',
  }
}

/** The `account` field's error for a refused link, or null when the error is something else. */
export function accountError(error: unknown): MessageKey | null {
  if (error instanceof AccountAlreadyLinkedError) return 'people.accountTaken'
  if (error instanceof UnknownAccountError) return 'form.invalidChoice'
  return null
}
