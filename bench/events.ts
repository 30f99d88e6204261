/**
 * The event pipeline alone (bench/event-pipeline.ts): a burst of `BENCH_EVENTS` (default 10,000)
 * `user.registered` committed to the auth service's outbox, then a steady `BENCH_EVENT_RATE`
 * (default 200) events/s for 10 s. Prints the figures with their targets. Needs the running stack
 * (`npm run stack`); the services run the code they were started with.
 */
import { measureEventPipeline } from './event-pipeline.js';
import { eventPipelineVerdicts } from './verdict.js';

const burstEvents = Number(process.env.BENCH_EVENTS ?? 10_000);
const steadyRate = Number(process.env.BENCH_EVENT_RATE ?? 200);
const steadySeconds = 10;

const { burst, steady } = await measureEventPipeline({ burst: burstEvents, steadyRate, steadySeconds });
const rate = (perSecond: number) => `${perSecond.toFixed(0)}/s`;

console.log(`event pipeline, ${new Date().toISOString()}`);
console.log(`burst of ${burst.events} user.registered committed in one transaction:`);
console.log(`  published ${rate(burst.publishedPerSecond)}`);
console.log(
  `  applied by the user service ${rate(burst.appliedPerSecond.user)}, by billing ${rate(burst.appliedPerSecond.billing)}`,
);
console.log(
  `  end to end ${rate(burst.endToEndPerSecond)}; lost ${burst.lost}; applied twice ${burst.appliedTwice}`,
);
console.log(`steady ${steady.rate}/s for ${steadySeconds} s (${steady.events} events), commit → applied:`);
console.log(
  `  user p50 ${steady.latencyMs.user.p50} ms, p99 ${steady.latencyMs.user.p99} ms; billing p50 ${steady.latencyMs.billing.p50} ms, p99 ${steady.latencyMs.billing.p99} ms; lost ${steady.lost}`,
);
console.log(['', ...eventPipelineVerdicts(burst, steady)].join('\n'));
