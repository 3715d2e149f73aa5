import { OpenUtmError, type TokenInfo } from '@openutm/shared';
import { pairUrl } from './helper-address';
import { formatPairing, formatTokens } from './format-output';
import { print, type Command, type HelperApi } from './command';

// Resolves a token id or unique id prefix, as `openutm tokens` shows them.
async function findToken(api: HelperApi, ref: string | undefined): Promise<TokenInfo> {
  if (!ref) throw new OpenUtmError('BAD_REQUEST', 'name the token to revoke by its id; `openutm tokens` lists them');
  const all = await api.call('auth.tokens', {});
  const exact = all.filter((t) => t.id === ref);
  const matches = exact.length > 0 ? exact : all.filter((t) => t.id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new OpenUtmError('NOT_FOUND', `no token has the id ${JSON.stringify(ref)}; \`openutm tokens\` lists them`);
  throw new OpenUtmError('CONFLICT', `${JSON.stringify(ref)} matches ${matches.length} tokens; type more of the id`);
}

// Pairing and token management: pairing codes live in the running helper, so these go through it.
export const AUTH_COMMANDS: Record<string, Command> = {
  pair: {
    summary: 'show a one-time code (and link) that lets a browser use this helper',
    usage: '',
    options: {},
    async run(ctx, { json }) {
      const { code, expiresAt } = await (await ctx.api()).call('auth.pairingCode', {});
      const url = pairUrl(ctx.port, code);
      print(ctx, json, { code, url, expiresAt }, () => formatPairing(code, url, expiresAt, Date.now()));
    },
  },
  tokens: {
    summary: 'list the paired browsers and apps; `tokens revoke <id>` unpairs one',
    usage: '[revoke <id>]',
    options: {},
    async run(ctx, { positionals, json }) {
      const [sub, ref, ...extra] = positionals;
      if (sub === undefined) {
        const tokens = await (await ctx.api()).call('auth.tokens', {});
        print(ctx, json, tokens, () => formatTokens(tokens));
        return;
      }
      if (sub !== 'revoke' || extra.length > 0) throw new OpenUtmError('BAD_REQUEST', `unknown \`openutm tokens ${positionals.join(' ')}\`; usage: openutm tokens [revoke <id>]`);
      const api = await ctx.api();
      const token = await findToken(api, ref);
      const revoked = await api.call('auth.revoke', { id: token.id });
      print(ctx, json, revoked, () => `revoked ${revoked.id} (${revoked.name}); it can no longer connect, and its open connections were closed`);
    },
  },
};
