/**
 * The decisions about a video, apart from running ffmpeg: whether a browser can play it as it is, and
 * the ffmpeg arguments that make a poster frame or an H.264/AAC MP4 for each kind of hardware. Pure
 * functions, so the hardware-encoder arguments are tested even where no GPU exists (only the software
 * encoder can be run in this project's tests).
 *
 * @example
 * if (needsTranscode(info)) await video.transcode(path, out)          // video.ts uses transcodeArgs()
 * transcodeArgs(info, { targetHeight: 720, acceleration: 'vaapi' })  // ['-vaapi_device', '/dev/dri/renderD128', ...]
 */

export type Acceleration = 'none' | 'nvenc' | 'qsv' | 'vaapi'

export interface VideoInfo {
  /** Seconds; null when the container does not say. */
  duration: number | null
  /** As displayed, after rotation: a phone's portrait video is taller than wide. */
  width: number
  height: number
  /** Clockwise degrees the stored picture must turn to be upright (QuickTime's 'Rotate 90 CW' is 90). */
  rotation: 0 | 90 | 180 | 270
  videoCodec: string
  /** ffmpeg's profile name, such as 'High' or 'High 10' or 'Main 10'. */
  videoProfile: string | null
  /** ffmpeg's pixel format, such as 'yuv420p' or 'yuv420p10le'. */
  pixelFormat: string | null
  audioCodec: string | null
  /** ffprobe's format name: 'mov,mp4,m4a,3gp,3g2,mj2' for both MP4 and QuickTime, 'matroska,webm', 'mpegts'... */
  container: string
  bitrate: number | null
  fps: number | null
  /** When recording started, from the container (an instant; the zone comes from metadata.ts). */
  creationTime: Date | null
  /** HDR transfer (PQ or HLG): shown washed out by browsers on SDR screens, so it is tone-mapped. */
  hdr: boolean
  interlaced: boolean
}

const mp4Family = /(^|,)(mov|mp4)(,|$)/
const browserAudio = new Set(['aac', 'mp3'])

/** True when this H.264 stream plays in every current browser: 8-bit 4:2:0, progressive, SDR. */
function isPlayableH264 (info: VideoInfo): boolean {
  return info.videoCodec === 'h264' &&
    (info.pixelFormat === null || info.pixelFormat === 'yuv420p' || info.pixelFormat === 'yuvj420p') &&
    !/high 10|high 4:2:2|high 4:4:4/i.test(info.videoProfile ?? '') &&
    !info.hdr && !info.interlaced
}

/**
 * Whether the browser needs a transcoded copy. Only H.264 is played everywhere: HEVC (every iPhone video
 * since 2017) plays in Safari and in Chromium only where the hardware decodes it, never in Firefox; VP9
 * and AV1 are missing from older Safari and many TVs. So the original is served only when it is H.264
 * (8-bit 4:2:0, progressive, SDR) with AAC, MP3 or no audio, in MP4 or QuickTime. QuickTime counts: it is
 * the same ISO box format, which browsers play when it is served as video/mp4 (Firefox refuses the
 * video/quicktime type, so serve such files with the video/mp4 content type).
 */
export function needsTranscode (info: VideoInfo): boolean {
  if (!mp4Family.test(info.container)) return true
  if (!isPlayableH264(info)) return true
  return info.audioCodec !== null && !browserAudio.has(info.audioCodec)
}

/** Output size: the smaller side at most `targetHeight` (so 720 means 1280x720 or 720x1280), even, never upscaled. */
export function targetSize (info: VideoInfo, targetHeight: number): { width: number, height: number } {
  const scale = Math.min(1, targetHeight / Math.min(info.width, info.height))
  const even = (n: number) => Math.max(2, 2 * Math.floor(n / 2))
  return { width: even(info.width * scale), height: even(info.height * scale) }
}

// Tone-maps PQ/HLG to BT.709 SDR (zimg's zscale, in Debian's ffmpeg); 'hable' keeps highlight detail.
const toneMap = 'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv'

export interface TranscodePlan {
  inputOptions: string[]
  outputOptions: string[]
  /** True when the video stream is copied as it is (only the container or audio needed fixing). */
  copiesVideo: boolean
}

