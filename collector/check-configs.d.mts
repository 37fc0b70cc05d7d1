/** Component types of otelcol-contrib that the shipped configurations may use. */
export declare const CONTRIB_COMPONENTS: Record<'receivers' | 'processors' | 'exporters' | 'extensions', string[]>;
/** Problems of one Collector configuration. */
export declare function collectorProblems(config: unknown, name: string): string[];
/** Problems of the compose file. */
export declare function composeProblems(compose: unknown): string[];
/** Every problem of the shipped files. */
export declare function allProblems(): string[];
