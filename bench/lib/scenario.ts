/** One bench scenario: runs, and says what it measured and whether each target was met. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  run(options: RunOptions): Promise<ScenarioOutcome>;
}

export interface RunOptions {
  /** Seconds of measured load per run (edge-polling). */
  readonly durationSeconds: number;
  readonly connections: number;
  /** Write a V8 CPU profile of the server under test to bench/results/profiles. */
  readonly cpuProf: boolean;
  /** Only the edge-polling variants whose name contains this (e.g. `client`), for profiling. */
  readonly variant: string | undefined;
  readonly log: (line: string) => void;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** `undefined` when the scenario could not run (nothing measured). */
  readonly met: boolean | undefined;
}

export interface ScenarioOutcome {
  readonly status: 'measured' | 'not-run';
  /** Why a scenario was not run. */
  readonly reason?: string;
  readonly table: { readonly headers: string[]; readonly rows: (string | number)[][] };
  readonly targets: TargetCheck[];
  readonly details: unknown;
}
