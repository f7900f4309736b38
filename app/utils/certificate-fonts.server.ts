import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Readable } from 'node:stream'
import * as fontkit from 'fontkit'

// The certificate's fonts, what they can print, and how a line of mixed scripts is laid out.
//
// A character is drawn with the first font of the chain that has it:
//   1. Noto Sans: Latin with every diacritic, Vietnamese, Greek, Cyrillic;
//   2. Noto Naskh Arabic: Arabic script with the Jawi and Pegon letters (ڠ ڽ ڤ ݢ ۏ ڬ چ);
//   3. Noto Sans SC: Han, simplified and traditional, and Japanese kana.
// Left out on purpose: emoji (a name has none, and no outline font draws them as people expect)
// and scripts that names in Indonesia are not written in (Thai, Devanagari, Hangul, …).
//
// `unprintableCharacters` is the one judge of what prints: the name fields refuse what it lists,
// and the PDF draws with the same rules, so a name that was accepted always prints whole.

export type FontStyle = 'regular' | 'bold'

type Family = { files: Record<FontStyle, string>; shaped: boolean }

// All SIL OFL, as static TrueType from npm packages, so a fresh clone needs no system font.
const CHAIN: readonly Family[] = [
  {
    files: { regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf', bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf' },
    shaped: false,
  },
  {
    // Arabic letters join, and take a different form at the start, middle and end of a word:
    // this font is laid out by fontkit's OpenType shaper.
    files: {
      regular: '@expo-google-fonts/noto-naskh-arabic/400Regular/NotoNaskhArabic_400Regular.ttf',
      bold: '@expo-google-fonts/noto-naskh-arabic/700Bold/NotoNaskhArabic_700Bold.ttf',
    },
    shaped: true,
  },
  {
    files: { regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf', bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf' },
    shaped: false,
  },
]

type Shaped = { glyphs: fontkit.Glyph[]; positions: fontkit.GlyphPosition[] }

export type LoadedFont = {
  bytes: Uint8Array
  font: fontkit.Font
  unitsPerEm: number
  /** Laid out by the OpenType shaper (joining, contextual forms, mark positions, right to left). */
  shaped: boolean
  advance: Map<number, number>
  has: Map<number, boolean>
}

// Each font is read and parsed once per process, and only when a character first needs it: a
// process that only ever prints Latin names never reads the 10 MB Han font.
const loaded = new Map<string, LoadedFont>()

/** From the repo root (tsx, tests, and the server bundle in build/, all run with cwd there); else
 * through Node's resolution from this module, for a process started elsewhere. */
function fontPath(file: string): string {
  const fromCwd = path.join(process.cwd(), 'node_modules', file)
  if (fs.existsSync(fromCwd)) return fromCwd
  return createRequire(import.meta.url).resolve(file)
}

/**
 * The font read, parsed and adapted for pdf-lib:
 *
 * - Upstream fontkit, not the `@pdf-lib/fontkit` fork: the fork's subsetter writes odd-length
 *   glyph records with a short `loca` table, so most glyphs of Noto Sans come out blank (the text
 *   still extracts, which hides it). pdf-lib asks a subset for a Node-style `encodeStream()`,
 *   which fontkit 2 replaced with `encode()`.
 * - pdf-lib encodes text through `font.layout`. For Latin and Han that is one glyph per
 *   character, no OpenType shaping: pdf-lib drops GPOS positions and measures by advance widths,
 *   so shaping would buy nothing there but time (it is most of the cost of a page). Text is NFC
 *   first, so accents are precomposed. For Arabic it is fontkit's real layout, memoised, so the
 *   glyphs pdf-lib encodes are the very ones measured and positioned here.
 */
function fontAt(index: number, style: FontStyle): LoadedFont {
  const key = `${index}:${style}`
  let entry = loaded.get(key)
  if (!entry) {
    const family = CHAIN[index]!
    const bytes = fs.readFileSync(fontPath(family.files[style]))
    const font = fontkit.create(bytes) as fontkit.Font
    const createSubset = font.createSubset.bind(font)
    const variants = family.shaped ? clusterGlyphs(font) : null
    font.createSubset = () => {
      const subset = createSubset()
      if (variants) variants.includeIn(subset)
      return Object.assign(subset, { encodeStream: () => Readable.from([subset.encode()]) })
    }
    if (family.shaped) {
      const layout = font.layout.bind(font)
      const memo = new Map<string, Shaped>()
      font.layout = ((text: string) => {
        let run = memo.get(text)
        if (!run) {
          if (memo.size >= 2000) memo.clear()
          const { glyphs, positions } = layout(text)
          run = { glyphs: variants ? glyphs.map(variants.seal) : glyphs, positions }
          memo.set(text, run)
        }
        return run
      }) as unknown as fontkit.Font['layout']
    } else {
      font.layout = ((text: string) => ({ glyphs: Array.from(text, (char) => font.glyphForCodePoint(char.codePointAt(0)!)), positions: [] })) as unknown as fontkit.Font['layout']
    }
    entry = { bytes, font, unitsPerEm: font.unitsPerEm, shaped: family.shaped, advance: new Map(), has: new Map() }
    loaded.set(key, entry)
  }
  return entry
}

