// Metadata from real photos (../shared/fixtures). Expected values were read once with exiftool and
// decided by hand: see the comment on each. Tests that need the fixtures skip when they are absent.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { formatOffset } from './capture-time.ts'
import { MetadataError } from './errors.ts'
import { extractKeywords } from './keywords.ts'
import { createMetadataReader } from './metadata.ts'
import type { MetadataReader } from './metadata.ts'

const run = promisify(execFile)
const ffmpegMissing = await run('ffmpeg', ['-version']).then(() => false, () => 'ffmpeg is not installed')
const fixtures = resolve(import.meta.dirname, '../../../shared/fixtures')
const skip = existsSync(fixtures) ? false : `test photos not found at ${fixtures} (the shared fixtures sit beside the repository)`
const immich = (path: string) => join(fixtures, 'immich-test-assets', path)
const samples = (path: string) => join(fixtures, 'exif-samples', path)
const iso = (date: Date | null) => date?.toISOString() ?? null

describe('keywords', () => {
  test('hierarchical tags become paths and swallow the flat copies of their parts', () => {
    assert.deepEqual(extractKeywords([{ HierarchicalSubject: ['Places|Europe|Paris'], Subject: ['Places', 'Europe', 'Paris', 'holiday'] }]),
      ['Places/Europe/Paris', 'holiday'])
    assert.deepEqual(extractKeywords([{ TagsList: ['People/Ann', 'People/Bob'], Keywords: 'Ann' }]), ['People/Ann', 'People/Bob'])
  })
  test('flat keywords from XMP, IPTC and Windows are merged without duplicates', () => {
    assert.deepEqual(extractKeywords([{ Subject: ['sea', 2020], Keywords: ['sea', 'boat'], XPKeywords: 'boat;sunset' }]), ['sea', '2020', 'boat', 'sunset'])
  })
  test("a sidecar's keywords replace the file's", () => {
    assert.deepEqual(extractKeywords([{ Subject: ['edited'] }, { Keywords: ['camera'] }]), ['edited'])
    assert.deepEqual(extractKeywords([{}, { Keywords: ['camera'] }]), ['camera'])
  })
})

test('offsets are written UTC±hh:mm', () => {
  assert.equal(formatOffset(60), 'UTC+01:00')
  assert.equal(formatOffset(-210), 'UTC-03:30')
  assert.equal(formatOffset(0), 'UTC')
})

