/**
 * Worker-thread entry of wasm-decoder.ts: decodes HEIC/HEIF (libheif with libde265, from the npm package
 * libheif-js) and JPEG XL (libjxl from @jsquash/jxl), both WebAssembly, so they install from npm on any
 * NAS without a system library. It runs in a worker so that a decoder that aborts cannot take the
 * process down, and so that the WebAssembly memory (which only ever grows) is returned when the worker ends.
 *
 * Protocol: receives `{ id, path, format: 'heif' | 'jxl', pixelLimit }`, answers
 * `{ id, ok: true, width, height, channels, data, icc? }` (data transferred, not copied) or
 * `{ id, ok: false, reason, tooLarge?: { pixels } }`.
 *
 * @example
 * new Worker(new URL('./wasm-decoder-worker.ts', import.meta.url)).postMessage({ id: 1, path, format: 'heif', pixelLimit: 1e8 })
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import { jxlDeclaredSize } from './image-format.ts'

export interface DecodeRequest { id: number, path: string, format: 'heif' | 'jxl', pixelLimit: number }
export type DecodeReply =
  | { id: number, ok: true, width: number, height: number, channels: 3 | 4, data: Uint8Array, icc?: Uint8Array }
  | { id: number, ok: false, reason: string, tooLarge?: { pixels: number } }

class DecodeFailure extends Error {
  readonly tooLarge?: { pixels: number }
  constructor (reason: string, tooLarge?: { pixels: number }) {
    super(reason)
    this.tooLarge = tooLarge
  }
}

const require = createRequire(import.meta.url)

// The parts of libheif-js's embind API used here (the package ships no types for its wasm bundle).
interface HeifError { code: unknown, message: string }
interface HeifHandle { $$: { ptr: number } }
interface HeifChannel { id: unknown, width: number, height: number, stride: number, data: Uint8Array }
interface HeifDecoded { image: { $$: { ptr: number } }, width: number, height: number, channels: HeifChannel[] }
interface Libheif {
  heif_error_code: { heif_error_Ok: unknown }
  heif_colorspace: { heif_colorspace_RGB: unknown }
  heif_chroma: { heif_chroma_interleaved_RGB: unknown, heif_chroma_interleaved_RGBA: unknown }
  heif_context_alloc (): unknown
  heif_context_free (context: unknown): void
  heif_context_read_from_memory (context: unknown, bytes: Uint8Array): HeifError
  heif_js_context_get_primary_image_handle (context: unknown): HeifHandle & Partial<HeifError>
  heif_image_handle_get_width (handle: HeifHandle): number
  heif_image_handle_get_height (handle: HeifHandle): number
  heif_image_handle_has_alpha_channel (handle: HeifHandle): boolean
  heif_image_handle_release (handle: HeifHandle): void
  heif_js_decode_image2 (handle: HeifHandle, colorspace: unknown, chroma: unknown): Promise<HeifDecoded & Partial<HeifError>>
  heif_image_release (image: unknown): void
  _heif_image_handle_get_color_profile_type (handle: number): number
  _heif_image_handle_get_raw_color_profile_size (handle: number): number
  _heif_image_handle_get_raw_color_profile (errorOut: number, handle: number, dataOut: number): void
  _heif_image_get_decoding_warnings (image: number, first: number, out: number, max: number): number
  _malloc (size: number): number
  _free (pointer: number): void
  HEAPU8: Uint8Array
}

let libheif: Libheif | undefined
const fourcc = (code: string) => code.split('').reduce((value, char) => value * 256 + char.charCodeAt(0), 0)

function checkLimit (width: number, height: number, limit: number) {
  const pixels = width * height
  if (!(width > 0 && height > 0)) throw new DecodeFailure('the image declares no size')
  if (pixels > limit) throw new DecodeFailure('too large', { pixels })
}

/** The ICC profile an iPhone attaches (Display P3), when the primary image has one. */
function iccOf (heif: Libheif, handle: HeifHandle): Uint8Array | undefined {
  const pointer = handle.$$.ptr
  const type = heif._heif_image_handle_get_color_profile_type(pointer)
  if (type !== fourcc('prof') && type !== fourcc('rICC')) return undefined
  const size = heif._heif_image_handle_get_raw_color_profile_size(pointer)
  if (size <= 0 || size > 16 * 1024 * 1024) return undefined
  const data = heif._malloc(size)
  const error = heif._malloc(16)
  try {
    heif._heif_image_handle_get_raw_color_profile(error, pointer, data)
    return heif.HEAPU8.slice(data, data + size)
  } finally {
    heif._free(data)
    heif._free(error)
  }
}

