import type { BuildOptions } from 'esbuild';

export declare const HELPER_BUNDLE_OPTIONS: BuildOptions;