type SubsetInternals = { glyphs: number[]; mapping: Record<number, number>; includeGlyph(glyph: number | { id: number }): number }
type GlyphInfo = { id: number; codePoints: number[] }

/**
 * The Arabic font draws a dotted letter as a dotless skeleton plus its dots, so one glyph stands
 * for several letters (ب ت ث ڽ share a skeleton) and the dots stand for none. fontkit hands back
 * one glyph object per glyph id, carrying the letters of its first use, and pdf-lib writes the
 * PDF's ToUnicode map (what copy and search read) from those. So the shaper's output is given a
 * glyph per glyph id *and letters*: its own id in the subset, mapped to the letters it stands
 * for here; a dot reads as U+200B (invisible), since a ToUnicode entry cannot be empty.
 *
 * This reaches into fontkit's OpenType engine (its `substitute` step, where the shaped glyph ids
 * still carry their letters); the certificate tests read the letters back and fail if it moves.
 */
function clusterGlyphs(font: fontkit.Font) {
  const real = new Map<number, number>()
  const byKey = new Map<string, fontkit.Glyph>()
  const engine = (font as unknown as { _layoutEngine: { engine?: { glyphInfos: GlyphInfo[]; substitute(run: { glyphs: fontkit.Glyph[] }): void } } })._layoutEngine.engine
  if (!engine) throw new Error('certificate-fonts: the Arabic font has no OpenType layout tables')
  const substitute = engine.substitute.bind(engine)
  engine.substitute = (run) => {
    substitute(run)
    run.glyphs = engine.glyphInfos.map(({ id, codePoints }) => {
      const key = `${id}:${codePoints.join(',')}`
      let glyph = byKey.get(key)
      if (!glyph) {
        const base = font.getGlyph(id)
        // Above every real glyph id; the subset maps it back to the real one.
        const variantId = 0x10000 + byKey.size
        real.set(variantId, id)
        glyph = { id: variantId, codePoints, advanceWidth: base.advanceWidth, name: base.name } as unknown as fontkit.Glyph
        byKey.set(key, glyph)
      }
      return glyph
    })
  }
  // Given its U+200B only once laid out: during layout, fontkit would take a glyph standing for
  // an invisible character for one to hide, and draw a space instead of the dots.
  const sealed = new Map<number, fontkit.Glyph>()
  return {
    /** The glyph as pdf-lib should map it: a glyph that stands for no letter reads as U+200B. */
    seal(glyph: fontkit.Glyph): fontkit.Glyph {
      if (glyph.codePoints.length) return glyph
      let dot = sealed.get(glyph.id)
      if (!dot) {
        dot = { id: glyph.id, codePoints: [0x200b], advanceWidth: glyph.advanceWidth, name: glyph.name } as unknown as fontkit.Glyph
        sealed.set(glyph.id, dot)
      }
      return dot
    },
    /** Lets a subset take these glyphs: each its own entry, a copy of the real glyph's outline. */
    includeIn(subset: unknown) {
      const internals = subset as SubsetInternals
      const include = internals.includeGlyph.bind(internals)
      internals.includeGlyph = (glyph) => {
        const id = typeof glyph === 'number' ? glyph : glyph.id
        const realId = real.get(id)
        if (realId === undefined) return include(id)
        if (internals.mapping[id] === undefined) {
          internals.glyphs.push(realId)
          internals.mapping[id] = internals.glyphs.length - 1
        }
        return internals.mapping[id]!
      }
    },
  }
}

function hasGlyph(entry: LoadedFont, cp: number): boolean {
  let has = entry.has.get(cp)
  if (has === undefined) {
    has = entry.font.hasGlyphForCodePoint(cp)
    entry.has.set(cp, has)
  }
  return has
}

/** The first font of the chain with a glyph for the character, or null when none has one. */
function fontFor(cp: number, style: FontStyle): LoadedFont | null {
  for (let index = 0; index < CHAIN.length; index++) {
    const entry = fontAt(index, style)
    if (hasGlyph(entry, cp)) return entry
  }
  return null
}

