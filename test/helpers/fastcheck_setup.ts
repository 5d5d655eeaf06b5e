/**
 * fast-check's settings for every property test. The seed is fixed so that a run is
 * reproducible and the suite's verdict does not depend on luck; PAODING_FC_SEED=random draws a
 * fresh one (printed on failure), PAODING_FC_SEED=<n> replays one, and PAODING_FC_RUNS=<n> runs
 * more cases per property when hunting for counterexamples.
 */
import fc from 'fast-check';

const seed = process.env.PAODING_FC_SEED ?? '20240601';
const runs = process.env.PAODING_FC_RUNS;
fc.configureGlobal({
  ...(seed === 'random' ? {} : { seed: Number(seed) }),
  ...(runs ? { numRuns: Number(runs) } : {}),
});
