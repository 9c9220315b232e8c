/**
 * Faces and people, wired: the people service, its routes, and the two ML stages (`faces` on the
 * faceDetection queue, `people` on facialRecognition) added to the ML pipeline.
 *
 * @example
 * const people = createPeople({ db, dataDir, ml, runtime })   // in createNode, before start()
 * routes.push(...people.routes)
 * await people.service.recluster()                             // the full re-cluster job
 */
import type { Database } from '../db/index.ts'
import type { MlService } from '../ml/service.ts'
import type { ModelRuntime } from '../ml/runtime.ts'
import { faceModelInUse, faceStages } from '../ml/faces/stage.ts'
import { encodeCropJpeg } from '../ml/faces/pixels.ts'
import { peopleRoutes } from './routes.ts'
import { createPeopleService, defaultClusterOptions, type ClusterOptions } from './service.ts'

export function createPeople ({ db, dataDir, ml, runtime, cluster = defaultClusterOptions }: {
  db: Database, dataDir: string, ml: MlService, runtime: ModelRuntime, cluster?: ClusterOptions
}) {
  const service = createPeopleService({ db, dataDir, cropFace: encodeCropJpeg, cluster, faceModel: () => faceModelInUse(ml) })
  for (const stage of faceStages({ ml, runtime, people: service })) ml.addStage(stage)
  return { service, routes: peopleRoutes({ people: service }) }
}
