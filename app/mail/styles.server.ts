import { createHash } from 'node:crypto'

// On a phone the details table stacks each label above its value, so a value (a long join link)
// gets the full width. Clients that drop <style> keep the two columns, which still wrap.
export const NARROW_SCREEN_CSS =
  '@media (max-width:480px){table.details,table.details tbody,table.details tr,table.details th,table.details td{display:block;width:auto !important}table.details th{padding:8px 0 0 !important}table.details td{padding:0 0 4px !important}}'

/**
 * The Content-Security-Policy source that lets exactly this <style> block apply: the outbox shows
 * a message in a sandboxed srcdoc frame, which inherits the page's policy (no inline styles).
 */
export const NARROW_SCREEN_CSS_SOURCE = `'sha256-${createHash('sha256').update(NARROW_SCREEN_CSS, 'utf8').digest('base64')}'`
