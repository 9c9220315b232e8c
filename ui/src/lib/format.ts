/** Dates, durations and sizes for people, in the browser's language. Photo times are shown in the zone they were taken in. */
const monthFmt = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' })
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' })
const shortDateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' })

/** Formatting a date costs microseconds, and the timeline asks for the same few hundred labels every frame. */
function cached (fmt: (key: string) => string): (key: string) => string {
  const memo = new Map<string, string>()
  return (key) => {
    let v = memo.get(key)
    if (v === undefined) { v = fmt(key); if (memo.size > 5000) memo.clear(); memo.set(key, v) }
    return v
  }
}

/** "July 2024" for a bucket ("2024-07-01..."). */
export const monthLabel = cached((timeBucket) => monthFmt.format(new Date(timeBucket.slice(0, 10) + 'T00:00:00Z')))
/** "Sun, 14 Jul 2024" for a day key. */
export const dayLabel = cached((day) => dayFmt.format(new Date(day + 'T00:00:00Z')))
export const shortDate = (day: string) => shortDateFmt.format(new Date(day + 'T00:00:00Z'))
/** A local date-time (Immich's localDateTime: the wall clock where it was taken, written as UTC). */
export const localDateTime = (iso: string) => dateTimeFmt.format(new Date(iso))

/** "1:05" or "1:02:03" from Immich's "H:MM:SS.ffffff" or plain seconds. */
export function duration (d: string | null): string {
  if (d === null || d === '') return ''
  // The timeline's columns give seconds ("12.5"); asset replies Immich's "H:MM:SS.ffffff".
  const parts = d.split(':').map(Number)
  const [h, m, s] = parts.length === 3 ? parts : [0, 0, parts[0]]
  const secs = Math.round((h || 0) * 3600 + (m || 0) * 60 + (s || 0))
  const hh = Math.floor(secs / 3600)
  const mm = Math.floor((secs % 3600) / 60)
  const ss = String(secs % 60).padStart(2, '0')
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`
}

export function bytes (n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++ }
  return `${n.toFixed(i === 0 || n >= 100 ? 0 : 1)} ${units[i]}`
}
