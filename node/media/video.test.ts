// Videos made here with ffmpeg (testsrc + sine: the fixtures have no videos): probe, upright poster,
// transcode to a playable H.264/AAC MP4, cancellation and named errors. Hardware encoders cannot run
// here; their arguments are checked as text.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import sharp from 'sharp'
import type { Sharp } from 'sharp'
import { VideoError } from './errors.ts'
import { createVideoProcessor } from './video.ts'
import type { VideoInfo, VideoProcessor } from './video.ts'
import { needsTranscode, posterTime, targetSize, transcodeArgs } from './video-policy.ts'

const run = promisify(execFile)
const ffmpegMissing = await run('ffmpeg', ['-version']).then(() => false, () => 'ffmpeg is not installed (Debian: apt-get install ffmpeg)')
const encoders = ffmpegMissing === false ? (await run('ffmpeg', ['-hide_banner', '-encoders'])).stdout : ''

const info = (overrides: Partial<VideoInfo> = {}): VideoInfo => ({
  duration: 10, width: 1920, height: 1080, rotation: 0, videoCodec: 'h264', videoProfile: 'High', pixelFormat: 'yuv420p',
  audioCodec: 'aac', container: 'mov,mp4,m4a,3gp,3g2,mj2', bitrate: 8e6, fps: 30, creationTime: null, hdr: false, interlaced: false, ...overrides,
})

describe('video policy', () => {
  test('only 8-bit 4:2:0 SDR H.264 with AAC/MP3/no audio in MP4 or QuickTime plays as it is', () => {
    assert.equal(needsTranscode(info()), false)
    assert.equal(needsTranscode(info({ audioCodec: null })), false)
    assert.equal(needsTranscode(info({ audioCodec: 'mp3' })), false)
    assert.equal(needsTranscode(info({ videoCodec: 'hevc', videoProfile: 'Main' })), true, 'HEVC: no Firefox, Chromium only with hardware')
    assert.equal(needsTranscode(info({ videoProfile: 'High 10', pixelFormat: 'yuv420p10le' })), true)
    assert.equal(needsTranscode(info({ pixelFormat: 'yuv444p', videoProfile: 'High 4:4:4 Predictive' })), true)
    assert.equal(needsTranscode(info({ hdr: true })), true)
    assert.equal(needsTranscode(info({ interlaced: true })), true)
    assert.equal(needsTranscode(info({ audioCodec: 'pcm_s16le' })), true)
    assert.equal(needsTranscode(info({ container: 'matroska,webm' })), true)
    assert.equal(needsTranscode(info({ container: 'matroska,webm', videoCodec: 'vp9' })), true)
    assert.equal(needsTranscode(info({ container: 'mpegts' })), true)
  })

  test('the smaller side goes to the target, sizes stay even, nothing is upscaled', () => {
    assert.deepEqual(targetSize(info(), 720), { width: 1280, height: 720 })
    assert.deepEqual(targetSize(info({ width: 1080, height: 1920 }), 720), { width: 720, height: 1280 })
    assert.deepEqual(targetSize(info({ width: 320, height: 240 }), 720), { width: 320, height: 240 })
    assert.deepEqual(targetSize(info({ width: 321, height: 241 }), 720), { width: 320, height: 240 })
  })

  test('hardware encoders get their own flags (these cannot run here: no GPU)', () => {
    const hevc = info({ videoCodec: 'hevc' })
    const joined = (acceleration: 'none' | 'nvenc' | 'qsv' | 'vaapi') => {
      const plan = transcodeArgs(hevc, { targetHeight: 720, acceleration })
      return `${plan.inputOptions.join(' ')} | ${plan.outputOptions.join(' ')}`
    }
    assert.match(joined('none'), /-c:v libx264 .*-crf 23/)
    assert.match(joined('nvenc'), /-c:v h264_nvenc/)
    assert.match(joined('qsv'), /^-init_hw_device qsv=hw -filter_hw_device hw \|.*hwupload=extra_hw_frames=64.*-c:v h264_qsv/)
    assert.match(joined('vaapi'), /^-vaapi_device \/dev\/dri\/renderD128 \|.*format=nv12,hwupload.*-c:v h264_vaapi/)
    for (const acceleration of ['none', 'nvenc', 'qsv', 'vaapi'] as const) {
      assert.match(joined(acceleration), /scale=1280:720.*-c:a copy -vsync passthrough -movflags \+faststart -f mp4$/)
    }
    assert.match(transcodeArgs(info({ videoCodec: 'hevc', hdr: true }), { targetHeight: 720, acceleration: 'none' }).outputOptions.join(' '), /tonemap=tonemap=hable/)
    assert.equal(transcodeArgs(info({ width: 1280, height: 720, container: 'matroska,webm' }), { targetHeight: 720, acceleration: 'none' }).copiesVideo, true)
    assert.equal(transcodeArgs(info(), { targetHeight: 720, acceleration: 'none' }).copiesVideo, false, '1080p must be scaled down')
  })

  test('the poster is taken 10% in, or at 1 s when the length is unknown', () => {
    assert.equal(posterTime(info({ duration: 30 })), 3)
    assert.equal(posterTime(info({ duration: null })), 1)
    assert.equal(posterTime(info(), 4), 4)
  })
})

