/**
 * Videos with the system's ffmpeg: probe (length, size as displayed, rotation, codecs, capture time),
 * a poster frame, and an H.264/AAC MP4 for browsers that cannot play the original. The only module that
 * imports fluent-ffmpeg, which is unmaintained upstream: keep it behind this adapter so it can be
 * replaced by a plain child_process without touching a service. What to transcode and with which
 * arguments is decided in video-policy.ts.
 *
 * @example
 * const video = createVideoProcessor({ acceleration: 'none' })
 * const info = await video.probe('/photos/IMG_0002.MOV')
 * await video.poster('/photos/IMG_0002.MOV', '/data/thumbs/ab/abcd-poster.jpeg')
 * if (video.needsTranscode(info)) await video.transcode('/photos/IMG_0002.MOV', '/data/encoded-video/ab/abcd.mp4', { signal, onProgress: (f) => job.progress(f) })
 */
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, delimiter, dirname, join, resolve, sep } from 'node:path'
import ffmpeg from 'fluent-ffmpeg'
import type { FfmpegCommand, FfprobeData, FfprobeStream } from 'fluent-ffmpeg'
import { VideoError } from './errors.ts'
import { needsTranscode, posterArgs, posterTime, transcodeArgs } from './video-policy.ts'
import type { Acceleration, VideoInfo } from './video-policy.ts'

export type { Acceleration, VideoInfo } from './video-policy.ts'

export interface VideoProcessorOptions {
  ffmpegPath?: string
  ffprobePath?: string
  /** Which H.264 encoder to use. Only 'none' (libx264) can be tested here; the others need the hardware. */
  acceleration?: Acceleration
  /** The render node for VAAPI (Intel and AMD graphics on Linux). */
  vaapiDevice?: string
}

export interface TranscodeOptions {
  /** The smaller side of the output at most (720 gives 1280x720 or 720x1280); never upscaled. */
  targetHeight?: number
  signal?: AbortSignal
  /** Called with the fraction done, 0 to 1. */
  onProgress?: (fraction: number) => void
}

export interface VideoProcessor {
  probe (path: string): Promise<VideoInfo>
  poster (path: string, outJpegPath: string, options?: { atSeconds?: number, signal?: AbortSignal }): Promise<void>
  needsTranscode (info: VideoInfo): boolean
  transcode (path: string, outMp4Path: string, options?: TranscodeOptions): Promise<void>
}

