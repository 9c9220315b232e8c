/** <hearth-upload-panel>: each file being uploaded with its progress, a note for duplicates, and its error. */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { icon } from '../icons.ts'
import { t } from '../strings.ts'
import { uploads, UPLOADS_EVENT, type UploadItem } from '../upload/uploader.ts'

export class UploadPanel extends LitElement {
  static override properties = { tick: { state: true }, open: { state: true } }
  static override styles = [base, css`
    :host { position: fixed; right: 16px; bottom: 16px; z-index: 40; }
    @media (max-width: 700px) { :host { right: 8px; left: 8px; bottom: calc(var(--h-bottombar) + 8px); } }
    section { width: min(380px, 100%); max-height: 50vh; display: flex; flex-direction: column; background: var(--h-surface); border: 1px solid var(--h-border); border-radius: 14px; box-shadow: var(--h-shadow); overflow: hidden; }
    .head { display: flex; align-items: center; gap: 8px; padding: 8px 8px 8px 16px; border-bottom: 1px solid var(--h-border); }
    .head h2 { flex: 1; font-size: 1rem; }
    ul { list-style: none; margin: 0; padding: 4px 0; overflow-y: auto; }
    li { padding: 8px 16px; display: grid; gap: 4px; }
    .row { display: flex; gap: 8px; align-items: baseline; }
    .name { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-weight: 500; }
    .state { font-size: .85rem; color: var(--h-text-2); white-space: nowrap; }
    .state.done { color: var(--h-ok); }
    .state.failed { color: var(--h-danger); white-space: normal; }
    progress { width: 100%; height: 4px; appearance: none; border: none; background: var(--h-surface-3); border-radius: 2px; }
    progress::-webkit-progress-bar { background: var(--h-surface-3); border-radius: 2px; }
    progress::-webkit-progress-value { background: var(--h-accent); border-radius: 2px; }
    button.small { min-height: 28px; font-size: .85rem; padding: 0 10px; }
  `]

  tick = 0
  /** The list is shown while files are in flight or something failed, or when asked for. */
  open: boolean | undefined
  private frame = 0

  override connectedCallback (): void {
    super.connectedCallback()
    window.addEventListener(UPLOADS_EVENT, this.onChange)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    window.removeEventListener(UPLOADS_EVENT, this.onChange)
  }

  // Progress events come by the hundred; draw at most once a frame.
  private readonly onChange = () => {
    if (this.frame !== 0) return
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.tick++ })
  }

  private stateText (i: UploadItem): string {
    switch (i.state) {
      case 'queued': case 'hashing': return t.upload.queued
      case 'uploading': return i.note ?? t.upload.uploading(Math.round(i.progress * 100))
      case 'done': return t.upload.done
      case 'duplicate': return t.upload.duplicate
      case 'failed': return t.upload.failed(i.error ?? '')
    }
  }

  override render () {
    const items = uploads.items
    if (items.length === 0) return nothing
    const finished = items.filter((i) => i.state === 'done' || i.state === 'duplicate' || i.state === 'failed').length
    const expanded = this.open ?? (finished < items.length || items.some((i) => i.state === 'failed'))
    return html`<section aria-label=${t.upload.title}>
      <div class="head">
        <h2>${t.upload.title}</h2>
        <span class="state" role="status">${t.upload.summary(finished, items.length)}</span>
        <button class="icon" aria-expanded=${expanded} aria-label=${t.upload.title} title=${t.upload.title} @click=${() => { this.open = !expanded }}>${icon(expanded ? 'down' : 'up')}</button>
        <button class="icon" aria-label=${t.upload.dismiss} title=${t.upload.dismiss} @click=${() => { this.open = undefined; uploads.clearFinished() }}>${icon('close')}</button>
      </div>
      ${!expanded ? nothing : html`<ul>${items.map((i) => html`<li data-state=${i.state}>
        <div class="row"><span class="name" title=${i.file.name}>${i.file.name}</span>
          ${i.state === 'failed' && i.error !== t.upload.notMedia ? html`<button class="small" @click=${() => uploads.retry(i)}>${t.upload.retry}</button>` : nothing}</div>
        ${i.state === 'uploading' || i.state === 'hashing' || i.state === 'queued' ? html`<progress max="1" .value=${i.progress} aria-label=${i.file.name}></progress>` : nothing}
        <span class="state ${i.state === 'failed' ? 'failed' : i.state === 'done' ? 'done' : ''}">${this.stateText(i)}</span>
      </li>`)}</ul>`}
    </section>`
  }
}
customElements.define('hearth-upload-panel', UploadPanel)
