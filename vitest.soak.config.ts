import { defineConfig } from "vitest/config";

/** `npm run test:soak`: crash and fault tests that run for minutes, kept out of `npm test` */
export default defineConfig({
  test: {
    include: ["test/soak/**/*.test.ts"],
    testTimeout: 900_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
