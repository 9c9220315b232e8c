/**
 * When a photo or video was taken, and in which time zone: picks the capture date from the tags that
 * exiftool-vendored parsed, in a fixed order of trust, and resolves its zone. Pure functions (no I/O),
 * used by metadata.ts.
 *
 * Results use Immich's three fields: `dateTimeOriginal` (the instant), `timeZone` (an IANA zone such as
 * 'Europe/Lisbon' when the place is known, else an offset such as 'UTC+01:00', else null), and
 * `localDateTime` (the wall-clock time at the place, written as if it were UTC, which is how Immich
 * groups a timeline by the day the photographer lived).
 *
 * @example
 * const t = resolveCaptureTime({ file: tags, fileModifiedAt: stat.mtime, gpsZone: 'America/Denver' })
 * // DateTimeOriginal 2025:12:01 11:30:00 with GPS in Colorado:
 * // { dateTimeOriginal: 2025-12-01T18:30:00Z, timeZone: 'America/Denver', localDateTime: 2025-12-01T11:30:00Z, source: 'DateTimeOriginal' }
 */
import { ExifDate, ExifDateTime, isUTC } from 'exiftool-vendored'

/** The source of a date taken from the file's modification time: the file itself holds none. */
export const FILE_TIME_SOURCE = 'file modification time'

export interface CaptureTime {
  dateTimeOriginal: Date
  timeZone: string | null
  localDateTime: Date
  /** Which tag gave the date ('DateTimeOriginal', 'sidecar CreateDate', 'file modification time'), for logs and debugging. */
  source: string
}

/**
 * The order of trust. It follows the issue (SubSec before plain, original before created, IPTC, then
 * GPS), with two video tags placed where they belong: QuickTime `CreationDate` (Apple writes the local
 * time with its offset) before `CreateDate` (which QuickTime stores in UTC without saying so), and
 * `MediaCreateDate` (also UTC) after it. `DateCreated` is XMP photoshop:DateCreated, the date an XMP
 * sidecar most often carries besides xmp:CreateDate. A bare IPTC TimeCreated (no date) is ignored, as
 * Immich does.
 */
export const captureDateTags = [
  'SubSecDateTimeOriginal', 'DateTimeOriginal', 'SubSecCreateDate', 'CreationDate', 'CreateDate',
  'MediaCreateDate', 'DateTimeCreated', 'DateCreated', 'GPSDateTime',
] as const

type TagBag = Record<string, unknown>

// Photography began in the 1820s; cameras with a flat clock battery write 1970 or 0000, which parse as
// dates but are not capture times. A date more than a day ahead of now is a clock set wrong.
const earliest = Date.UTC(1826, 0, 1)
const plausible = (ms: number) => Number.isFinite(ms) && ms >= earliest && ms <= Date.now() + 86_400_000

/** The first capture date in `tags`, by the order above; undefined when there is none. */
function firstDate (tags: TagBag | undefined): { tag: string, value: ExifDateTime } | undefined {
  if (tags === undefined) return undefined
  for (const tag of captureDateTags) {
    const value = tags[tag]
    if (value instanceof ExifDateTime && value.isValid && plausible(Date.UTC(value.year, value.month - 1, value.day))) {
      return { tag, value }
    }
  }
  return undefined
}

/** 'UTC+01:00', 'UTC-03:30', or 'UTC' for zero. */
export function formatOffset (minutes: number): string {
  if (minutes === 0) return 'UTC'
  const sign = minutes < 0 ? '-' : '+'
  const abs = Math.abs(minutes)
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

interface Wall { year: number, month: number, day: number, hour: number, minute: number, second: number, millisecond: number }
const asUtc = (w: Wall) => new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond))

/**
 * The instant, zone and local time of one parsed date. `gpsZone` is where the photo was taken, when known.
 *
 * - No offset written: the wall clock is local time at the GPS position when there is one (the issue's
 *   rule); otherwise the zone is unknown and the wall clock is stored as if it were UTC (Immich does the same).
 * - UTC by definition (GPS timestamps, QuickTime dates that exiftool-vendored marks as assumed UTC): the
 *   instant is right but says nothing of the place, so the zone comes from GPS or stays unknown.
 * - An offset written in the file: it wins over GPS (a camera whose clock says +02:00 is believed, as
 *   exiftool-vendored does by default); the IANA name is given when the GPS zone agrees with it.
 */