/** The fonts a document will embed for this text. */
export function fontsOf(text: string, style: FontStyle): Set<LoadedFont> {
  const fonts = new Set<LoadedFont>()
  if (PLAIN.test(text)) return fonts.add(fontAt(0, style))
  for (const char of text) fonts.add(fontFor(char.codePointAt(0)!, style) ?? fontAt(0, style))
  return fonts
}

// ---------------------------------------------------------------------------------------------
// What prints

/** Characters meant to be invisible (zero-width space, soft hyphen, variation selectors, …). */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u
/** Joiners that change how Arabic letters connect: kept for the shaper when a font has them. */
const JOINERS = /[\u200c\u200d]/u
const MARK = /\p{M}/u
/** Printable ASCII: all of it is in Noto Sans, so the common case reads no font at all. */
const PLAIN = /^[\x20-\x7e]*$/

/**
 * What the character prints as: itself, its plain form (NFKD: pasted "fancy" letters 𝐒𝐢𝐭𝐢 and
 * full-width Ｎ print as Siti and N), nothing (invisible format characters), or null when no
 * font can draw it.
 */
function printsAs(char: string, style: FontStyle): string | null {
  const cp = char.codePointAt(0)!
  if (IGNORABLE.test(char) && !JOINERS.test(char)) return ''
  if (fontFor(cp, style)) return char
  if (JOINERS.test(char)) return ''
  const plain = char.normalize('NFKD')
  if (plain !== char && [...plain].every((c) => c !== char && printsAs(c, style) !== null)) return plain
  return null
}

/** NFC, every run of whitespace or control characters as one space, trimmed. */
function tidy(text: string): string {
  return text.normalize('NFC').replace(/[\s\p{Cc}]+/gu, ' ').trim()
}

/**
 * The characters of `text` that no certificate font can draw, each once, in the order they
 * first appear; empty when the text prints whole. A name is printed in bold, hence the default.
 */
export function unprintableCharacters(text: string, style: FontStyle = 'bold'): string[] {
  const clean = tidy(text)
  if (PLAIN.test(clean)) return []
  const missing = new Set<string>()
  for (const char of clean) if (char !== ' ' && printsAs(char, style) === null) missing.add(char)
  return [...missing]
}

/**
 * The text as one line the fonts can draw (see `tidy`), each character as `printsAs` says, and
 * "?" for what no font has: a name never has one (its field refuses it), other texts might.
 */
export function printable(text: string, style: FontStyle): string {
  const clean = tidy(text)
  if (PLAIN.test(clean)) return clean
  let out = ''
  for (const char of clean) out += printsAs(char, style) ?? '?'
  return out
}

// ---------------------------------------------------------------------------------------------
// A line of mixed scripts: font runs, right-to-left runs, and their order on the page

/** One run of text in one font and one direction, ready to draw. */
export type Piece = {
  font: LoadedFont
  /** For a shaped font, the text in reading order (the shaper puts it right to left); else the
   * characters in the order they are drawn, left to right. */
  text: string
  /** Laid out glyphs with their offsets, in font units, left to right; null when the font is
   * drawn one glyph per character at its advance width. */
  shaped: Shaped | null
  /** Width in ems. */
  em: number
}

export type Line = { pieces: Piece[]; em: number }

const RIGHT_TO_LEFT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u
const STRONG = /[\p{L}\p{N}]/u
const DIGIT = /\p{Nd}/u
const MIRRORED: Record<string, string> = { '(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«' }

type Direction = 'L' | 'R'

/**
 * The Unicode bidirectional algorithm, cut down to what a name or a line of a certificate needs:
 * the paragraph takes the direction of its first strong letter; a neutral (space, punctuation)
 * between two letters of one direction takes theirs, else the paragraph's; a mark follows its
 * letter; digits run left to right. Levels are 0/1 in a left-to-right paragraph, 1/2 in a
 * right-to-left one.
 */
function bidiLevels(chars: string[]): number[] {
  const classes: Array<Direction | null> = []
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!
    if (MARK.test(char) && i > 0) classes.push(classes[i - 1]!)
    else if (STRONG.test(char)) classes.push(RIGHT_TO_LEFT.test(char) && !DIGIT.test(char) ? 'R' : 'L')
    else classes.push(null)
  }
  const paragraph: Direction = classes.find((c) => c !== null) ?? 'L'
  const resolved: Direction[] = []
  for (let i = 0; i < chars.length; ) {
    if (classes[i] !== null) {
      resolved.push(classes[i]!)
      i++
      continue
    }
    let end = i
    while (end < chars.length && classes[end] === null) end++
    const before = i > 0 ? resolved[i - 1]! : paragraph
    const after = end < chars.length ? classes[end]! : paragraph
    const direction = before === after ? before : paragraph
    for (; i < end; i++) resolved.push(direction)
  }
  return resolved.map((d) => (paragraph === 'L' ? (d === 'L' ? 0 : 1) : d === 'R' ? 1 : 2))
}

