/**
 * Reads what someone typed in the search box: a year ("2019"), a month ("March 2021", "2021-03"),
 * a day ("2021-03-14", "14 March 2021") become a date range; anything else is text.
 */
export interface DateRange { after: string, before: string, label: string }

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']

function monthIndex (word: string): number {
  const w = word.toLowerCase()
  if (w.length < 3) return -1
  const local = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2000, i, 1)).toLocaleString(undefined, { month: 'long', timeZone: 'UTC' }).toLowerCase())
  return [MONTHS, local].map((names) => names.findIndex((n) => n.startsWith(w))).find((i) => i !== -1) ?? -1
}

const iso = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d)).toISOString()

export function parseDateQuery (q: string): DateRange | undefined {
  const s = q.trim()
  let m = /^(\d{4})$/.exec(s)
  if (m !== null) { const y = Number(m[1]); return { after: iso(y, 0, 1), before: iso(y + 1, 0, 1), label: s } }
  m = /^(\d{4})-(\d{1,2})$/.exec(s)
  if (m !== null) { const y = Number(m[1]); const mo = Number(m[2]) - 1; return { after: iso(y, mo, 1), before: iso(y, mo + 1, 1), label: s } }
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s)
  if (m !== null) { const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])]; return { after: iso(y, mo, d), before: iso(y, mo, d + 1), label: s } }
  m = /^([\p{L}]+)\.?\s+(\d{4})$/u.exec(s)
  if (m !== null && monthIndex(m[1]) !== -1) { const y = Number(m[2]); const mo = monthIndex(m[1]); return { after: iso(y, mo, 1), before: iso(y, mo + 1, 1), label: s } }
  m = /^(\d{1,2})\.?\s+([\p{L}]+)\.?\s+(\d{4})$/u.exec(s) ?? /^([\p{L}]+)\.?\s+(\d{1,2}),?\s+(\d{4})$/u.exec(s)
  if (m !== null) {
    const [day, word] = /^\d/.test(m[1]) ? [Number(m[1]), m[2]] : [Number(m[2]), m[1]]
    const mo = monthIndex(word)
    if (mo !== -1) { const y = Number(m[3]); return { after: iso(y, mo, day), before: iso(y, mo, day + 1), label: s } }
  }
  return undefined
}
