import { z } from 'zod';

// What the runtime dir keeps about one running companion, so a later helper can find and end it.
export const CompanionRecord = z.object({
  pid: z.number().int().positive(),
  binary: z.string().min(1),
});
export type CompanionRecord = z.infer<typeof CompanionRecord>;
