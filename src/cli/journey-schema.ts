/**
 * The JSON Schema of a journey file, generated from the zod schema the journey is checked with
 * (`JourneySchema`), so an editor that reads `$schema` completes and checks what `cartback journey
 * check` and `parseJourney` accept. Shipped as `schemas/journey.schema.json`; a test keeps the file
 * in step with the code.
 */

import * as z from "zod/mini";
import { toJSONSchema } from "zod/v4/core";
import { JourneySchema, PredicateSchema, PredicateVariants } from "../core/journey/schema.js";

/** where the schema is published in the package */
export const JOURNEY_SCHEMA_FILE = "schemas/journey.schema.json";

export function journeyJsonSchema(): Record<string, unknown> {
  // a condition is checked by a custom rule that picks its variant by key (for clearer errors); in
  // JSON Schema it is the union of the variants, defined once and referenced where it recurs
  const registry = z.registry<{ id: string }>();
  registry.add(PredicateSchema, { id: "Predicate" });
  const schema = toJSONSchema(JourneySchema, {
    target: "draft-2020-12",
    io: "input",
    metadata: registry,
    unrepresentable: "any",
    override(ctx) {
      if ((ctx.zodSchema as unknown) === PredicateSchema) {
        const variants = toJSONSchema(z.union(PredicateVariants), {
          target: "draft-2020-12",
          io: "input",
          metadata: registry,
          unrepresentable: "any",
        }) as { anyOf: (typeof ctx.jsonSchema)[] };
        ctx.jsonSchema.anyOf = variants.anyOf;
      }
    },
  });
  return {
    ...schema,
    title: "cartback journey",
    description:
      "A cart-recovery journey for cartback: stages with delays after abandonment, their steps per channel, conditions, discounts and experiments. See docs/journeys.md.",
  };
}