describe('metadata of real files', { skip }, () => {
  let reader: MetadataReader
  let scratch: string
  before(async () => {
    reader = createMetadataReader({ maxProcs: 2 })
    scratch = await mkdtemp(join(tmpdir(), 'hearth-metadata-'))
  })
  after(async () => {
    await reader.close()
    await rm(scratch, { recursive: true, force: true })
  })

  test('DateTimeOriginal wins over CreateDate, CreationDate, IPTC and GPS dates; no offset and no GPS means no zone', async () => {
    // Tags: DateTimeOriginal 2023:02:02 02:00:00, CreateDate 04:04, XMP CreationDate 05:05, GPS 08:08 / 10:10.
    const m = await reader.read(immich('metadata/dates/date-priority-test.jpg'))
    assert.equal(iso(m.dateTimeOriginal), '2023-02-02T02:00:00.000Z')
    assert.equal(m.timeZone, null)
    assert.equal(iso(m.localDateTime), '2023-02-02T02:00:00.000Z')
    assert.equal(m.dateSource, 'DateTimeOriginal')
  })

  test('a local time without offset takes the zone of its GPS position', async () => {
    // DateTimeOriginal 2025:12:01 11:30:00 at 39°N 108°W (western Colorado, MST in December).
    const m = await reader.read(immich('metadata/dates/datetimeoriginal-gps.jpg'))
    assert.equal(m.timeZone, 'America/Denver')
    assert.equal(iso(m.dateTimeOriginal), '2025-12-01T18:30:00.000Z')
    assert.equal(iso(m.localDateTime), '2025-12-01T11:30:00.000Z')
    assert.equal(m.latitude, 39)
    assert.equal(m.longitude, -108)
  })

  test('GPSDateTime is UTC; the place gives the local time', async () => {
    // Only XMP GPSDateTime 2023:11:15 12:30:00Z, at San Francisco: 04:30 Pacific standard time.
    const m = await reader.read(immich('metadata/dates/gps-datetime.jpg'))
    assert.equal(iso(m.dateTimeOriginal), '2023-11-15T12:30:00.000Z')
    assert.equal(m.timeZone, 'America/Los_Angeles')
    assert.equal(iso(m.localDateTime), '2023-11-15T04:30:00.000Z')
    assert.equal(m.dateSource, 'GPSDateTime')
  })

  test('an IPTC time without a date is ignored: the file time is used', async () => {
    const path = immich('metadata/dates/time-created.jpg')
    const m = await reader.read(path)
    assert.equal(iso(m.dateTimeOriginal), (await stat(path)).mtime.toISOString())
    assert.equal(m.timeZone, null)
    assert.equal(m.dateSource, 'file modification time')
  })

  test("IPTC date and time with an offset: the written offset wins over the GPS zone", async () => {
    // IPTC 2022:01:10 15:15:44-04:00 (no EXIF date), GPS in Utah (UTC-07:00 in January): the file's offset is kept.
    const m = await reader.read(immich('metadata/gps-position/thompson-springs.jpg'))
    assert.equal(iso(m.dateTimeOriginal), '2022-01-10T19:15:44.000Z')
    assert.equal(m.timeZone, 'UTC-04:00')
    assert.equal(iso(m.localDateTime), '2022-01-10T15:15:44.000Z')
    assert.equal(m.latitude, 39.115)
    assert.equal(m.longitude, -108.400968)
    assert.equal(m.lensModel, 'Canon EF 24-105mm f/4L IS II USM')
    assert.deepEqual(m.keywords, ['carol m. highsmith', 'america', 'utah', 'utah winter scenes', 'thompson springs'])
    assert.match(m.description ?? '', /^Early winter scene in the mostly barren/)
  })

  test('an explicit offset that agrees with the GPS zone is reported as that zone (iPhone HEIC, Live Photo id)', async () => {
    // SubSecDateTimeOriginal 2021:04:11 15:47:53.054-05:00, GPS near Kansas City (CDT in April).
    const m = await reader.read(samples('heic/IMG_5195.HEIC'))
    assert.equal(iso(m.dateTimeOriginal), '2021-04-11T20:47:53.054Z')
    assert.equal(m.timeZone, 'America/Chicago')
    assert.equal(iso(m.localDateTime), '2021-04-11T15:47:53.054Z')
    assert.equal(m.livePhotoCID, '570F1469-09C7-4E50-9875-05F21D5BD166')
    assert.equal(m.make, 'Apple')
    assert.equal(m.model, 'iPhone 11 Pro Max')
    assert.equal(m.lensModel, 'iPhone 11 Pro Max back triple camera 4.25mm f/1.8')
    assert.equal(m.mimeType, 'image/heic')
  })

  test('GPS photos: Tuscany in October is CEST', async () => {
    const m = await reader.read(samples('jpg/gps/DSCN0010.jpg'))
    assert.ok(Math.abs(m.latitude! - 43.4674483) < 1e-6)
    assert.ok(Math.abs(m.longitude! - 11.8851267) < 1e-6)
    assert.equal(m.timeZone, 'Europe/Rome')
    assert.equal(iso(m.dateTimeOriginal), '2008-10-22T14:28:39.000Z')
    assert.equal(m.make, 'NIKON')
  })

  test('empty GPS fields give no position; exposure values are read', async () => {
    const m = await reader.read(immich('metadata/gps-position/empty_gps.jpg'))
    assert.equal(m.latitude, null)
    assert.equal(m.longitude, null)
    assert.equal(m.make, 'motorola')
    assert.equal(m.model, 'moto g(9) plus')
    assert.equal(m.fNumber, 1.8)
    assert.equal(m.exposureTime, '1/40')
    assert.equal(m.iso, 234)
    assert.ok(Math.abs(m.focalLength! - 5.53) < 0.01)
    assert.equal(iso(m.dateTimeOriginal), '2025-06-01T16:59:26.023Z')
    assert.equal(m.exifImageWidth, 4640)
    assert.equal(m.exifImageHeight, 3472)
  })

  test('rating and description', async () => {
    const m = await reader.read(immich('metadata/rating/mongolels.jpg'))
    assert.equal(m.rating, 3)
    assert.equal(m.description, 'Mongol Els')
    assert.equal(m.model, 'Canon EOS 500D')
    assert.equal(m.exposureTime, '1/250')
    assert.equal(m.fNumber, 11)
    assert.equal(m.focalLength, 40)
    assert.equal(iso(m.dateTimeOriginal), '2009-08-29T13:18:08.170Z')
  })

  test('Picasa keywords (IPTC)', async () => {
    const m = await reader.read(immich('metadata/tags/picasa.jpg'))
    assert.deepEqual(m.keywords, ['Frost', 'Yard'])
    assert.equal(m.description, 'Image-Description')
    assert.equal(m.orientation, 1)
  })

  test("an XMP sidecar's date replaces the file's, with its own offset", async () => {
    // picasa.jpg says DateTimeOriginal 2010:02:13 14:55:31; the sidecar says xmp:CreateDate 2000-09-27T14:35:33+02:00.
    const m = await reader.read(immich('metadata/tags/picasa.jpg'), { sidecarPath: immich('metadata/xmp/dates/2000.xmp') })
    assert.equal(iso(m.dateTimeOriginal), '2000-09-27T12:35:33.000Z')
    assert.equal(m.timeZone, 'UTC+02:00')
    assert.equal(iso(m.localDateTime), '2000-09-27T14:35:33.000Z')
    assert.equal(m.dateSource, 'sidecar CreateDate')
    assert.deepEqual(m.keywords, ['Frost', 'Yard'], 'tags the sidecar does not carry still come from the file')
  })

  test('a sidecar with an ISO array does not crash, and its tags win tag by tag', async () => {
    const m = await reader.read(immich('metadata/tags/picasa.jpg'), { sidecarPath: immich('problems/xmp/iso-value-array/iso-value-array.xmp') })
    assert.equal(m.iso, 160)
    assert.equal(m.model, 'Canon PowerShot SX120 IS')
    assert.equal(m.fNumber, 2.8)
    assert.equal(m.exposureTime, '1/1250')
    assert.equal(m.description, null, 'a description of blanks is no description')
    assert.ok(Math.abs(m.latitude! - 40.234644) < 1e-6)
    assert.ok(Math.abs(m.longitude! + 76.287141) < 1e-6)
    assert.equal(m.timeZone, 'America/New_York')
    assert.equal(iso(m.dateTimeOriginal), '2009-11-28T18:42:39.000Z')
  })

  test("a sidecar's local time without offset takes the zone of the file's GPS position", async () => {
    const sidecar = join(scratch, 'colorado.xmp')
    await writeFile(sidecar, `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2019-07-01T10:00:00"/>
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`)
    const m = await reader.read(immich('metadata/dates/datetimeoriginal-gps.jpg'), { sidecarPath: sidecar })
    assert.equal(m.timeZone, 'America/Denver')
    assert.equal(iso(m.dateTimeOriginal), '2019-07-01T16:00:00.000Z', 'MDT is UTC-06:00 in July')
    assert.equal(iso(m.localDateTime), '2019-07-01T10:00:00.000Z')
  })

  test('a Samsung motion photo: its embedded video is found and extracted', async () => {
    const path = immich('formats/motionphoto/samsung-one-ui-6.heic')
    const m = await reader.read(path)
    assert.equal(m.motionPhoto, true)
    assert.equal(m.embeddedVideoTag, 'MotionPhotoVideo')
    assert.equal(m.orientation, 6)
    assert.equal(m.exifImageWidth, 4000, 'dimensions as stored, before rotation')
    assert.equal(m.exifImageHeight, 3000)
    assert.equal(m.timeZone, 'UTC-08:00')
    assert.equal(iso(m.dateTimeOriginal), '2024-01-13T05:38:53.853Z')
    const dest = join(scratch, 'motion', 'video.mp4')
    assert.equal(await reader.extractBinaryTag(path, 'MotionPhotoVideo', dest), true)
    const video = await readFile(dest)
    assert.equal(video.length, 3_226_469)
    assert.equal(video.subarray(4, 8).toString('latin1'), 'ftyp')
    assert.deepEqual((await readdir(join(scratch, 'motion'))), ['video.mp4'], 'no temporary file is left behind')
    assert.equal(await reader.extractBinaryTag(path, 'JpgFromRaw', join(scratch, 'none.jpg')), false)
    assert.equal(existsSync(join(scratch, 'none.jpg')), false)
  })

  test('a video: QuickTime dates are UTC, its GPS position gives the local zone', { skip: ffmpegMissing }, async () => {
    const path = join(scratch, 'lisbon.mp4')
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x120:rate=25', '-c:v', 'libx264', '-preset', 'ultrafast',
      '-pix_fmt', 'yuv420p', '-metadata', 'creation_time=2024-05-01T10:00:00Z', '-metadata', 'location=+38.7223-009.1393/', path])
    const m = await reader.read(path)
    assert.equal(m.mimeType, 'video/mp4')
    assert.equal(iso(m.dateTimeOriginal), '2024-05-01T10:00:00.000Z')
    assert.equal(m.timeZone, 'Europe/Lisbon')
    assert.equal(iso(m.localDateTime), '2024-05-01T11:00:00.000Z', 'Lisbon is UTC+01:00 in May')
    assert.equal(m.duration, 2)
    assert.equal(m.fps, 25)
    assert.deepEqual([m.exifImageWidth, m.exifImageHeight], [160, 120])
  })

  test('the EXIF orientation is read as a number', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      assert.equal((await reader.read(samples(`jpg/orientation/landscape_${orientation}.jpg`))).orientation, orientation)
    }
  })

  test("a camera's default description is not a description", async () => {
    // corrupted.jpg's pixels are damaged, its EXIF is fine: ImageDescription 'OLYMPUS DIGITAL CAMERA'.
    const m = await reader.read(samples('jpg/corrupted.jpg'))
    assert.equal(m.description, null)
    assert.equal(iso(m.dateTimeOriginal), '2015-09-08T11:02:17.000Z')
  })

  test('files with invalid EXIF are read or refused with a MetadataError, never anything else', async () => {
    const folder = samples('jpg/invalid')
    for (const name of (await readdir(folder)).filter((file) => file.endsWith('.jpg'))) {
      try {
        const m = await reader.read(join(folder, name))
        assert.ok(m.dateTimeOriginal instanceof Date, name)
      } catch (err) {
        assert.ok(err instanceof MetadataError, `${name}: ${String(err)}`)
      }
    }
  })

  test('unreadable files give a MetadataError with a reason a person understands', async () => {
    await assert.rejects(reader.read(join(scratch, 'missing.jpg')), (err: unknown) => err instanceof MetadataError && err.reason === 'the file does not exist')
    const empty = join(scratch, 'empty.jpg')
    await writeFile(empty, '')
    await assert.rejects(reader.read(empty), (err: unknown) => err instanceof MetadataError && err.reason === 'the file is empty')
    const text = join(scratch, 'notes.jpg')
    await writeFile(text, 'shopping list: milk, eggs\n')
    await assert.rejects(reader.read(text), (err: unknown) => err instanceof MetadataError && /not a photo or video/.test(err.reason))
    const noise = join(scratch, 'noise.jpg')
    await writeFile(noise, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)))
    await assert.rejects(reader.read(noise), MetadataError)
    await assert.rejects(reader.read(immich('metadata/tags/picasa.jpg'), { sidecarPath: join(scratch, 'missing.xmp') }),
      (err: unknown) => err instanceof MetadataError && err.reason === 'the sidecar does not exist')
  })
})
