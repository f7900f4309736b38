import { unprintableCharacters } from './certificate-fonts.server'
import { message, requiredText } from './validation.server'

/** A letter that shows: Hangul fillers are letters too, and print as nothing. */
const VISIBLE_LETTER = /(?!\p{Default_Ignorable_Code_Point})\p{L}/u

/**
 * A person's name as a certificate prints it: one line of clean text (see requiredText), one
 * space between words, at least one visible letter, and only characters the certificate's fonts
 * can draw (the same judge the PDF uses, so an accepted name always prints whole).
 */
export function printableName(max: number) {
  return requiredText(max)
    .transform((value) => value.replace(/\s+/g, ' '))
    .superRefine((value, ctx) => {
      const unprintable = unprintableCharacters(value)
      if (unprintable.length) ctx.addIssue({ code: 'custom', message: message('form.nameUnprintable', { chars: unprintable.join(' ') }) })
      else if (!VISIBLE_LETTER.test(value)) ctx.addIssue({ code: 'custom', message: 'form.nameNeedsLetter' })
    })
}