export function resolveZone (tag: string, value: ExifDateTime, gpsZone: string | undefined): Omit<CaptureTime, 'source'> {
  if (!value.hasZone) {
    if (gpsZone !== undefined) {
      const zoned = value.setZone(gpsZone, { keepLocalTime: true })
      if (zoned?.isValid === true) return resolveZone(tag, zoned, gpsZone)
    }
    const { year, month, day, hour, minute, second } = value
    const wall = asUtc({ year, month, day, hour, minute, second, millisecond: value.millisecond ?? 0 })
    return { dateTimeOriginal: wall, timeZone: null, localDateTime: wall }
  }
  const instant = value.toDateTime()
  const utcByDefinition = tag === 'GPSDateTime' || (value.inferredZone === true && isUTC(value.zone))
  if (utcByDefinition) {
    if (gpsZone === undefined) return { dateTimeOriginal: instant.toJSDate(), timeZone: null, localDateTime: instant.toJSDate() }
    const local = instant.setZone(gpsZone)
    if (local.isValid) return { dateTimeOriginal: instant.toJSDate(), timeZone: gpsZone, localDateTime: asUtc(local) }
  }
  const offset = instant.offset
  let timeZone = formatOffset(offset)
  if (gpsZone !== undefined && instant.setZone(gpsZone).offset === offset) timeZone = gpsZone
  else if (value.inferredZone === true && typeof value.zone === 'string' && value.zone.includes('/')) timeZone = value.zone
  return { dateTimeOriginal: instant.toJSDate(), timeZone, localDateTime: asUtc(instant) }
}

/**
 * The capture time of a file, given its tags, its XMP sidecar's tags (read separately), and its
 * modification time as the last resort. When the sidecar carries any capture date, the file's dates are
 * ignored altogether, not merged tag by tag: a sidecar is where a person corrected the date, and a
 * corrected CreateDate must not lose to the camera's wrong DateTimeOriginal (Immich behaves the same).
 * `gpsZone` is the IANA zone of the photo's GPS position (the sidecar's position, else the file's).
 */
export function resolveCaptureTime (input: { file: TagBag, sidecar?: TagBag, fileModifiedAt: Date, gpsZone?: string }): CaptureTime {
  const { gpsZone } = input
  const fromSidecar = firstDate(input.sidecar)
  const chosen = fromSidecar ?? firstDate(input.file)
  if (chosen !== undefined) {
    return { ...resolveZone(chosen.tag, chosen.value, gpsZone), source: fromSidecar !== undefined ? `sidecar ${chosen.tag}` : chosen.tag }
  }
  // A GPS date without a time of day still beats the file time, which is often the day of a copy.
  for (const tags of [input.sidecar, input.file]) {
    const stamp = tags?.GPSDateStamp
    if (stamp instanceof ExifDate && stamp.month !== undefined && stamp.day !== undefined) {
      const day = new Date(Date.UTC(stamp.year, stamp.month - 1, stamp.day))
      if (plausible(day.getTime())) return { dateTimeOriginal: day, timeZone: null, localDateTime: day, source: 'GPSDateStamp' }
    }
  }
  const mtime = input.fileModifiedAt
  return { dateTimeOriginal: mtime, timeZone: null, localDateTime: mtime, source: FILE_TIME_SOURCE }
}

/**
 * A capture time the owner typed (PUT /api/assets: `dateTimeOriginal`, Immich's ISO 8601). An
 * offset written in it is the offset of the wall clock given (Immich's web sends one); without one,
 * the wall clock is local time in `zone` (the zone the owner chose, else the photo's own), and with
 * no zone at all it is kept as if it were UTC, as for a file without one. Undefined when the text
 * is not a date and time, or the zone is not one; a RangeError for a date no camera could have
 * taken (before 1826, or more than a day ahead of now).
 *
 * @example
 * ownerCaptureTime('2019-07-14T15:30:00', 'Europe/Lisbon')
 * // { dateTimeOriginal: 2019-07-14T14:30:00Z, timeZone: 'Europe/Lisbon', localDateTime: 2019-07-14T15:30:00Z, source: 'owner' }
 */
export function ownerCaptureTime (iso: string, zone: string | null): CaptureTime | undefined {
  const value = ExifDateTime.fromISO(iso.trim())
  if (value === undefined || !value.isValid) return undefined
  if (zone !== null && (ExifDateTime.fromISO('2000-01-01T00:00:00')?.setZone(zone, { keepLocalTime: true })?.isValid !== true)) return undefined
  const t = resolveZone('owner', value, zone ?? undefined)
  if (!plausible(t.dateTimeOriginal.getTime())) throw new RangeError(`${iso} is not a date a photo can have been taken: from 1826 up to today`)
  return { ...t, source: 'owner' }
}
