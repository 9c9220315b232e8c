/**
 * The justified layout of one month of the timeline: days one under another, each a header and
 * rows of tiles that fill the width exactly at about `rowHeight` (the last row of a day keeps the
 * target height). Pure arithmetic on aspect ratios, so the grid has its final shape before any
 * thumbnail arrives, and the height of a month not yet loaded is estimated from its count.
 */
export interface LayoutOptions { width: number, rowHeight: number, gap: number, monthHeader: number, dayHeader: number }
export interface Tile { x: number, y: number, w: number, h: number }
export interface DayBlock { key: string, y: number, start: number, end: number }
export interface MonthLayout { height: number, tiles: Tile[], days: DayBlock[], rows: Array<{ y: number, h: number, start: number, end: number }> }

/** Extreme panoramas and slivers are shown cropped to these ratios. */
const clampRatio = (r: number) => Math.min(4, Math.max(0.4, Number.isFinite(r) && r > 0 ? r : 1))

export function layoutMonth (ratios: number[], dayKeys: string[], o: LayoutOptions): MonthLayout {
  const tiles: Tile[] = new Array(ratios.length)
  const days: DayBlock[] = []
  const rows: MonthLayout['rows'] = []
  let y = o.monthHeader
  let i = 0
  while (i < ratios.length) {
    const key = dayKeys[i]
    let end = i
    while (end < ratios.length && dayKeys[end] === key) end++
    days.push({ key, y, start: i, end })
    y += o.dayHeader
    let rowStart = i
    while (rowStart < end) {
      let sum = 0
      let n = rowStart
      // Add tiles until the row at the target height is as wide as the grid.
      while (n < end) {
        sum += clampRatio(ratios[n])
        n++
        if (sum * o.rowHeight + (n - rowStart - 1) * o.gap >= o.width) break
      }
      const gaps = (n - rowStart - 1) * o.gap
      const full = sum * o.rowHeight + gaps >= o.width
      const h = full ? (o.width - gaps) / sum : o.rowHeight
      let x = 0
      for (let k = rowStart; k < n; k++) {
        const w = clampRatio(ratios[k]) * h
        tiles[k] = { x, y, w, h }
        x += w + o.gap
      }
      rows.push({ y, h, start: rowStart, end: n })
      y += h + o.gap
      rowStart = n
    }
    i = end
    y += o.gap * 2
  }
  return { height: y, tiles, days, rows }
}

/**
 * A month's height before its assets are known: a day every ~8 photos (at most 31), rows of a
 * typical 4:3 and 3:4 mix (rows take one tile past the width, so they come out ~10% lower than
 * the target), and half a row left over per day.
 */
export function estimateMonthHeight (count: number, o: LayoutOptions): number {
  if (count === 0) return o.monthHeader
  const days = Math.max(1, Math.min(31, count, Math.round(count / 8)))
  const perRow = o.width / (1.2 * o.rowHeight) + 0.5
  const rows = count / perRow + days * 0.4
  return o.monthHeader + days * (o.dayHeader + o.gap * 2) + rows * (0.9 * o.rowHeight + o.gap)
}

/** The calendar day (YYYY-MM-DD) where the photo was taken, in the zone it was taken in. */
export function localDay (fileCreatedAt: string, localOffsetHours: number): string {
  return new Date(Date.parse(fileCreatedAt) + localOffsetHours * 3_600_000).toISOString().slice(0, 10)
}
