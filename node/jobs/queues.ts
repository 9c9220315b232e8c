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
    // ML: workers for the overnight window's full concurrency; outside it a gate lets one run (node/ml/window.ts).
    // The models run in two inference threads (node/ml/runtime.ts); a face job more than the cores
    // keeps them fed while the others decode and crop: on two cores the backlog of 25 previews took
    // 1424-1438 ms with two jobs, 1212-1278 ms with three, and no less with four (bench/ml/README.md).
    faceDetection: Math.min(4, cores + 1),
    // Clustering faces into people is incremental and order-sensitive: one at a time (as Immich does).
    facialRecognition: 1,
    smartSearch: Math.max(1, Math.min(4, cores)),
    ocr: Math.max(1, Math.min(4, cores)),
    duplicateDetection: Math.max(1, Math.min(4, cores)),
  }
}
