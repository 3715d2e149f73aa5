import type { z } from 'zod';
import type { METHODS, MethodResult } from '@openutm/shared';
import type { GuestTypist } from './guest-typist';

type Params<M extends keyof typeof METHODS> = z.output<(typeof METHODS)[M]['params']>;

// vm.type and vm.cancelTyping, for the API server's method table.
export function typingMethods(typist: GuestTypist): {
  'vm.type': (params: Params<'vm.type'>) => Promise<MethodResult<'vm.type'>>;
  'vm.cancelTyping': (params: Params<'vm.cancelTyping'>) => Promise<MethodResult<'vm.cancelTyping'>>;
} {
  return {
    'vm.type': ({ id, text, via, job }) => typist.type({ id, text, via, ...(job !== undefined && { job }) }),
    'vm.cancelTyping': async ({ id }) => ({ typing: typist.cancel(id) }),
  };
}
