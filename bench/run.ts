/**
 * `npm run bench`: runs every benchmark area in turn and prints its numbers.
 * Each area is `bench/<area>.ts` exporting `bench(argv): Promise<void>`; `npm run bench -- <area>
 * [flags]` (or BENCH_ONLY=<area>) runs one, passing it the flags. `peer` (the side-by-side comparison
 * with a BullMQ + Redis design, bench/peer.ts) runs only when named: it needs Redis and PostgreSQL.
 */
const AREAS: string[] = [
  "core",
  "emulators",
  "destinations",
  "stores",
  "journey",
  "transformations",
  "server",
  "runtime",
  "report",
];

/** runs only when asked for by name */
const ON_REQUEST = ["peer"];

const args = process.argv.slice(2);
const named = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : undefined;
const only = named ?? process.env.BENCH_ONLY;
if (only && !AREAS.includes(only) && !ON_REQUEST.includes(only)) {
  throw new Error(`bench: no area "${only}"; areas: ${[...AREAS, ...ON_REQUEST].join(", ")}`);
}
for (const area of only ? [only] : AREAS) {
  const mod = (await import(`./${area}.ts`)) as { bench: (argv: string[]) => Promise<void> };
  console.log(`\n## ${area}\n`);
  await mod.bench(named ? args.slice(1) : []);
}
