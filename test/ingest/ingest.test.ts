/**
 * The whole ingest pipeline through the API: uploads of real photos and generated videos become
 * fully described assets (metadata, upright thumbnails and previews, playable video); a file that
 * cannot be read becomes a failed asset with its reason while the rest carry on.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'
import { engines } from '../helpers/engines.ts'
import { startTestNode, type TestNode } from '../helpers/node.ts'
import type { Session } from '../helpers/client.ts'

const run = promisify(execFile)
const shared = resolve(import.meta.dirname, '../../../shared/fixtures')
const hasShared = existsSync(shared)
const fixture = (p: string) => join(shared, p)

for (const engine of engines) {
  describe(`[${engine}] ingest through the API`, { skip: hasShared ? false : 'needs ../shared/fixtures (real camera photos)' }, () => {
    let t: TestNode
    let me: Session
    let work: string
    const ids: Record<string, string> = {}
    const asset = async (name: string) => (await t.client.call('GET', `/api/assets/${ids[name]}`, { headers: me.headers })).body
    const thumb = async (name: string, size: 'thumbnail' | 'preview') => {
      const r = await fetch(`${t.url}/api/assets/${ids[name]}/thumbnail?size=${size}`, { headers: me.headers })
      return { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('cache-control'), body: Buffer.from(await r.arrayBuffer()) }
    }

    before(async () => {
      t = await startTestNode(engine)
      me = await t.client.signUpAdmin()
      work = await mkdtemp(join(tmpdir(), 'hearth-ingest-'))
      await run('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
        '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', join(work, 'clip.mp4')])
      await run('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-c:v', 'mpeg4', join(work, 'old-camera.avi')])
      // The MOV half of an iPhone live photo: the content identifier of IMG_5195.HEIC, as iOS writes it.
      await run('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(work, 'IMG_5195.MOV')])
      const exiftool = join(import.meta.dirname, '../../node_modules/exiftool-vendored.pl/bin/exiftool')
      await run('perl', [exiftool, '-q', '-overwrite_original', '-Keys:ContentIdentifier=570F1469-09C7-4E50-9875-05F21D5BD166', join(work, 'IMG_5195.MOV')])
      const uploads: Array<[string, string]> = [
        ['rotated', fixture('exif-samples/jpg/orientation/landscape_6.jpg')],
        ['upright', fixture('exif-samples/jpg/orientation/landscape_1.jpg')],
        ['tuscany', fixture('exif-samples/jpg/gps/DSCN0010.jpg')],
        ['iphone', fixture('exif-samples/heic/IMG_5195.HEIC')],
        ['avif', fixture('immich-test-assets/formats/avif/10bit-HDR-P3-nclx.avif')],
        ['jxl', fixture('immich-test-assets/formats/jxl/8bit-sRGB.jxl')],
        ['corrupt', fixture('exif-samples/jpg/corrupted.jpg')],
        ['clip', join(work, 'clip.mp4')],
        ['avi', join(work, 'old-camera.avi')],
        ['motion', fixture('immich-test-assets/formats/motionphoto/samsung-one-ui-6.heic')],
        ['liveMov', join(work, 'IMG_5195.MOV')],
      ]
      for (const [key, path] of uploads) {
        const r = await t.client.upload(me, path)
        assert.equal(r.status, 201, `${key}: ${JSON.stringify(r.body)}`)
        ids[key] = r.body.id as string
      }
      await t.node.jobs.drained(['metadataExtraction', 'thumbnailGeneration', 'videoConversion'], { timeoutMs: 300_000 })
    })
    after(async () => {
      await t.stop()
      await rm(work, { recursive: true, force: true })
    })

    test('metadata arrives in exifInfo with Immich\'s names, and the capture time becomes the asset\'s date', async () => {
      const a = await asset('tuscany')
      assert.equal(a.ingestStatus, 'ready')
      assert.equal(a.exifInfo.make, 'NIKON')
      assert.equal(a.exifInfo.timeZone, 'Europe/Rome')
      assert.equal(a.exifInfo.dateTimeOriginal, '2008-10-22T14:28:39.000Z')
      assert.ok(Math.abs(a.exifInfo.latitude - 43.4674483) < 1e-6)
      assert.ok(Math.abs(a.exifInfo.longitude - 11.8851267) < 1e-6)
      assert.equal(a.fileCreatedAt, '2008-10-22T14:28:39.000Z', 'the timeline uses the capture time, not the upload\'s')
      assert.equal(a.localDateTime, '2008-10-22T16:28:39.000Z', 'local wall time in Tuscany (CEST)')
      const iphone = await asset('iphone')
      assert.equal(iphone.exifInfo.model, 'iPhone 11 Pro Max')
      assert.equal(iphone.exifInfo.timeZone, 'America/Chicago')
    })

    test('thumbnails are WebP 250 px and previews JPEG 1440 px (never upscaled), upright, with a thumbhash', async () => {
      for (const key of ['rotated', 'upright', 'tuscany', 'iphone', 'avif', 'jxl']) {
        const a = await asset(key)
        assert.equal(a.ingestStatus, 'ready', `${key}: ${String(a.failureReason)}`)
        assert.ok(typeof a.thumbhash === 'string' && a.thumbhash.length > 10, key)
        const small = await thumb(key, 'thumbnail')
        assert.equal(small.status, 200, key)
        assert.equal(small.type, 'image/webp')
        assert.match(small.cache ?? '', /max-age/)
        const meta = await sharp(small.body).metadata()
        assert.equal(Math.min(meta.width, meta.height), 250, `${key} thumbnail ${meta.width}x${meta.height}`)
        const big = await thumb(key, 'preview')
        assert.equal(big.type, 'image/jpeg')
        const pm = await sharp(big.body).metadata()
        assert.ok(Math.min(pm.width, pm.height) <= 1440, key)
      }
      // Orientation 6 is stored sideways: its preview must match the upright file's, pixel for pixel (near enough).
      const norm = async (b: Buffer) => sharp(b).resize(32, 24, { fit: 'fill' }).greyscale().raw().toBuffer()
      const [rot, up] = await Promise.all([norm((await thumb('rotated', 'preview')).body), norm((await thumb('upright', 'preview')).body)])
      const diff = rot.reduce((s, v, i) => s + Math.abs(v - up[i]), 0) / rot.length
      assert.ok(diff < 12, `rotated preview differs from the upright one by ${diff.toFixed(1)}`)
      const rotated = await asset('rotated')
      assert.ok(rotated.width > rotated.height === ((await asset('upright')).width > (await asset('upright')).height), 'upright dimensions')
    })

    test('a corrupt file becomes a failed asset with a reason; its original is still there', async () => {
      const a = await asset('corrupt')
      assert.equal(a.ingestStatus, 'failed')
      assert.ok(typeof a.failureReason === 'string' && a.failureReason.length > 5, String(a.failureReason))
      const th = await thumb('corrupt', 'thumbnail')
      assert.equal(th.status, 404)
      const original = await fetch(`${t.url}/api/assets/${ids.corrupt}/original`, { headers: me.headers })
      assert.deepEqual(Buffer.from(await original.arrayBuffer()), await readFile(fixture('exif-samples/jpg/corrupted.jpg')))
      const jobs = await t.client.call('GET', '/api/jobs', { headers: me.headers })
      assert.equal(jobs.body.thumbnailGeneration.jobCounts.failed, 1)
      assert.equal(jobs.body.thumbnailGeneration.jobCounts.active, 0)
    })

    test('videos get a poster and duration; one a browser cannot play is transcoded to H.264, one it can is not', async () => {
      const clip = await asset('clip')
      assert.equal(clip.ingestStatus, 'ready', String(clip.failureReason))
      assert.match(clip.duration, /^0:00:0[12]\./)
      assert.equal((await thumb('clip', 'thumbnail')).status, 200)
      const play = await fetch(`${t.url}/api/assets/${ids.clip}/video/playback`, { headers: { ...me.headers, range: 'bytes=0-99' } })
      assert.equal(play.status, 206)
      assert.equal(play.headers.get('content-type'), 'video/mp4')
      const [row] = await t.node.db.query<{ encoded_video_path: string | null }>('SELECT encoded_video_path FROM assets WHERE id = $1', [ids.clip])
      assert.equal(row.encoded_video_path, null, 'H.264/AAC MP4 plays as it is')
      const [avi] = await t.node.db.query<{ encoded_video_path: string | null }>('SELECT encoded_video_path FROM assets WHERE id = $1', [ids.avi])
      assert.ok(avi.encoded_video_path !== null, 'MPEG-4 part 2 in AVI is transcoded')
      const out = join(work, 'played.mp4')
      const body = Buffer.from(await (await fetch(`${t.url}/api/assets/${ids.avi}/video/playback`, { headers: me.headers })).arrayBuffer())
      await import('node:fs/promises').then((fs) => fs.writeFile(out, body))
      const probe = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', out])).stdout) as { streams: Array<{ codec_name: string }> }
      assert.equal(probe.streams[0].codec_name, 'h264')
    })

    test('a Samsung motion photo\'s embedded video becomes a hidden, linked, playable video asset', async () => {
      const photo = await asset('motion')
      assert.equal(photo.ingestStatus, 'ready', String(photo.failureReason))
      assert.ok(photo.livePhotoVideoId, 'the photo links its video')
      const video = (await t.client.call('GET', `/api/assets/${photo.livePhotoVideoId as string}`, { headers: me.headers })).body
      assert.equal(video.type, 'VIDEO')
      assert.equal(video.visibility, 'hidden')
      assert.equal(video.ingestStatus, 'ready', String(video.failureReason))
      assert.equal(video.fileSize, 3_226_469)
      assert.match(video.originalPath, /^library\/admin\/.*samsung-one-ui-6-motion\.mp4$/)
      const buckets = await t.client.call('GET', '/api/timeline/buckets', { headers: me.headers })
      const total = buckets.body.reduce((n: number, b: { count: number }) => n + b.count, 0)
      const search = await t.client.call('POST', '/api/search/metadata', { headers: me.headers, body: { visibility: 'timeline', size: 1000 } })
      assert.equal(total, search.body.assets.total, 'the hidden video is not in the timeline')
    })

    test('an iPhone live photo: the HEIC and its MOV pair by content identifier, and the video hides behind the photo', async () => {
      const photo = await asset('iphone')
      assert.equal(photo.livePhotoVideoId, ids.liveMov)
      const mov = await asset('liveMov')
      assert.equal(mov.visibility, 'hidden')
      assert.equal(mov.type, 'VIDEO')
    })

    test('deleting for good removes generated files too', async () => {
      const [row] = await t.node.db.query<{ thumbnail_path: string, preview_path: string }>('SELECT thumbnail_path, preview_path FROM assets WHERE id = $1', [ids.upright])
      assert.ok(existsSync(join(t.dataDir, row.thumbnail_path)))
      await t.client.call('DELETE', '/api/assets', { headers: me.headers, body: { ids: [ids.upright], force: true } })
      assert.ok(!existsSync(join(t.dataDir, row.thumbnail_path)))
      assert.ok(!existsSync(join(t.dataDir, row.preview_path)))
    })
  })
}
