/** Toasts: `notify(message)` from anywhere; the shell shows them (role=status, or alert for errors). */
export interface Toast { id: number, message: string, kind: 'info' | 'error', action?: { label: string, run: () => void } }
export const TOAST_EVENT = 'hearth-toast'
let next = 1

export function notify (message: string, options: { kind?: 'info' | 'error', action?: Toast['action'] } = {}): void {
  const toast: Toast = { id: next++, message, kind: options.kind ?? 'info', action: options.action }
  window.dispatchEvent(new CustomEvent<Toast>(TOAST_EVENT, { detail: toast }))
}

/** Shows an error's message (ApiError messages are already written for people). */
export function notifyError (err: unknown): void {
  if ((err as Error)?.name === 'AbortError') return
  notify(err instanceof Error ? err.message : String(err), { kind: 'error' })
}
