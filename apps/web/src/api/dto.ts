// The API's shapes, from the generated OpenAPI types (`schema.d.ts`, `npm run api:types`): the UI
// writes none by hand, so a change of the API that breaks a screen fails `npm run typecheck`.
import type { components } from './schema';

/** A schema of the OpenAPI document: `Dto<'CheckDto'>`. */
export type Dto<K extends keyof components['schemas']> = components['schemas'][K];