/** Rule L2: from the highest level down to the lowest odd one, reverse every run at or above it. */
function visualOrder<T extends { level: number }>(runs: T[]): T[] {
  const order = [...runs]
  const levels = order.map((run) => run.level)
  const highest = Math.max(0, ...levels)
  const lowestOdd = Math.min(...levels.filter((level) => level % 2 === 1), Infinity)
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < order.length; ) {
      if (order[i]!.level < level) {
        i++
        continue
      }
      let end = i
      while (end < order.length && order[end]!.level >= level) end++
      order.splice(i, end - i, ...order.slice(i, end).reverse())
      i = end
    }
  }
  return order
}

function advanceOf(entry: LoadedFont, cp: number): number {
  let width = entry.advance.get(cp)
  if (width === undefined) {
    width = entry.font.glyphForCodePoint(cp).advanceWidth
    entry.advance.set(cp, width)
  }
  return width
}

function pieceOf(font: LoadedFont, chars: string[], level: number): Piece {
  const rightToLeft = level % 2 === 1
  if (font.shaped) {
    const text = chars.join('')
    const shaped = font.font.layout(text) as unknown as Shaped
    const units = shaped.positions.reduce((sum, position) => sum + position.xAdvance, 0)
    return { font, text, shaped, em: units / font.unitsPerEm }
  }
  const drawn = rightToLeft ? chars.map((char) => MIRRORED[char] ?? char).reverse() : chars
  let units = 0
  for (const char of drawn) units += advanceOf(font, char.codePointAt(0)!)
  return { font, text: drawn.join(''), shaped: null, em: units / font.unitsPerEm }
}

function layLine(text: string, style: FontStyle): Line {
  const chars = [...text]
  // A space, a mark or punctuation stays in the font of the text before it when that font has
  // it, so an Arabic phrase is one run for the shaper and a Latin name one run for pdf-lib.
  const fonts: LoadedFont[] = []
  chars.forEach((char, i) => {
    const cp = char.codePointAt(0)!
    const previous = fonts[i - 1]
    const follows = previous && !STRONG.test(char) && hasGlyph(previous, cp)
    fonts.push(follows ? previous : (fontFor(cp, style) ?? fontAt(0, style)))
  })
  const levels = bidiLevels(chars)
  const runs: Array<{ font: LoadedFont; level: number; chars: string[] }> = []
  chars.forEach((char, i) => {
    const last = runs[runs.length - 1]
    if (last && last.font === fonts[i] && last.level === levels[i]) last.chars.push(char)
    else runs.push({ font: fonts[i]!, level: levels[i]!, chars: [char] })
  })
  const pieces = visualOrder(runs).map((run) => pieceOf(run.font, run.chars, run.level))
  return { pieces, em: pieces.reduce((sum, piece) => sum + piece.em, 0) }
}

const lines: Record<FontStyle, Map<string, Line>> = { regular: new Map(), bold: new Map() }

/**
 * The text (already `printable`) laid out as one line: its pieces in the order they are drawn,
 * left to right, and its width in ems. Memoised: the layout tries one text at many sizes.
 */
export function lineOf(text: string, style: FontStyle): Line {
  // Printable ASCII, the common case: one piece in Noto Sans, measured without the bidi pass.
  if (PLAIN.test(text)) {
    const font = fontAt(0, style)
    let units = 0
    for (let i = 0; i < text.length; i++) units += advanceOf(font, text.charCodeAt(i))
    const piece: Piece = { font, text, shaped: null, em: units / font.unitsPerEm }
    return { pieces: [piece], em: piece.em }
  }
  const memo = lines[style]
  let line = memo.get(text)
  if (!line) {
    if (memo.size >= 5000) memo.clear()
    line = layLine(text, style)
    memo.set(text, line)
  }
  return line
}

/** Finds the loaded font for pdf-lib's `fontkit.create(bytes)`: each is parsed once per process. */
export function loadedFontFor(bytes: Uint8Array): fontkit.Font {
  for (const entry of loaded.values()) if (entry.bytes === bytes) return entry.font
  throw new Error('certificate-fonts: only the fonts of the chain are embedded')
}
