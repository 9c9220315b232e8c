import { AsyncLocalStorage } from 'node:async_hooks'
import type { Logger } from 'pino'

/** What follows a request (or a job) through every async call: its id and its logger. */
export interface RequestScope { requestId: string, log: Logger }

export const requestScope = new AsyncLocalStorage<RequestScope>()

/** The logger of the request in progress, or `fallback` outside one. */
export function currentLog (fallback: Logger): Logger {
  return requestScope.getStore()?.log ?? fallback
}
