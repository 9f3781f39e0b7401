import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the soak tests take minutes: `npm run test:soak` (and .ci/run) runs them
    exclude: [...configDefaults.exclude, "test/soak/**"],
    testTimeout: 20_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
  },
});
