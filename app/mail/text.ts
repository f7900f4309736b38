// Typed text brings every kind of line break: CRLF, a lone LF, a lone CR (old Mac text, some
// pasted documents), U+2028/U+2029 (some phone keyboards). SMTP allows CR and LF only as the pair
// CRLF (RFC 5321), a header holds no line break at all, and a calendar file no control character
// but TAB (RFC 5545). These are the one definition of each, for messages and calendar files.

/** Every line-break form, CRLF first so that it counts as one. */
export const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g

/** Control characters other than TAB, CR and LF: C0, DEL and C1. */
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/g

/**
 * Text with lines: every line break becomes one `lineBreak`, control characters go. A message
 * body takes CRLF: nodemailer sends a body's bytes as they are (it fixes a bare LF only on an
 * SMTP connection, never a bare CR, and not at all in the raw MIME the outbox keeps).
 */
export function multiLineText(text: string, lineBreak: '\n' | '\r\n' = '\n'): string {
  return text.replace(LINE_BREAK, lineBreak).replace(CONTROL, '')
}

/** Text for a header or a parameter (a subject, a display name): one line, runs of breaks and tabs as one space. */
export function singleLineText(text: string): string {
  return text
    .replace(CONTROL, '')
    .replace(/(?:\r\n|[\r\n\u2028\u2029\t])+/g, ' ')
    .trim()
}
