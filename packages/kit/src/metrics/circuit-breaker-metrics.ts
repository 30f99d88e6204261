import { Gauge, type Registry } from 'prom-client';

export type CircuitState = 'closed' | 'half_open' | 'open' | 'isolated';
const states: readonly CircuitState[] = ['closed', 'half_open', 'open', 'isolated'];

export interface CircuitBreakerGauge {
  /**
   * Records a state change; call it from the breaker's own state-change event. Takes the states
   * above or cockatiel's names as they are (`CircuitState[state]`: Closed, HalfOpen, Open, Isolated).
   */
  record(state: string): void;
}

export interface CircuitBreakerMetrics {
  /** The gauge of one named circuit, starting closed. */
  circuit(name: string): CircuitBreakerGauge;
}

export function createCircuitBreakerMetrics(registry: Registry): CircuitBreakerMetrics {
  // One series per state, 1 for the current one: a state timeline needs no value mapping, and
  // `max_over_time(…{state="open"}[1h])` says whether it opened at all.
  const gauge = new Gauge({
    name: 'app_circuit_breaker_state',
    help: 'Circuit breaker state: 1 for the current state of each circuit, 0 for the others.',
    labelNames: ['circuit', 'state'] as const,
    registers: [registry],
  });
  return {
    circuit(name) {
      const record = (state: string) => {
        const current = normalized(state);
        for (const candidate of states)
          gauge.set({ circuit: name, state: candidate }, candidate === current ? 1 : 0);
      };
      record('closed');
      return { record };
    },
  };
}

function normalized(state: string): CircuitState {
  const snake = state.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  if (!(states as readonly string[]).includes(snake)) throw new Error(`unknown circuit state "${state}"`);
  return snake as CircuitState;
}
