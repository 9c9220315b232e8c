/**
 * Reads the parts of a search box's text that are not about what a photo shows: dates ("2019",
 * "July 2021", "14 July 2019", "2019-07-14", "last summer", "yesterday", "last week"), and leaves
 * the rest as words. Places, people's names and cameras are found afterwards by the search service,
 * against what the user's own library holds (smart.ts), so no gazetteer is needed here.
 *
 * Dates are calendar ranges in local time, compared with assets' local_date_time (stored as UTC
 * wall-clock, Immich's convention), so "2019" means the household's 2019 wherever a photo was taken.
 * Seasons are the northern hemisphere's meteorological ones (summer = June–August).
 *
 * @example
 * parseQuery('photos in Lisbon, July 2021', { now: new Date('2026-03-01') })
 * // { dates: [{ from: 2021-07-01, to: 2021-08-01, label: 'July 2021' }], words: ['photos', 'in', 'lisbon'], ... }
 */

export interface DateRange {
  /** Inclusive start, as UTC wall-clock time. */
  from: Date
  /** Exclusive end. */
  to: Date
  /** How it was read, for the "why it matched" explanation. */
  label: string
}

export interface ParsedQuery {
  /** The query as typed, trimmed. */
  text: string
  dates: DateRange[]
  /** The query with date phrases removed, for CLIP and for finding places, people and cameras. */
  rest: string
  /** Lowercased words of `rest` (punctuation removed), in order. */
  words: string[]
}

const months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
/** The month a (regex-checked) month word names: its first three letters decide. */
const monthIndex = (w: string): number => months.findIndex((m) => m.slice(0, 3) === w.toLowerCase().slice(0, 3))
const seasons: Record<string, [number, number]> = { spring: [2, 5], summer: [5, 8], autumn: [8, 11], fall: [8, 11], winter: [11, 14] }

const utc = (y: number, m: number, d = 1) => new Date(Date.UTC(y, m, d))
const label = (d: Date) => d.toISOString().slice(0, 10)

/** Words that carry no meaning for text matching (they still go to CLIP inside `rest`). */
export const stopWords = new Set(['a', 'an', 'the', 'of', 'in', 'on', 'at', 'from', 'with', 'and', 'or', 'to', 'by', 'for', 'my', 'our', 'me', 'us', 'photo', 'photos', 'picture', 'pictures', 'pic', 'pics', 'image', 'images', 'video', 'videos', 'shot', 'shots', 'taken', 'during', 'some', 'all', 'show', 'find'])

