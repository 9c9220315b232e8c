/**
 * Fetches the `lite` model pack into `.cache/models/` once, before the suite starts: otherwise
 * every test process that needs it would download the same ~20 MB of models at the same time on a
 * fresh checkout. Already there and intact: nothing is downloaded.
 */
import { litePack } from '../helpers/models.ts'

const started = performance.now()
const dir = await litePack()
console.log(`models: lite pack ready in ${dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
