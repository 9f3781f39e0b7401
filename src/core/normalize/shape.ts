/**
 * Object schemas with a fast path. A shape is declared once, from fields that each carry a zod schema
 * and the same rule as a plain predicate. Valid input — nearly all traffic — is checked by the
 * predicates in place, without allocating; only input that fails is run through zod, whose issues
 * then say what is wrong and where. A differential test keeps the two paths in agreement.
 */
import * as z from "zod/mini";

export interface Field<T> {
  /** true when the value is acceptable (missing counts as acceptable for optional fields) */
  test: (value: unknown) => boolean;
  schema: z.ZodMiniType<T>;
}

type Fields = Record<string, Field<unknown>>;
type Output<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** the type a shape accepts */
export type Infer<S> = S extends Field<infer T> ? T : never;

export interface Shape<T> extends Field<T> {
  /** the checked value (the input itself when it passed the fast path), or zod's issues */
  parse(value: unknown): z.core.util.SafeParseResult<T>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** a field that accepts `test` or a missing value, with `error` as its issue message */
export function scalar<T>(
  test: (value: unknown) => boolean,
  error: string,
  code: "invalid_type" | "invalid_value",
): Field<T | null | undefined> {
  const accepts = (value: unknown) => value == null || test(value);
  return {
    test: accepts,
    schema: z.optional(z.custom<T | null | undefined>(accepts, { error, params: { code } })),
  };
}

/** a field that must be present and pass `test` */
export function required<T>(test: (value: unknown) => boolean, error: string): Field<T> {
  const accepts = (value: unknown) => value != null && test(value);
  return { test: accepts, schema: z.custom<T>(accepts, { error, params: { code: "invalid_type" } }) };
}

/** an object with these fields; other keys are allowed and left alone */
export function shape<F extends Fields>(fields: F): Shape<Output<F>> {
  const entries = Object.entries(fields);
  const schemaFields: Record<string, z.ZodMiniType> = {};
  for (const [key, field] of entries) schemaFields[key] = field.schema;
  const schema = z.object(schemaFields) as unknown as z.ZodMiniType<Output<F>>;
  const test = (value: unknown): boolean => {
    if (!isObject(value)) return false;
    for (const [key, field] of entries) if (!field.test(value[key])) return false;
    return true;
  };
  return {
    test,
    schema,
    parse: (value) => (test(value) ? { success: true, data: value as Output<F> } : schema.safeParse(value)),
  };
}

/** an optional shape (`null` and missing accepted) */
export function optionalShape<T>(inner: Shape<T>): Field<T | null | undefined> {
  return { test: (v) => v == null || inner.test(v), schema: z.optional(z.nullable(inner.schema)) };
}

/** a list whose items all have `item`'s shape */
export function listOf<T>(item: Field<T>, error: string, optional: true): Field<T[] | null | undefined>;
export function listOf<T>(item: Field<T>, error: string, optional: false): Field<T[]>;
export function listOf<T>(item: Field<T>, error: string, optional: boolean): Field<T[] | null | undefined> {
  const array = z.array(item.schema, { error });
  const test = (value: unknown) => Array.isArray(value) && value.every((v) => item.test(v));
  return optional
    ? { test: (v) => v == null || test(v), schema: z.optional(z.nullable(array)) }
    : { test, schema: array };
}

/** one of a fixed set of strings */
export function oneOf<const T extends readonly string[]>(values: T, error: string): Field<T[number]> {
  return { test: (v) => typeof v === "string" && values.includes(v), schema: z.enum(values, { error }) };
}