export function parseQuery (text: string, { now = new Date() }: { now?: Date } = {}): ParsedQuery {
  const dates: DateRange[] = []
  // Local calendar "today", as a UTC wall-clock date.
  const today = utc(now.getFullYear(), now.getMonth(), now.getDate())
  let rest = ` ${text.trim()} `
  const take = (re: RegExp, make: (m: RegExpExecArray) => DateRange | undefined) => {
    rest = rest.replace(re, (...args: unknown[]) => {
      const m = args.slice(0, -2) as unknown as RegExpExecArray
      const range = make(m)
      if (range === undefined) return m[0]
      dates.push(range)
      return ' '
    })
  }
  const year = (s: string) => { const y = Number(s); return y >= 1826 && y <= 2200 ? y : undefined }
  const monthWord = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)'
  const pre = '(?:\\b(?:in|during|from|on|of)\\s+)?'

  // 2019-07-14 / 2019-07
  take(new RegExp(`${pre}\\b(\\d{4})-(\\d{1,2})(?:-(\\d{1,2}))?\\b`, 'gi'), (m) => {
    const y = year(m[1]!); const mo = Number(m[2]) - 1
    if (y === undefined || mo < 0 || mo > 11) return undefined
    if (m[3] === undefined) return { from: utc(y, mo), to: utc(y, mo + 1), label: `${months[mo]![0]!.toUpperCase()}${months[mo]!.slice(1)} ${y}` }
    const d = Number(m[3]); const from = utc(y, mo, d)
    if (from.getUTCMonth() !== mo) return undefined
    return { from, to: utc(y, mo, d + 1), label: label(from) }
  })
  // 14 July 2019 / July 14, 2019 / July 2021
  take(new RegExp(`${pre}\\b(?:(\\d{1,2})(?:st|nd|rd|th)?\\s+)?${monthWord}\\.?(?:\\s+(\\d{1,2})(?:st|nd|rd|th)?,?)?\\s+(\\d{4})\\b`, 'gi'), (m) => {
    const y = year(m[4]!); const mo = monthIndex(m[2]!)
    const day = m[1] ?? m[3]
    if (y === undefined || mo < 0) return undefined
    const name = `${months[mo]![0]!.toUpperCase()}${months[mo]!.slice(1)}`
    if (day === undefined) return { from: utc(y, mo), to: utc(y, mo + 1), label: `${name} ${y}` }
    const from = utc(y, mo, Number(day))
    if (from.getUTCMonth() !== mo) return undefined
    return { from, to: utc(y, mo, Number(day) + 1), label: label(from) }
  })
  // summer 2019 / last summer / this winter
  take(new RegExp(`${pre}\\b(?:(last|this)\\s+)?(spring|summer|autumn|fall|winter)(?:\\s+(?:of\\s+)?(\\d{4}))?\\b`, 'gi'), (m) => {
    const [start, end] = seasons[m[2]!.toLowerCase()]!
    let y: number | undefined
    if (m[3] !== undefined) y = year(m[3])
    else if (m[1] === undefined) return undefined // "summer" alone is a word (a beach photo may say it); CLIP still sees it
    else {
      // The latest season of that name that has begun (this) or ended (last) by today.
      y = today.getUTCFullYear()
      const begins = (yy: number) => utc(yy, start)
      const ends = (yy: number) => utc(yy, end)
      if (m[1]!.toLowerCase() === 'this') { while (begins(y) > today) y-- } else { while (ends(y) > today) y-- }
    }
    if (y === undefined) return undefined
    const name = m[2]!.toLowerCase()
    return { from: utc(y, start), to: utc(y, end), label: `${name} ${y}${end > 12 ? `/${y + 1}` : ''}` }
  })
  // yesterday, today, last/this week, month, year
  take(/(?:\b(?:from|on|in)\s+)?\b(yesterday|today|(?:last|this|past)\s+(?:week|month|year))\b/gi, (m) => {
    const phrase = m[1]!.toLowerCase().replace(/\s+/g, ' ')
    const y = today.getUTCFullYear(); const mo = today.getUTCMonth(); const d = today.getUTCDate()
    switch (phrase) {
      case 'today': return { from: today, to: utc(y, mo, d + 1), label: 'today' }
      case 'yesterday': return { from: utc(y, mo, d - 1), to: today, label: 'yesterday' }
      case 'this week': case 'past week': return { from: utc(y, mo, d - 6), to: utc(y, mo, d + 1), label: 'this week' }
      case 'last week': return { from: utc(y, mo, d - 13), to: utc(y, mo, d - 6), label: 'last week' }
      case 'this month': return { from: utc(y, mo), to: utc(y, mo + 1), label: 'this month' }
      case 'past month': return { from: utc(y, mo - 1, d + 1), to: utc(y, mo, d + 1), label: 'past month' }
      case 'last month': return { from: utc(y, mo - 1), to: utc(y, mo), label: 'last month' }
      case 'this year': return { from: utc(y, 0), to: utc(y + 1, 0), label: `${y}` }
      case 'past year': return { from: utc(y - 1, mo, d + 1), to: utc(y, mo, d + 1), label: 'past year' }
      case 'last year': return { from: utc(y - 1, 0), to: utc(y, 0), label: `${y - 1}` }
      default: return undefined
    }
  })
  // 2018-2020, between 2018 and 2020
  take(new RegExp(`(?:\\bbetween\\s+)?\\b(\\d{4})\\s*(?:-|–|to|and|until)\\s*(\\d{4})\\b`, 'gi'), (m) => {
    const a = year(m[1]!); const b = year(m[2]!)
    if (a === undefined || b === undefined || b < a) return undefined
    return { from: utc(a, 0), to: utc(b + 1, 0), label: `${a}–${b}` }
  })
  // 2019, in 2019, '90s-style decades ("1990s")
  take(new RegExp(`${pre}\\b(\\d{3})0s\\b`, 'gi'), (m) => {
    const y = year(`${m[1]}0`)
    return y === undefined ? undefined : { from: utc(y, 0), to: utc(y + 10, 0), label: `${y}s` }
  })
  take(new RegExp(`${pre}(?<![\\w.-])(\\d{4})(?![\\w.-])`, 'gi'), (m) => {
    const y = year(m[1]!)
    return y === undefined ? undefined : { from: utc(y, 0), to: utc(y + 1, 0), label: `${y}` }
  })

  rest = rest.replace(/\s+/g, ' ').replace(/^[\s,;]+|[\s,;]+$/g, '')
  const words = rest.toLowerCase().split(/[^\p{L}\p{N}_'.-]+/u).map((w) => w.replace(/^['.-]+|['.-]+$/g, '')).filter((w) => w !== '')
  return { text: text.trim(), dates, rest, words }
}
