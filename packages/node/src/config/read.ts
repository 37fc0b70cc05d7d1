// The one reader of environment variables for config resolution, so that every setting treats
// blank the same way.
/** The environment config resolution reads: variable name to value. */
export type Env = Record<string, string | undefined>;

/** The trimmed value of `name`; undefined when unset or blank (a blank variable means "unset"). */
export function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}