async function decodeHeif (bytes: Uint8Array, pixelLimit: number): Promise<Omit<Extract<DecodeReply, { ok: true }>, 'id' | 'ok'>> {
  libheif ??= require('libheif-js/wasm-bundle') as Libheif
  const heif = libheif
  const context = heif.heif_context_alloc()
  try {
    const read = heif.heif_context_read_from_memory(context, bytes)
    if (read.code !== heif.heif_error_code.heif_error_Ok) throw new DecodeFailure(`not a valid HEIF file (${read.message})`)
    const handle = heif.heif_js_context_get_primary_image_handle(context)
    if (handle.code !== undefined && handle.code !== heif.heif_error_code.heif_error_Ok) throw new DecodeFailure(`the HEIF file has no readable image (${handle.message ?? ''})`)
    try {
      // The handle's size is after the file's own rotation and mirroring (irot/imir), which libheif applies.
      const width = heif.heif_image_handle_get_width(handle)
      const height = heif.heif_image_handle_get_height(handle)
      checkLimit(width, height, pixelLimit)
      const icc = iccOf(heif, handle)
      const channels = heif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3
      const chroma = channels === 4 ? heif.heif_chroma.heif_chroma_interleaved_RGBA : heif.heif_chroma.heif_chroma_interleaved_RGB
      const image = await heif.heif_js_decode_image2(handle, heif.heif_colorspace.heif_colorspace_RGB, chroma)
      if (image === null || image === undefined || image.code !== undefined || !Array.isArray(image.channels)) {
        throw new DecodeFailure(`the HEIF image cannot be decoded (${image?.message ?? 'damaged or truncated'})`)
      }
      try {
        // libheif decodes what it can of a truncated file and says so in warnings (the missing tiles come out grey).
        if (heif._heif_image_get_decoding_warnings(image.image.$$.ptr, 0, 0, 0) > 0) {
          throw new DecodeFailure('the HEIF file is truncated or damaged: parts of the image are missing')
        }
        const plane = image.channels[0]
        if (plane === undefined || plane.width !== width || plane.height !== height) throw new DecodeFailure('the HEIF decoder returned an image of the wrong size')
        const row = width * channels
        let data: Uint8Array
        if (plane.stride === row) {
          data = plane.data.slice(0, row * height)
        } else {
          data = new Uint8Array(row * height)
          for (let y = 0; y < height; y++) data.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), y * row)
        }
        return { width, height, channels, data, icc }
      } finally {
        heif.heif_image_release(image.image)
      }
    } finally {
      heif.heif_image_handle_release(handle)
    }
  } finally {
    heif.heif_context_free(context)
  }
}

type JxlDecode = (data: ArrayBuffer) => Promise<{ data: Uint8ClampedArray, width: number, height: number }>
let jxl: Promise<JxlDecode> | undefined

async function loadJxl (): Promise<JxlDecode> {
  const module = await import('@jsquash/jxl/decode.js') as unknown as { default: JxlDecode, init: (wasm: WebAssembly.Module) => Promise<unknown> }
  const wasmPath = require.resolve('@jsquash/jxl/codec/dec/jxl_dec.wasm')
  await module.init(await WebAssembly.compile(await readFile(wasmPath)))
  return module.default
}

async function decodeJxl (bytes: Buffer, pixelLimit: number): Promise<Omit<Extract<DecodeReply, { ok: true }>, 'id' | 'ok'>> {
  const declared = jxlDeclaredSize(bytes)
  if (declared === undefined) throw new DecodeFailure('not a valid JPEG XL file')
  checkLimit(declared.width, declared.height, pixelLimit)
  jxl ??= loadJxl()
  const decode = await jxl
  let image: Awaited<ReturnType<JxlDecode>>
  try {
    image = await decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
  } catch {
    throw new DecodeFailure('the JPEG XL image cannot be decoded (damaged or truncated)')
  }
  checkLimit(image.width, image.height, pixelLimit)
  // The decoder (libjxl + skcms) has already converted to 8-bit sRGB, tone-mapping HDR and applying the orientation.
  const rgba = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength)
  return { width: image.width, height: image.height, ...dropOpaqueAlpha(rgba) }
}

/** The decoder always returns RGBA; an opaque image is passed on as RGB (a quarter less memory, no alpha in the WebP). */
function dropOpaqueAlpha (rgba: Uint8Array): { channels: 3 | 4, data: Uint8Array } {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return { channels: 4, data: rgba }
  const rgb = new Uint8Array((rgba.length / 4) * 3)
  for (let from = 0, to = 0; from < rgba.length; from += 4, to += 3) {
    rgb[to] = rgba[from]
    rgb[to + 1] = rgba[from + 1]
    rgb[to + 2] = rgba[from + 2]
  }
  return { channels: 3, data: rgb }
}

parentPort?.on('message', (request: DecodeRequest) => {
  void (async () => {
    try {
      const bytes = await readFile(request.path)
      const result = request.format === 'heif' ? await decodeHeif(bytes, request.pixelLimit) : await decodeJxl(bytes, request.pixelLimit)
      // Only a buffer of its own can be transferred (never the WebAssembly heap a view might point into).
      const data = result.data.byteOffset === 0 && result.data.byteLength === result.data.buffer.byteLength && result.data.buffer instanceof ArrayBuffer
        ? result.data
        : result.data.slice()
      const transfer = [data.buffer as ArrayBuffer]
      const reply: DecodeReply = { id: request.id, ok: true, ...result, data }
      parentPort!.postMessage(reply, transfer)
    } catch (err) {
      const reply: DecodeReply = err instanceof DecodeFailure
        ? { id: request.id, ok: false, reason: err.message, tooLarge: err.tooLarge }
        : { id: request.id, ok: false, reason: readable(err) }
      parentPort!.postMessage(reply)
    }
  })()
})

function readable (err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return 'the file does not exist'
  if (code === 'EACCES' || code === 'EPERM') return 'the file cannot be read (permission denied)'
  const message = err instanceof Error ? err.message : String(err)
  return `the image cannot be decoded (${message.split('\n')[0].slice(0, 200)})`
}
