/**
 * One benchmark scenario in its own process: `child.ts <scenario> <params JSON>`. Sends the
 * measurement (or the error) to the parent over IPC and exits.
 */
import { type Measurement, watchMemory } from './lib.ts';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';

const [name, params] = process.argv.slice(2) as [ScenarioName, string];
const memory = watchMemory();
let message: unknown;
try {
  const run = SCENARIOS[name];
  if (!run) throw new Error(`no scenario named ${name}`);
  const result = await run(JSON.parse(params));
  const measurement: Measurement = { scenario: name, ...result, memory: memory.stop() };
  message = { ok: true, measurement };
} catch (error) {
  message = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
// Exit once delivered: a socket a scenario left open must not keep the process (and the run) alive.
process.send?.(message, () => process.exit(0));
