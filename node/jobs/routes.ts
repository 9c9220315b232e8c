import { z } from 'zod'
import { route } from '../http/route.ts'
import { NotFoundError } from '../http/errors.ts'
import { isQueueName } from './queues.ts'
import type { JobService } from './service.ts'

/**
 * Job status and commands, in Immich's shapes (admin only). `start` resumes the queue and, through
 * `onStart` (the ML pipeline's `startQueue`), queues its backlog: what is missing, or with
 * `force: true` everything again.
 */
export function jobRoutes ({ jobs, onStart }: { jobs: JobService, onStart?: (queue: string, o: { force: boolean }) => Promise<unknown> }) {
  return [
    route({
      method: 'GET', path: '/api/jobs', tag: 'Jobs', access: 'admin', permission: 'job.read',
      summary: 'Every queue\'s counts (active, waiting, failed, completed, delayed, paused) and whether it is paused',
      handler: async () => jobs.status(),
    }),
    route({
      method: 'PUT', path: '/api/jobs/{id}', tag: 'Jobs', access: 'admin', permission: 'job.create',
      summary: 'Start (queue what is missing; with force, every asset again), pause, resume, empty, clear failed jobs of, or retry failed jobs of a queue',
      body: z.object({ command: z.enum(['start', 'pause', 'resume', 'empty', 'clear-failed', 'retry-failed']), force: z.boolean().optional() }),
      handler: async ({ params, body }) => {
        const queue = params.id
        if (!isQueueName(queue)) throw new NotFoundError('Queue')
        switch (body.command) {
          case 'pause': await jobs.pause(queue); break
          case 'resume': await jobs.resume(queue); break
          case 'start': await jobs.resume(queue); await onStart?.(queue, { force: body.force === true }); break
          case 'empty': await jobs.repo.clear(queue, 'waiting'); break
          case 'clear-failed': await jobs.repo.clear(queue, 'failed'); break
          case 'retry-failed': await jobs.repo.retryFailed(queue); await jobs.resume(queue); break
        }
        return (await jobs.status())[queue]
      },
    }),
  ]
}
