/**
 * @module cartback/config — `defineConfig` for `cartback.config.ts`, and the loader `cartback serve`
 * uses: the file, then the environment's secrets, validated with errors that name each setting.
 */
export { type CartbackConfig, ConfigSchema, defineConfig } from "./define.js";
export { type Environment, type ReadEnvironmentOptions, readEnvironment } from "./env-file.js";
export { CONFIG_FILES, findConfigFile, type LoadConfigOptions, loadConfig, readConfigFile } from "./load.js";
export {
  ConfigError,
  type ConfigProblem,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_PORT,
  DEFAULT_SQLITE_PATH,
  type Env,
  type ResolvedConfig,
  resolveConfig,
  type StoreSettings,
} from "./resolve.js";