/**
 * The ffmpeg arguments for an H.264 + AAC MP4 with its index at the front (faststart, so playback starts
 * before the download ends). ffmpeg turns the picture upright itself (autorotate) and writes no rotation,
 * so every player shows it the same way. Filters run in software and only the encoding moves to the GPU:
 * slower than a full hardware pipeline, but it works with any input the software decoder reads.
 */
export function transcodeArgs (info: VideoInfo, options: { targetHeight: number, acceleration: Acceleration, vaapiDevice?: string }): TranscodePlan {
  const size = targetSize(info, options.targetHeight)
  // Copied when it already plays and is small enough (targetSize is even, so odd sizes are re-encoded).
  const copiesVideo = isPlayableH264(info) && size.width === info.width && size.height === info.height
  const inputOptions: string[] = []
  const outputOptions = ['-map', '0:v:0', '-map', '0:a:0?', '-map_metadata', '-1', '-map_chapters', '-1', '-sn', '-dn']
  if (copiesVideo) {
    outputOptions.push('-c:v', 'copy')
  } else {
    const filters: string[] = []
    if (info.interlaced) filters.push('yadif=mode=0')
    if (info.hdr) filters.push(toneMap)
    if (size.width !== info.width || size.height !== info.height) filters.push(`scale=${size.width}:${size.height}:flags=bicubic`)
    filters.push('format=yuv420p')
    switch (options.acceleration) {
      case 'nvenc':
        outputOptions.push('-vf', filters.join(','), '-c:v', 'h264_nvenc', '-preset', 'p4', '-rc', 'vbr', '-cq', '23', '-b:v', '0', '-profile:v', 'high')
        break
      case 'qsv':
        inputOptions.push('-init_hw_device', 'qsv=hw', '-filter_hw_device', 'hw')
        filters[filters.length - 1] = 'format=nv12'
        filters.push('hwupload=extra_hw_frames=64')
        outputOptions.push('-vf', filters.join(','), '-c:v', 'h264_qsv', '-preset', 'medium', '-global_quality', '23', '-profile:v', 'high')
        break
      case 'vaapi':
        inputOptions.push('-vaapi_device', options.vaapiDevice ?? '/dev/dri/renderD128')
        filters[filters.length - 1] = 'format=nv12'
        filters.push('hwupload')
        outputOptions.push('-vf', filters.join(','), '-c:v', 'h264_vaapi', '-rc_mode', 'CQP', '-qp', '23', '-profile:v', 'high')
        break
      default:
        outputOptions.push('-vf', filters.join(','), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high')
    }
  }
  // AAC is copied, not re-encoded, so the sound loses nothing when only the picture needed work.
  if (info.audioCodec === 'aac') outputOptions.push('-c:a', 'copy')
  else outputOptions.push('-c:a', 'aac', '-b:a', '160k')
  // Keep each frame's own timing: phones record at a variable rate, and ffmpeg would otherwise duplicate
  // frames up to the nominal rate. (-vsync rather than -fps_mode: the latter is missing before ffmpeg 5.1.)
  if (!copiesVideo) outputOptions.push('-vsync', 'passthrough')
  outputOptions.push('-movflags', '+faststart', '-f', 'mp4')
  return { inputOptions, outputOptions, copiesVideo }
}

/** Where the poster frame is taken: 10% in (past fade-ins and black first frames), or 1 s when the length is unknown. */
export function posterTime (info: VideoInfo, atSeconds?: number): number {
  if (atSeconds !== undefined) return Math.max(0, atSeconds)
  return info.duration !== null && info.duration > 0 ? info.duration * 0.1 : 1
}

/** Output options for a full-size upright JPEG poster (tone-mapped when the video is HDR). */
export function posterArgs (info: VideoInfo): string[] {
  const filters = [...(info.hdr ? [toneMap] : []), 'format=yuvj420p']
  return ['-map', '0:v:0', '-frames:v', '1', '-vf', filters.join(','), '-q:v', '2', '-update', '1', '-an', '-sn', '-dn', '-map_metadata', '-1', '-f', 'image2', '-c:v', 'mjpeg']
}
