// Commands in a report must work when pasted into the terminal that printed them: `dream …` becomes
// the way this CLI was started when `dream` is not on PATH (as after `npm run demo`), and `code …`
// becomes `less …` when VS Code's command is not installed (not on Windows, which has no less).
import path from 'node:path';
import { shQuote } from '../host/quote';
import { which } from '../host/which';

export interface Shell {
  /** how to start this CLI: "dream" or "node '/abs/dist/cli.js'" */
  dream: string;
  hasCode: boolean;
}

export function currentShell(env: NodeJS.ProcessEnv = process.env, script = process.argv[1]): Shell {
  const onPath = which('dream', env);
  const self = script ? path.resolve(script) : null;
  const dream = onPath || !self ? 'dream' : `node ${shQuote(self)}`;
  return { dream, hasCode: !!which('code', env) || process.platform === 'win32' };
}

const SUB = '(?:start|report|restore|archive|warn-only|setup|curator)\\b';

export function localize(text: string, sh: Shell): string {
  let out = sh.dream === 'dream' ? text : text.replace(new RegExp(`(^|\`|\\s)dream (?=${SUB})`, 'gm'), `$1${sh.dream} `);
  if (!sh.hasCode)
    out = out
      .replace(/\bcode -g (?:'([^']*):(\d+)'|([^\s'"`]+):(\d+))/g, (_m, qf?: string, ql?: string, bf?: string, bl?: string) =>
        qf !== undefined ? `less +${ql} '${qf}'` : `less +${bl} ${bf}`,
      )
      .replace(/\bcode (?=['"/])/g, 'less ');
  return out;
}