const tempName = (path: string, extension: string) => join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp${extension}`)

/** What ffmpeg/ffprobe said, in words for the person who owns the video. */
function videoError (err: unknown, path: string, tool: string, toolPath: string): VideoError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  let reason: string
  if ((code === 'ENOENT' && /spawn/i.test(message)) || /cannot find ff(mpeg|probe)/i.test(message)) reason = `${tool} is not installed (looked for '${toolPath}')`
  else if (/no such file or directory/i.test(message)) reason = 'the file does not exist'
  else if (/permission denied/i.test(message)) reason = 'the file cannot be read (permission denied)'
  else if (/moov atom not found/i.test(message)) reason = 'the video is incomplete: its index is missing (the file is truncated, or still being copied)'
  else if (/invalid data found|could not find codec parameters|end of file/i.test(message)) reason = 'not a video, or the video is damaged'
  else if (/no space left/i.test(message)) reason = 'the disk is full: the video could not be written'
  else if (/unknown encoder|cannot load|no device available|failed to (initialise|initialize|open|create)|device creation failed|no nvenc capable devices|driver does not support/i.test(message)) reason = `the hardware encoder could not be used (${message.split('\n').find((line) => /encoder|device|driver|nvenc|vaapi|qsv/i.test(line))?.trim().slice(0, 160) ?? 'see the log'})`
  else reason = `${tool} failed on this video (${message.split('\n').filter((line) => line.trim() !== '').slice(-1)[0]?.trim().slice(0, 200) ?? 'no details'})`
  return new VideoError(reason, path, { cause: err })
}

const ratio = (value: string | undefined): number | null => {
  if (value === undefined) return null
  const [numerator, denominator] = value.split('/').map(Number)
  const fps = denominator === undefined ? numerator : numerator / denominator
  return Number.isFinite(fps) && fps > 0 && fps < 1000 ? Math.round(fps * 1000) / 1000 : null
}

const positive = (value: unknown): number | null => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseFloat(value) : Number.NaN
  return Number.isFinite(n) && n > 0 ? n : null
}

/** Clockwise degrees, from the display matrix (counter-clockwise in ffprobe) or the old 'rotate' tag (clockwise). */
function rotationOf (stream: FfprobeStream): 0 | 90 | 180 | 270 {
  const loose = stream as FfprobeStream & { rotation?: string | number, side_data_list?: Array<{ rotation?: string | number }>, tags?: Record<string, string> }
  let counterClockwise: number | undefined
  const fromList = loose.side_data_list?.find((entry) => entry.rotation !== undefined)?.rotation
  if (fromList !== undefined) counterClockwise = Number(fromList)
  else if (loose.rotation !== undefined && loose.rotation !== 'N/A') counterClockwise = Number(loose.rotation)
  else if (loose.tags?.rotate !== undefined) counterClockwise = -Number(loose.tags.rotate)
  if (counterClockwise === undefined || !Number.isFinite(counterClockwise)) return 0
  const clockwise = (((-Math.round(counterClockwise / 90) * 90) % 360) + 360) % 360
  return clockwise as 0 | 90 | 180 | 270
}

function creationTimeOf (data: FfprobeData, stream: FfprobeStream): Date | null {
  const tags = { ...(stream.tags as Record<string, string> | undefined), ...(data.format.tags as Record<string, string> | undefined) }
  // Apple's tag carries the local offset; creation_time is UTC. Both give the same instant when present.
  for (const value of [tags['com.apple.quicktime.creationdate'], tags.creation_time]) {
    if (value === undefined) continue
    const date = new Date(value)
    // QuickTime's epoch (1904) and zeroed fields mean "not set".
    if (Number.isFinite(date.getTime()) && date.getUTCFullYear() > 1970) return date
  }
  return null
}

/** Resolves when `name` (a path, or a command found on PATH) is an executable file. */
async function findExecutable (name: string): Promise<void> {
  const candidates = name.includes(sep) ? [name] : (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, name))
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK)
      return
    } catch {
      // not this one: try the next folder on PATH
    }
  }
  throw new Error(`${name} not found`)
}

async function looksLikeIsoMedia (path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch(() => undefined)
  if (handle === undefined) return false
  try {
    const head = Buffer.alloc(8)
    await handle.read(head, 0, 8, 0)
    return ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(head.subarray(4, 8).toString('latin1'))
  } finally {
    await handle.close()
  }
}

export function toVideoInfo (data: FfprobeData): VideoInfo | undefined {
  const video = data.streams.find((stream) => stream.codec_type === 'video' && (stream.disposition as Record<string, number> | undefined)?.attached_pic !== 1)
  if (video === undefined || video.width === undefined || video.height === undefined) return undefined
  const audio = data.streams.find((stream) => stream.codec_type === 'audio')
  const rotation = rotationOf(video)
  const sideways = rotation === 90 || rotation === 270
  const transfer = (video as FfprobeStream & { color_transfer?: string }).color_transfer
  const fieldOrder = (video as FfprobeStream & { field_order?: string }).field_order
  return {
    duration: positive(data.format.duration) ?? positive(video.duration),
    width: sideways ? video.height : video.width,
    height: sideways ? video.width : video.height,
    rotation,
    videoCodec: video.codec_name ?? 'unknown',
    videoProfile: typeof video.profile === 'string' ? video.profile : video.profile === undefined ? null : String(video.profile),
    pixelFormat: video.pix_fmt ?? null,
    audioCodec: audio?.codec_name ?? null,
    container: data.format.format_name ?? 'unknown',
    bitrate: positive(data.format.bit_rate),
    fps: ratio(video.avg_frame_rate !== '0/0' ? video.avg_frame_rate : video.r_frame_rate),
    creationTime: creationTimeOf(data, video),
    hdr: transfer === 'smpte2084' || transfer === 'arib-std-b67',
    interlaced: fieldOrder !== undefined && ['tt', 'bb', 'tb', 'bt'].includes(fieldOrder),
  }
}

export function createVideoProcessor (options: VideoProcessorOptions = {}): VideoProcessor {
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg'
  const ffprobePath = options.ffprobePath ?? 'ffprobe'
  const acceleration = options.acceleration ?? 'none'

  const command = (input: string) => ffmpeg(input).setFfmpegPath(ffmpegPath).setFfprobePath(ffprobePath)

  // fluent-ffmpeg throws from inside an event handler (an uncaught exception that ends the process) when
  // ffmpeg cannot be spawned, so both tools are looked up before anything runs.
  const found = new Map<string, Promise<void>>()
  const ensureTool = (tool: string, toolPath: string, videoPath: string) => {
    let lookup = found.get(toolPath)
    if (lookup === undefined) {
      lookup = findExecutable(toolPath)
      found.set(toolPath, lookup)
      lookup.catch(() => { found.delete(toolPath) })
    }
    return lookup.catch((err: unknown) => { throw new VideoError(`${tool} is not installed (looked for '${toolPath}')`, videoPath, { cause: err }) })
  }

  /** Runs one ffmpeg command to `out` through a temporary file; the signal kills ffmpeg. */
  async function run (path: string, out: string, build: (cmd: FfmpegCommand, temp: string) => FfmpegCommand, extension: string, signal?: AbortSignal, onProgress?: (timemark: number) => void) {
    signal?.throwIfAborted()
    await ensureTool('ffmpeg', ffmpegPath, path)
    await mkdir(dirname(out), { recursive: true })
    const temp = tempName(out, extension)
    try {
      await new Promise<void>((resolvePromise, reject) => {
        let settled = false
        const settle = (err?: unknown) => {
          if (settled) return
          settled = true
          signal?.removeEventListener('abort', onAbort)
          if (err === undefined) resolvePromise()
          else reject(err)
        }
        const cmd = build(command(path), temp)
        const onAbort = () => {
          cmd.kill('SIGKILL')
          settle(signal?.reason)
        }
        signal?.addEventListener('abort', onAbort, { once: true })
        cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
          settle(videoError(new Error(`${err.message}\n${stderr ?? ''}`), path, 'ffmpeg', ffmpegPath))
        })
        cmd.on('end', () => { settle() })
        if (onProgress !== undefined) {
          cmd.on('progress', (progress: { timemark?: string }) => {
            const [h, m, s] = (progress.timemark ?? '').split(':').map(Number)
            if ([h, m, s].every(Number.isFinite)) onProgress(h * 3600 + m * 60 + s)
          })
        }
        cmd.run()
      })
      const written = await stat(temp).catch(() => undefined)
      if (written === undefined || written.size === 0) throw new VideoError('ffmpeg produced no output for this video', path)
      await rename(temp, out)
    } finally {
      await rm(temp, { force: true })
    }
  }

  async function probe (path: string): Promise<VideoInfo> {
    const absolute = resolve(path)
    await ensureTool('ffprobe', ffprobePath, absolute)
    const data = await new Promise<FfprobeData>((resolvePromise, reject) => {
      let settled = false
      command(absolute).ffprobe((err: Error | null, result: FfprobeData) => {
        if (settled) return
        settled = true
        if (err !== null && err !== undefined) reject(err)
        else resolvePromise(result)
      })
    }).catch(async (err: unknown) => {
      // ffprobe says 'moov atom not found' for any file with an .mp4/.mov name: it means "incomplete"
      // only when the file does start like one.
      if (err instanceof Error && /moov atom not found/i.test(err.message) && !await looksLikeIsoMedia(absolute)) {
        throw new VideoError('not a video, or the video is damaged', absolute, { cause: err })
      }
      throw videoError(err, absolute, 'ffprobe', ffprobePath)
    })
    const info = toVideoInfo(data)
    if (info === undefined) throw new VideoError('the file has no video stream', absolute)
    return info
  }

  return {
    probe,
    needsTranscode,

    async poster (path, outJpegPath, { atSeconds, signal } = {}) {
      const absolute = resolve(path)
      const info = await probe(absolute)
      const grab = (seconds: number) => run(absolute, outJpegPath, (cmd, temp) => cmd
        .seekInput(seconds)
        .outputOptions(posterArgs(info))
        .output(temp), '.jpeg', signal)
      try {
        await grab(posterTime(info, atSeconds))
      } catch (err) {
        // A seek past the last frame (a wrong duration in the container) gives no frame: take the first.
        if (err instanceof VideoError && /no output/.test(err.reason)) await grab(0)
        else throw err
      }
    },

    async transcode (path, outMp4Path, { targetHeight = 720, signal, onProgress } = {}) {
      const absolute = resolve(path)
      const info = await probe(absolute)
      const plan = transcodeArgs(info, { targetHeight, acceleration, vaapiDevice: options.vaapiDevice })
      const report = onProgress === undefined || info.duration === null
        ? undefined
        : (seconds: number) => { onProgress(Math.min(1, Math.max(0, seconds / info.duration!))) }
      await run(absolute, outMp4Path, (cmd, temp) => cmd
        .inputOptions(plan.inputOptions)
        .outputOptions(plan.outputOptions)
        .output(temp), '.mp4', signal, report)
      onProgress?.(1)
    },
  }
}
