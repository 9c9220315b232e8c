/** Shared shapes of the face pipeline: what a detector finds and what the embedder returns. */

export interface Point { x: number, y: number }

/** A box in pixels of the image it was found in (x1,y1 top left; x2,y2 bottom right, exclusive). */
export interface Box { x1: number, y1: number, x2: number, y2: number }

export interface Detection {
  box: Box
  score: number
  /**
   * Landmarks in the same pixels, in the ArcFace template's order, as far as the detector knows
   * them: image-left eye, image-right eye, nose tip, mouth centre. Empty when the detector gives none.
   */
  landmarks: Point[]
}

/** An RGB image, 3 bytes a pixel, row after row. */
export interface RgbImage { data: Uint8Array, width: number, height: number }

export interface Face extends Detection {
  /** L2-normalised embedding (512 values). */
  embedding: Float32Array
}

export const boxArea = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1)

export function iou (a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  return inter / (boxArea(a) + boxArea(b) - inter)
}
