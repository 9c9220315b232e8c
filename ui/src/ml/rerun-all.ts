/**
 * <hearth-rerun-all>: Immich's "All" on an analysis queue, behind a confirmation. `ask(queue)`
 * opens a dialog that says in plain words what happens (every photo analysed again, named people
 * kept, in the overnight window); confirming sends `PUT /api/jobs/<queue>` with
 * `{ command: 'start', force: true }` and emits `done`. Shared by Administration › Jobs and
 * › Machine learning (the split-library notice).
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { notify, notifyError } from '../notify.ts'

/** The queues of ML stages: "start" queues what is missing and waits for the window; "force" redoes every asset (node/ml/README.md). */
export const mlQueues: ReadonlySet<string> = new Set(['faceDetection', 'facialRecognition', 'smartSearch', 'ocr', 'duplicateDetection'])

export class RerunAll extends LitElement {
  static override properties = { queue: { state: true }, busy: { state: true }, mlLink: { type: Boolean } }
  static override styles = [base, css`
    dialog { border: none; border-radius: 14px; padding: 0; width: min(480px, calc(100vw - 24px)); background: var(--h-surface); color: var(--h-text); box-shadow: var(--h-shadow); }
    dialog::backdrop { background: var(--h-scrim); }
    .dlg { padding: 20px; display: grid; gap: 12px; }
    p { margin: 0; }
    .row { display: flex; gap: 8px; justify-content: flex-end; flex-wrap: wrap; }
  `]

  queue = ''
  busy = false
  /** Link to the Machine learning page from the dialog (off when the dialog is on that page). */
  mlLink = false

  /** Opens the confirmation for `queue`. */
  async ask (queue: string): Promise<void> {
    this.queue = queue
    await this.updateComplete
    this.renderRoot.querySelector('dialog')!.showModal()
  }

  private close (): void { this.renderRoot.querySelector('dialog')?.close() }

  private async confirm (): Promise<void> {
    this.busy = true
    try {
      await api.put(`/api/jobs/${this.queue}`, { command: 'start', force: true })
      notify(t.rerun.queued)
      this.close()
      this.dispatchEvent(new CustomEvent('done', { detail: { queue: this.queue } }))
    } catch (err) { notifyError(err) } finally { this.busy = false }
  }

  override render () {
    const q = this.queue
    return html`<dialog aria-labelledby="rerun-h" aria-describedby="rerun-what">
      <div class="dlg">
        <h2 id="rerun-h">${t.rerun.title}</h2>
        <p id="rerun-what">${t.rerun.what(t.rerun.steps[q] ?? q)}</p>
        ${q === 'faceDetection' ? html`<p>${t.rerun.faces}</p>` : q === 'facialRecognition' ? html`<p>${t.rerun.people}</p>` : nothing}
        <p class="muted">${t.rerun.window}</p>
        ${this.mlLink ? html`<p><a href="/admin/ml" @click=${() => this.close()}>${t.rerun.openMl}</a></p>` : nothing}
        <div class="row">
          <button @click=${() => this.close()}>${t.rerun.cancel}</button>
          <button class="primary" ?disabled=${this.busy} @click=${this.confirm}>${t.rerun.confirm}</button>
        </div>
      </div>
    </dialog>`
  }
}
customElements.define('hearth-rerun-all', RerunAll)