describe('videos made with ffmpeg', { skip: ffmpegMissing }, () => {
  let scratch: string
  let video: VideoProcessor
  const file = (name: string) => join(scratch, name)
  const ffmpeg = (...args: string[]) => run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args])
  const testsrc = (seconds: number, size: string) => ['-f', 'lavfi', '-i', `testsrc=duration=${seconds}:size=${size}:rate=25`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`]

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'hearth-video-'))
    video = createVideoProcessor()
    await Promise.all([
      ffmpeg(...testsrc(3, '320x240'), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
        '-metadata', 'creation_time=2024-05-01T10:00:00Z', file('plain.mp4')),
      ffmpeg(...testsrc(3, '640x360'), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'libmp3lame', '-shortest', file('wide.mkv')),
      ffmpeg(...testsrc(2, '320x240'), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', '-shortest', file('pcm.mov')),
    ])
    // A portrait phone video: the same picture, stored sideways, with a rotation in the container.
    await ffmpeg('-i', file('plain.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file('rotated.mp4'))
    if ((await video.probe(file('rotated.mp4'))).rotation === 0) {
      // ffmpeg 6 and later ignore the rotate tag on output and take -display_rotation on input instead.
      await ffmpeg('-display_rotation:v:0', '90', '-i', file('plain.mp4'), '-c', 'copy', file('rotated.mp4'))
    }
  })
  after(async () => {
    await rm(scratch, { recursive: true, force: true })
  })

  test('probe reads length, size, codecs, rate and capture time', async () => {
    const probed = await video.probe(file('plain.mp4'))
    assert.ok(Math.abs(probed.duration! - 3) < 0.1, `duration ${probed.duration}`)
    assert.deepEqual([probed.width, probed.height, probed.rotation], [320, 240, 0])
    assert.equal(probed.videoCodec, 'h264')
    assert.equal(probed.audioCodec, 'aac')
    assert.match(probed.container, /mp4/)
    assert.equal(probed.fps, 25)
    assert.ok(probed.bitrate! > 0)
    assert.equal(probed.creationTime?.toISOString(), '2024-05-01T10:00:00.000Z')
    assert.equal(video.needsTranscode(probed), false)
  })

  test('a rotated video is probed as displayed, and its poster is upright', async () => {
    const rotated = await video.probe(file('rotated.mp4'))
    assert.ok(rotated.rotation === 90 || rotated.rotation === 270, `rotation ${rotated.rotation}`)
    assert.deepEqual([rotated.width, rotated.height], [240, 320])
    await video.poster(file('plain.mp4'), file('plain-poster.jpeg'))
    await video.poster(file('rotated.mp4'), file('rotated-poster.jpeg'))
    const poster = await sharp(file('rotated-poster.jpeg')).metadata()
    assert.equal(poster.format, 'jpeg')
    assert.deepEqual([poster.width, poster.height], [240, 320])
    const grey = (image: Sharp) => image.resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer()
    const difference = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]), 0) / a.length
    const got = await grey(sharp(file('rotated-poster.jpeg')))
    const right = difference(got, await grey(sharp(file('plain-poster.jpeg')).rotate(rotated.rotation)))
    const wrong = difference(got, await grey(sharp(file('plain-poster.jpeg')).rotate((rotated.rotation + 180) % 360)))
    assert.ok(right < 10, `poster differs from the picture turned ${rotated.rotation}° by ${right}`)
    assert.ok(wrong > 25, `poster is too close to the picture turned the wrong way (${wrong})`)
  })

  test('HEVC is transcoded to a playable H.264/AAC MP4 with its index first', { skip: encoders.includes('libx265') ? false : 'this ffmpeg has no libx265 to make an HEVC test video' }, async () => {
    await ffmpeg(...testsrc(3, '320x240'), '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-tag:v', 'hvc1', file('hevc.mp4'))
    const source = await video.probe(file('hevc.mp4'))
    assert.equal(source.videoCodec, 'hevc')
    assert.equal(video.needsTranscode(source), true)
    const progress: number[] = []
    await video.transcode(file('hevc.mp4'), file('out/hevc.mp4'), { onProgress: (fraction) => progress.push(fraction) })
    const out = await video.probe(file('out/hevc.mp4'))
    assert.equal(out.videoCodec, 'h264')
    assert.equal(out.pixelFormat, 'yuv420p')
    assert.equal(out.audioCodec, 'aac')
    assert.match(out.container, /mp4/)
    assert.deepEqual([out.width, out.height], [320, 240], 'never upscaled to 720p')
    assert.ok(Math.abs(out.duration! - 3) < 0.2)
    assert.equal(video.needsTranscode(out), false)
    assert.equal(progress.at(-1), 1)
    assert.ok(progress.every((fraction, i) => fraction >= 0 && fraction <= 1 && (i === 0 || fraction >= progress[i - 1])))
    const bytes = await readFile(file('out/hevc.mp4'))
    assert.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'), 'faststart: the index comes before the data')
    assert.deepEqual(await readdir(file('out')), ['hevc.mp4'], 'no temporary file is left')
  })

  test('a playable stream in the wrong container is copied, not re-encoded; MP3 becomes AAC', async () => {
    const source = await video.probe(file('wide.mkv'))
    assert.equal(video.needsTranscode(source), true)
    await video.transcode(file('wide.mkv'), file('out/wide.mp4'), { targetHeight: 720 })
    const out = await video.probe(file('out/wide.mp4'))
    assert.deepEqual([out.videoCodec, out.audioCodec, out.width, out.height], ['h264', 'aac', 640, 360])
    assert.equal((await video.probe(file('pcm.mov'))).audioCodec, 'pcm_s16le')
    assert.equal(video.needsTranscode(await video.probe(file('pcm.mov'))), true, 'browsers do not play PCM audio')
  })

  test('the target height scales the smaller side; a rotated video comes out upright', async () => {
    await video.transcode(file('wide.mkv'), file('out/small.mp4'), { targetHeight: 180 })
    const small = await video.probe(file('out/small.mp4'))
    assert.deepEqual([small.width, small.height], [320, 180])
    await video.transcode(file('rotated.mp4'), file('out/upright.mp4'), { targetHeight: 120 })
    const upright = await video.probe(file('out/upright.mp4'))
    assert.deepEqual([upright.width, upright.height, upright.rotation], [120, 160, 0])
  })

  test('cancelling a transcode kills ffmpeg and leaves nothing behind', async () => {
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc=duration=20:size=640x480:rate=25', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p', file('long.mp4'))
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => { controller.abort(new Error('shutting down')) }, 150)
    await assert.rejects(video.transcode(file('long.mp4'), file('cancelled/long.mp4'), { signal: controller.signal }), /shutting down/)
    assert.ok(Date.now() - started < 5000)
    assert.deepEqual(existsSync(file('cancelled')) ? await readdir(file('cancelled')) : [], [])
  })

  test('what is not a video gives a VideoError with a readable reason', async () => {
    await writeFile(file('notes.mp4'), 'not a video\n')
    const bytes = await readFile(file('plain.mp4'))
    await writeFile(file('truncated.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.5)))
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => video.probe(file('notes.mp4')), /not a video/],
      [() => video.probe(file('missing.mp4')), /does not exist/],
      [() => video.probe(file('truncated.mp4')), /incomplete|damaged/],
      [() => video.poster(file('missing.mp4'), file('x.jpeg')), /does not exist/],
      [() => createVideoProcessor({ ffprobePath: join(scratch, 'no-ffprobe') }).probe(file('plain.mp4')), /ffprobe is not installed/],
      [() => createVideoProcessor({ ffmpegPath: join(scratch, 'no-ffmpeg') }).poster(file('plain.mp4'), file('x.jpeg')), /ffmpeg is not installed/],
    ]
    for (const [attempt, reason] of cases) {
      await assert.rejects(attempt(), (err: unknown) => err instanceof VideoError && reason.test(err.reason), String(reason))
    }
  })
})
