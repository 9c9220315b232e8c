/**
 * /locked: the locked folder (Immich's). Its photos are out of the timeline, search, albums,
 * sharing and downloads, and show here only while this session has the folder open: after a PIN
 * is set and given (<hearth-pin-form>), for 15 minutes and a few past the last use. "Lock" closes
 * it at once; when it closes by itself, the screen goes back to the PIN (checked when the unlock
 * should end, and when the tab comes back into view; asking does not keep it open). A photo is moved back to the timeline from the selection bar.
 */
import { html, css } from 'lit'
import { GridScreen } from './photos.ts'
import { t } from '../strings.ts'
import { api } from '../api.ts'
import { icon } from '../icons.ts'
import { notifyError } from '../notify.ts'
import { navigate } from '../router.ts'
import type { AuthStatus } from '../types.ts'
import '../components/pin-form.ts'

export class LockedScreen extends GridScreen {
  static override properties = { ...GridScreen.properties, status: { state: true } }
  static override styles = [...GridScreen.styles, css`
    .head h1 { white-space: nowrap; }
    .gate { display: grid; justify-items: center; gap: 12px; padding: 48px 16px; text-align: center; }
    .gate svg { width: 48px; height: 48px; color: var(--h-text-2); }
    .gate hearth-pin-form { text-align: left; }`]

  protected override mode = 'locked' as const
  protected override basePath = '/locked'
  protected override filters = { visibility: 'locked' }
  protected override emptyText = t.locked.empty
  status: AuthStatus | undefined

  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly onVisible = (): void => { if (document.visibilityState === 'visible') void this.refresh() }

  override connectedCallback (): void {
    super.connectedCallback()
    void this.refresh()
    document.addEventListener('visibilitychange', this.onVisible)
  }

  override disconnectedCallback (): void {
    super.disconnectedCallback()
    clearTimeout(this.timer)
    document.removeEventListener('visibilitychange', this.onVisible)
  }

  private async refresh (): Promise<void> {
    try {
      const status = await api.get<AuthStatus>('/api/auth/status')
      // Closed while a photo was open: back to the folder's own address, behind the PIN.
      if (!status.isElevated && this.params.id !== undefined) navigate('/locked')
      this.status = status
      // Look again when the unlock should end: used since, it will have been kept open longer.
      clearTimeout(this.timer)
      if (status.pinExpiresAt !== undefined) this.timer = setTimeout(() => void this.refresh(), Math.max(1000, Date.parse(status.pinExpiresAt) - Date.now() + 1000))
    } catch (err) { notifyError(err) }
  }

  private async lock (): Promise<void> {
    try {
      await api.post('/api/auth/session/lock')
      navigate('/locked')
      await this.refresh()
    } catch (err) { notifyError(err) }
  }

  protected override header () {
    return html`<div class="head"><h1>${t.nav.locked}</h1><span class="muted">${t.locked.hint}</span>
      <button @click=${() => this.lock()}>${icon('lock')} ${t.locked.lockNow}</button></div>`
  }

  override render () {
    if (this.status === undefined) return html``
    if (!this.status.isElevated) {
      return html`<div class="gate">${icon('lock')}<h1>${t.nav.locked}</h1>
        <hearth-pin-form .mode=${this.status.pinCode ? 'unlock' : 'setup'} @done=${() => void this.refresh()}></hearth-pin-form></div>`
    }
    return super.render()
  }
}
customElements.define('hearth-locked', LockedScreen)
