/** <hearth-toasts>: short messages at the bottom (errors stay until closed, others leave after 6 s). */
import { LitElement, html, css } from 'lit'
import { base } from '../styles.ts'
import { icon } from '../icons.ts'
import { t } from '../strings.ts'
import { TOAST_EVENT, type Toast } from '../notify.ts'

export class HearthToasts extends LitElement {
  static override properties = { toasts: { state: true } }
  static override styles = [base, css`
    :host { position: fixed; left: 50%; transform: translateX(-50%); bottom: 24px; z-index: 120; display: grid; gap: 8px; width: min(560px, calc(100vw - 24px)); }
    @media (max-width: 700px) { :host { bottom: calc(var(--h-bottombar) + 12px); } }
    .t { display: flex; align-items: center; gap: 10px; padding: 10px 8px 10px 16px; border-radius: 10px; background: var(--h-text); color: var(--h-bg); box-shadow: var(--h-shadow); }
    .t.error { background: var(--h-danger); color: #fff; }
    @media (prefers-color-scheme: dark) { .t.error { color: #3b0a08; } }
    .t span { flex: 1; }
    .t button { background: transparent; color: inherit; border-color: currentColor; min-height: 32px; }
    .t button.icon { border: none; width: 32px; height: 32px; min-height: 32px; }
  `]

  toasts: Toast[] = []

  override connectedCallback (): void {
    super.connectedCallback()
    window.addEventListener(TOAST_EVENT, this.onToast)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    window.removeEventListener(TOAST_EVENT, this.onToast)
  }

  private readonly onToast = (e: Event) => {
    const toast = (e as CustomEvent<Toast>).detail
    this.toasts = [...this.toasts.slice(-3), toast]
    if (toast.kind !== 'error') setTimeout(() => this.close(toast.id), 6000)
  }

  private close (id: number): void { this.toasts = this.toasts.filter((x) => x.id !== id) }

  override render () {
    return html`${this.toasts.map((x) => html`
      <div class="t ${x.kind}" role=${x.kind === 'error' ? 'alert' : 'status'}>
        <span>${x.message}</span>
        ${x.action === undefined ? '' : html`<button @click=${() => { x.action!.run(); this.close(x.id) }}>${x.action.label}</button>`}
        <button class="icon" aria-label=${t.upload.dismiss} @click=${() => this.close(x.id)}>${icon('close')}</button>
      </div>`)}`
  }
}
customElements.define('hearth-toasts', HearthToasts)
