/** Placeholder for screens not built yet, and the page for unknown addresses. */
import { LitElement, html } from 'lit'
import { base } from '../styles.ts'
import { t } from '../strings.ts'

export class ComingSoon extends LitElement {
  static override styles = [base]
  static override properties = { params: { attribute: false } }
  params: Record<string, string> = {}
  override render () {
    return html`<div class="page"><h1>${document.title}</h1><p class="muted">${t.screens.comingSoon}</p></div>`
  }
}
customElements.define('hearth-coming-soon', ComingSoon)

export class NotFound extends LitElement {
  static override styles = [base]
  override render () {
    return html`<div class="page"><h1>${t.errors.pageNotFound}</h1><p><a href="/photos">${t.nav.photos}</a></p></div>`
  }
}
customElements.define('hearth-not-found', NotFound)
