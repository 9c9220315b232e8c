/**
 * Hearth's local models behind Immich's ML reply shapes: what Hearth's ML server (`/ml/predict`)
 * answers with. The same adapters the stages use: faces with the `lite` pack's analyzer (BlazeFace
 * + RFB-320 check + fr_feature, faces/analyzer.ts), OCR with the `lite` pack's PP-OCRv4
 * (ocr/engine.ts), CLIP with the `immich` pack's ViT-B-32 pair (clip/encoder.ts). Each task has one
 * model, named by `models()` as embeddings are recorded (embedding-models.ts); the server
 * (server.ts) answers only requests for those names and says so in `x-hearth-ml-models`.
 *
 * @example
 * const local = createLocalMl({ models, runtime })
 * const faces = await local.faces.detect(jpegBytes, { minScore: 0.7 })  // Immich's DetectedFaces
 */
import type { ModelStore } from '../model-store.ts'
import type { ModelRuntime } from '../runtime.ts'
import { formatEmbedding, type DetectedFaces, type ImmichOcr } from '../protocol.ts'
import { liteFaceAnalyzer, faceModels } from '../faces/stage.ts'
import type { FaceAnalyzer } from '../faces/analyzer.ts'
import { createOcrEngine, ocrModels, type OcrEngine } from '../ocr/engine.ts'
import { createClipEncoder, l2normalise, type ClipEncoder } from '../clip/encoder.ts'
import { loadClipTokenizer } from '../clip/tokenizer.ts'
import { asClientError, decodeUpright, uprightSize } from './image.ts'
import { createPixelReader } from '../../media/pixels.ts'
import { CLIP_MODEL, LITE_FACE_MODEL } from '../embedding-models.ts'

/** The lite pack's OCR pair (PP-OCRv4 detection and recognition), as the server names it. */
export const LITE_OCR_MODEL = 'lite/PP-OCRv4'

const CLIP_PACK = 'immich'

/** A task this node has no model for (the client asked for something this server cannot do). */
export class ModelMissingError extends Error {}

export function createLocalMl ({ models, runtime, pixelLimit = 100_000_000 }: { models: ModelStore, runtime: ModelRuntime, pixelLimit?: number }) {
  let analyzer: FaceAnalyzer | undefined
  let ocr: OcrEngine | undefined
  let clip: Promise<ClipEncoder> | undefined
  const encoder = () => {
    clip ??= loadClipTokenizer().then((tokenizer) => createClipEncoder({
      runtime, tokenizer, visualPath: models.path(CLIP_PACK, 'clip-visual'), textualPath: models.path(CLIP_PACK, 'clip-textual'),
      // A client's bytes: a corrupt image is refused (400), not embedded from what decodes of it.
      preprocess: { strict: { pixelLimit } },
    }))
    return clip
  }
  const need = async (ok: Promise<boolean>, what: string) => {
    if (!await ok) throw new ModelMissingError(`this Hearth has no ${what} model installed (see hearth models list)`)
  }
  const file = (pack: string, model: string) => models.manifest.packs[pack]?.models[model]?.file ?? model

  return {
    /** The model that answers each task, by the name its embeddings are recorded under. */
    models: () => ({ 'facial-recognition': LITE_FACE_MODEL, clip: CLIP_MODEL, ocr: LITE_OCR_MODEL }),

    /** The files behind each task, for the log. */
    files: () => ({
      'facial-recognition': `lite:${file('lite', 'face-detector')}+${file('lite', 'face-detector-alt')}+${file('lite', 'face-embedder')}`,
      ocr: `lite:${file('lite', 'ocr-detector')}+${file('lite', 'ocr-recognizer')}`,
      clip: `${CLIP_PACK}:${file(CLIP_PACK, 'clip-visual')}+${file(CLIP_PACK, 'clip-textual')}`,
    }),

    clip: {
      async encodeImage (bytes: Buffer): Promise<{ embedding: string, imageWidth: number, imageHeight: number }> {
        await need(models.ready(CLIP_PACK, ['clip-visual']), 'CLIP visual')
        // The size from the header; the pixels are decoded once, by CLIP's preprocessing, which
        // refuses a corrupt image (a validating decode before it doubled the decode's cost).
        const { width, height } = await uprightSize(bytes, { pixelLimit })
        const [v] = await (await encoder()).encodeImages([bytes]).catch((err: unknown) => { throw asClientError(err) })
        return { embedding: formatEmbedding(l2normalise(v!)), imageWidth: width, imageHeight: height }
      },
      async encodeText (text: string): Promise<string> {
        await need(models.ready(CLIP_PACK, ['clip-textual']), 'CLIP textual')
        const [v] = await (await encoder()).encodeTexts([text])
        return formatEmbedding(l2normalise(v!))
      },
    },

    faces: {
      async detect (bytes: Buffer, { minScore = 0 }: { minScore?: number } = {}): Promise<DetectedFaces> {
        await need(models.ready('lite', faceModels), 'face')
        // As the faces stage decodes a preview (faces/pixels.ts decodeRgb).
        const { image, width, height } = await decodeUpright(bytes, { pixelLimit })
        analyzer ??= liteFaceAnalyzer(models, runtime)
        const found = await analyzer(image)
        const sx = width / image.width
        const sy = height / image.height
        return {
          imageWidth: width,
          imageHeight: height,
          faces: found.filter((f) => f.score >= minScore).map((f) => ({
            boundingBox: { x1: f.box.x1 * sx, y1: f.box.y1 * sy, x2: f.box.x2 * sx, y2: f.box.y2 * sy },
            score: f.score,
            embedding: formatEmbedding(f.embedding),
          })),
        }
      },
    },

    ocr: {
      /** Lines whose scores pass the thresholds, corners as fractions of the image's size (as Immich's service sends them). */
      async read (bytes: Buffer, { minDetectionScore = 0, minRecognitionScore = 0 }: { minDetectionScore?: number, minRecognitionScore?: number } = {}): Promise<ImmichOcr & { imageWidth: number, imageHeight: number }> {
        await need(models.ready('lite', [...ocrModels]), 'OCR')
        const { image } = await decodeUpright(bytes, { maxPixels: Infinity, pixelLimit })
        ocr ??= createOcrEngine({ runtime, pixels: createPixelReader({ pixelLimit }), manifest: models.manifest, pack: 'lite', path: (m) => models.path('lite', m) })
        const result = await ocr.readImage(image)
        const lines = result.lines.filter((l) => l.boxScore >= minDetectionScore && l.textScore >= minRecognitionScore)
        return {
          imageWidth: result.width,
          imageHeight: result.height,
          text: lines.map((l) => l.text),
          box: lines.flatMap((l) => l.box.flatMap(([x, y]) => [x / result.width, y / result.height])),
          boxScore: lines.map((l) => l.boxScore),
          textScore: lines.map((l) => l.textScore),
        }
      },
    },
  }
}

export type LocalMl = ReturnType<typeof createLocalMl>
