/**
 * Object schemas with a fast path. A shape is declared once, from fields that each carry a zod schema
 * and the same rule as a plain predicate. Valid input — nearly all traffic — is checked by the
 * predicates in place, without allocating; only input that fails is run through zod, whose issues
 * then say what is wrong and where. A differential test keeps the two paths in agreement. The zod
 * schemas are built at first use: the paste bundles are evaluated again for every RudderStack batch,
 * and most batches never need one.
 */
import * as z from "zod/mini";

export interface Field<T> {
  /** the rule for a present (non-null) value; a missing one is decided by `required` alone */
  check: (value: unknown) => boolean;
  /** false when a missing (null or undefined) value is acceptable */
  required: boolean;
  /** built at first read */
  readonly schema: z.ZodMiniType<T>;
}

/** a value built at its first read and kept */
function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/** a field whose zod schema is built at its first read */
function field<T>(
  check: (value: unknown) => boolean,
  required: boolean,
  schema: () => z.ZodMiniType<T>,
): Field<T> {
  return {
    check,
    required,
    get schema() {
      return schema();
    },
  };
}

/** whether `field` accepts `value`, missing or present */
function accepts(field: Field<unknown>, value: unknown): boolean {
  return value == null ? !field.required : field.check(value);
}

type Fields = Record<string, Field<unknown>>;
type Output<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

/** the type a shape accepts */
export type Infer<S> = S extends Field<infer T> ? T : never;

export interface Shape<T> extends Field<T> {
  /** true when the value is an object whose fields pass their rules (the fast path) */
  test: (value: unknown) => boolean;
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
  return field(
    test,
    false,
    lazy(() =>
      z.optional(
        z.custom<T | null | undefined>((value) => value == null || test(value), { error, params: { code } }),
      ),
    ),
  );
}

/** a field that must be present and pass `test` */
export function required<T>(test: (value: unknown) => boolean, error: string): Field<T> {
  return field(
    test,
    true,
    lazy(() =>
      z.custom<T>((value) => value != null && test(value), { error, params: { code: "invalid_type" } }),
    ),
  );
}

/** an object with these fields; other keys are allowed and left alone */
export function shape<F extends Fields>(fields: F): Shape<Output<F>> {
  const entries = Object.entries(fields);
  const schema = lazy(() => {
    const schemaFields: Record<string, z.ZodMiniType> = {};
    for (const [key, field] of entries) schemaFields[key] = field.schema;
    return z.object(schemaFields) as unknown as z.ZodMiniType<Output<F>>;
  });
  // flat arrays and an indexed loop: this runs for nearly every message, and most fields are absent
  const keys = entries.map(([key]) => key);
  const checks = entries.map(([, field]) => field.check);
  const required = entries.map(([, field]) => field.required);
  const check = (value: unknown): boolean => {
    if (!isObject(value)) return false;
    for (let i = 0; i < keys.length; i++) {
      const v = value[keys[i] as string];
      if (v == null) {
        if (required[i]) return false;
      } else if (!(checks[i] as (value: unknown) => boolean)(v)) return false;
    }
    return true;
  };
  return {
    test: check,
    check,
    required: true,
    get schema() {
      return schema();
    },
    parse: (value) =>
      check(value) ? { success: true, data: value as Output<F> } : schema().safeParse(value),
  };
}

/** an optional shape (`null` and missing accepted) */
export function optionalShape<T>(inner: Shape<T>): Field<T | null | undefined> {
  return field(
    inner.check,
    false,
    lazy(() => z.optional(z.nullable(inner.schema))),
  );
}

/** a list whose items all have `item`'s shape */
export function listOf<T>(item: Field<T>, error: string, optional: true): Field<T[] | null | undefined>;
export function listOf<T>(item: Field<T>, error: string, optional: false): Field<T[]>;
export function listOf<T>(item: Field<T>, error: string, optional: boolean): Field<T[] | null | undefined> {
  const array = lazy(() => z.array(item.schema, { error }));
  const check = (value: unknown) => {
    if (!Array.isArray(value)) return false;
    for (const v of value) if (!accepts(item as Field<unknown>, v)) return false;
    return true;
  };
  return field<T[] | null | undefined>(
    check,
    !optional,
    optional ? lazy(() => z.optional(z.nullable(array()))) : array,
  );
}

/** one of a fixed set of strings */
export function oneOf<const T extends readonly string[]>(values: T, error: string): Field<T[number]> {
  const check = (v: unknown) => typeof v === "string" && values.includes(v);
  return field(
    check,
    true,
    lazy(() => z.enum(values, { error }) as unknown as z.ZodMiniType<T[number]>),
  );
}
