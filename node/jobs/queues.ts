import { availableParallelism } from 'node:os'

/** Queue names are Immich's, so its clients and dashboards read Hearth's job status as they are. */
export const queueNames = [
  'metadataExtraction', 'thumbnailGeneration', 'videoConversion', 'library', 'sidecar', 'backgroundTask',
  'faceDetection', 'facialRecognition', 'smartSearch', 'ocr', 'duplicateDetection',
] as const

export type QueueName = typeof queueNames[number]

export const isQueueName = (s: string): s is QueueName => (queueNames as readonly string[]).includes(s)

/** Priorities: a fresh upload is served before a share's backlog. */
export const priority = { interactive: 10, normal: 0, backlog: -10 } as const

/**
 * Workers per queue, following the machine's cores. Metadata is mostly waiting on exiftool
 * processes, so it takes more; thumbnails use the cores; transcoding one video fills them all.
 */
export function defaultConcurrency (cores = availableParallelism()): Record<QueueName, number> {
  return {
    metadataExtraction: Math.min(8, cores * 2),
    thumbnailGeneration: Math.max(1, cores),
    videoConversion: 1,
    library: 1,
    sidecar: Math.max(1, cores),
    backgroundTask: 2,
    faceDetection: 1,
    facialRecognition: 1,
    smartSearch: 1,
    ocr: 1,
    duplicateDetection: 1,
  }
}
