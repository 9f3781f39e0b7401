import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as schemas from "../../../src/core/normalize/schemas.js";
import type { Shape } from "../../../src/core/normalize/shape.js";

const SHAPES: [string, Shape<unknown>][] = [
  ["RudderMessage", schemas.RudderMessage],
  ["Product", schemas.Product],
  ["ProductEventProperties", schemas.ProductEventProperties],
  ["CartProperties", schemas.CartProperties],
  ["EngagementProperties", schemas.EngagementProperties],
  ["ShopifyCheckout", schemas.ShopifyCheckout],
  ["WooOrder", schemas.WooOrder],
];

// values each field might plausibly hold, valid or not
const scalar = fc.oneof(
  fc.constantFrom(undefined, null, "", " ", "19.99", "2", "-3", "1.5", "abc", "track", "identify", "pending"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
);

function candidate(keys: string[]) {
  const field = fc.oneof(
    scalar,
    fc.array(fc.dictionary(fc.constantFrom(...keys, "price", "quantity", "product_id"), scalar), {
      maxLength: 3,
    }),
  );
  return fc.oneof(fc.dictionary(fc.constantFrom(...keys), field), fc.anything());
}

describe("schemas: the fast path agrees with zod", () => {
  it.each(SHAPES)("%s", (_name, shape) => {
    const keys = Object.keys(
      (shape.schema as unknown as { def: { shape: Record<string, unknown> } }).def.shape,
    );
    fc.assert(
      fc.property(candidate(keys), (value) => {
        expect(shape.test(value)).toBe(shape.schema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });
});
