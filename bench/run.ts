/**
 * `npm run bench`: runs every benchmark area in turn and prints its numbers.
 * Each area is `bench/<area>.ts` exporting `bench(): Promise<void>`; set BENCH_ONLY=<area> to run one.
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

const only = process.env.BENCH_ONLY;
for (const area of AREAS) {
  if (only && only !== area) continue;
  const mod = (await import(`./${area}.ts`)) as { bench: () => Promise<void> };
  console.log(`\n## ${area}\n`);
  await mod.bench();
}
