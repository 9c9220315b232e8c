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
    // Every model runs in the one inference thread (node/ml/runtime.ts), so a face job more than
    // the cores keeps it fed while the others decode and crop: on two cores the backlog ran at
    // 0.81-0.86 of the bare model runs with two jobs, 0.89-1.0 with three (bench/ml/README.md).
    faceDetection: Math.min(4, cores + 1),
    // Clustering faces into people is incremental and order-sensitive: one at a time (as Immich does).
    facialRecognition: 1,
    smartSearch: Math.max(1, Math.min(4, cores)),
    ocr: Math.max(1, Math.min(4, cores)),
    duplicateDetection: Math.max(1, Math.min(4, cores)),
  }
}
