// Charts drawn on the server as inline SVG: no script and no library, so a phone gets a few
// kilobytes of markup and nothing to run. Each one is an image with a title for screen readers; the page puts
// the same numbers in a table beside it, which is the chart's full text alternative.

/** `text`, when given, is written instead of the formatted value (e.g. "—" for a group with no data, drawn as no bar). */
export type Bar = { key: string; label: string; value: number; text?: string }

// Geometry in viewBox units. The chart scales to its container's width; at 360 px a unit is
// about a pixel, so the 12-unit text reads like the page's small print.
const WIDTH = 360
const LABEL_WIDTH = 150
const GAP = 6
const VALUE_WIDTH = 62
const ROW = 22
const BAR = 14
const FONT = 12

/** Rough advance widths in em, on the wide side of common sans-serif fonts, so a label that fits here fits on screen. */
function charWidth(char: string): number {
  if (/[iIl.,:;!|'’]/.test(char)) return 0.32
  if (/[fjrt ()-]/.test(char)) return 0.42
  if (/[mwMW]/.test(char)) return 0.95
  if (/[A-Z]/.test(char)) return 0.76
  return 0.64
}

const textWidth = (text: string) => [...text].reduce((sum, char) => sum + charWidth(char), 0) * FONT

/** The label, cut with an ellipsis where it would run past the label column; the table beside the chart has it whole. */
export function fitLabel(label: string, width = LABEL_WIDTH - GAP): string {
  if (textWidth(label) <= width) return label
  const chars = [...label]
  while (chars.length > 1 && textWidth(`${chars.join('').trimEnd()}…`) > width) chars.pop()
  return `${chars.join('').trimEnd()}…`
}

/**
 * Horizontal bars, one row per item, the value written after each bar. `title` names the chart
 * for assistive technology; `description` says where its numbers are as text.
 */
export function BarChart({ id, title, description, bars, formatValue = String }: { id: string; title: string; description: string; bars: Bar[]; formatValue?: (value: number) => string }) {
  const max = Math.max(0, ...bars.map((bar) => bar.value))
  const scale = max === 0 ? 0 : (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / max
  const height = bars.length * ROW + 4
  return (
    <svg
      role="img"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      viewBox={`0 0 ${WIDTH} ${height}`}
      width="100%"
      preserveAspectRatio="xMinYMin meet"
      style={{ display: 'block', maxWidth: '32rem', height: 'auto' }}
      fontSize={FONT}
    >
      <title id={`${id}-title`}>{title}</title>
      <desc id={`${id}-desc`}>{description}</desc>
      {bars.map((bar, i) => {
        const y = i * ROW + 2
        const width = bar.value * scale
        return (
          <g key={bar.key}>
            <title>{`${bar.label}: ${bar.text ?? formatValue(bar.value)}`}</title>
            <text x={LABEL_WIDTH - GAP} y={y + BAR / 2} textAnchor="end" dominantBaseline="central" fill="#1b1f24">
              {fitLabel(bar.label)}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={width} height={BAR} fill="#0b5cad" />
            <text x={LABEL_WIDTH + width + 4} y={y + BAR / 2} dominantBaseline="central" fill="#1b1f24">
              {bar.text ?? formatValue(bar.value)}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
