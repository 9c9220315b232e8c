/**
 * <hearth-pin-form>: the locked folder's PIN. `mode` 'setup' asks for a new PIN twice (POST
 * /api/auth/pin-code) and then opens the folder with it; 'unlock' asks for it once (POST
 * /api/auth/session/unlock), with "Forgot your PIN?" resetting it with the account password
 * (DELETE /api/auth/pin-code), which turns the form into 'setup'. Emits `done` once this session
 * has the folder open, and `cancel` when `cancellable` and the user gives up. Used by the locked
 * folder's screen and by the selection bar's "Move to locked folder".
 */
import { LitElement, html, css, nothing } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'

const SIX_DIGITS = /^\d{6}$/

export class PinForm extends LitElement {
  static override properties = { mode: { type: String }, cancellable: { type: Boolean }, error: { state: true }, busy: { state: true }, forgot: { state: true } }
  static override styles = [base, css`
    :host { display: block; }
    form { display: grid; gap: 10px; max-width: 340px; }
    label { display: grid; gap: 4px; font-size: .9rem; color: var(--h-text-2); }
    input { font-size: 1.2rem; letter-spacing: .3em; }
    input[type=password].secret { letter-spacing: normal; font-size: 1rem; }
    .row { display: flex; gap: 8px; justify-content: flex-end; align-items: center; }
    .row .link { margin-right: auto; }
    p { margin: 0; }
    .error { color: var(--h-danger, #b3261e); }
  `]

  mode: 'setup' | 'unlock' = 'unlock'
  cancellable = false
  error = ''
  busy = false
  forgot = false

  private done (): void { this.dispatchEvent(new CustomEvent('done', { bubbles: true, composed: true })) }

  private async run (work: () => Promise<void>): Promise<void> {
    this.busy = true
    this.error = ''
    try { await work() } catch (err) { this.error = (err as Error).message } finally { this.busy = false }
  }

  private submit (e: SubmitEvent): void {
    e.preventDefault()
    const form = new FormData(e.target as HTMLFormElement)
    const pin = String(form.get('pin') ?? '')
    if (this.forgot) {
      void this.run(async () => {
        await api.del('/api/auth/pin-code', { password: String(form.get('password') ?? '') })
        this.forgot = false
        this.mode = 'setup'
        this.error = t.locked.resetDone
      })
      return
    }
    if (!SIX_DIGITS.test(pin)) { this.error = t.locked.pinFormat; return }
    if (this.mode === 'setup' && pin !== String(form.get('again') ?? '')) { this.error = t.locked.pinsDiffer; return }
    void this.run(async () => {
      if (this.mode === 'setup') await api.post('/api/auth/pin-code', { pinCode: pin })
      await api.post('/api/auth/session/unlock', { pinCode: pin })
      this.done()
    })
  }

  override render () {
    const pinInput = (name: string, label: string) => html`<label>${label}
      <input name=${name} type="password" inputmode="numeric" autocomplete="off" maxlength="6" pattern="[0-9]{6}" required aria-label=${label}></label>`
    return html`<form @submit=${(e: SubmitEvent) => this.submit(e)}>
      <p>${this.forgot ? t.locked.resetIntro : this.mode === 'setup' ? t.locked.setupIntro : t.locked.unlockIntro}</p>
      ${this.forgot
        ? html`<label>${t.locked.password}<input class="secret" name="password" type="password" autocomplete="current-password" required aria-label=${t.locked.password}></label>`
        : html`${pinInput('pin', t.locked.pin)}${this.mode === 'setup' ? pinInput('again', t.locked.pinAgain) : nothing}`}
      ${this.error !== '' ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="row">
        ${this.mode === 'unlock' && !this.forgot ? html`<button type="button" class="link" @click=${() => { this.forgot = true; this.error = '' }}>${t.locked.forgot}</button>` : nothing}
        ${this.cancellable || this.forgot ? html`<button type="button" @click=${() => { if (this.forgot) { this.forgot = false; this.error = '' } else this.dispatchEvent(new CustomEvent('cancel')) }}>${t.locked.cancel}</button>` : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy}>${this.forgot ? t.locked.reset : this.mode === 'setup' ? t.locked.setUp : t.locked.unlock}</button>
      </div>
    </form>`
  }
}
customElements.define('hearth-pin-form', PinForm)
