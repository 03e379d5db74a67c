import type { Context } from 'aws-lambda';
import { ssmClient } from '../commons/clients';
import { positiveIntegerEnv, requireEnv } from '../commons/env';
import { lazyHandler, logger, observeSetStep } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import { type RunScriptDeps, runScript } from '../steps/run-script';

/** PreScript and PostScript (SPEC §12.4). */
export function runScriptHandler(deps: RunScriptDeps) {
  return (event: unknown, context?: Context) =>
    observeSetStep(event, context, async (step) => {
      const outcome = await runScript(deps, step);
      logger.info(`${outcome.phase}-script ${outcome.status}`, {
        commandId: outcome.commandId,
        message: outcome.message,
      });
      return outcome;
    });
}

export const handler = lazyHandler(() =>
  runScriptHandler({
    ssm: ssmClient(),
    document: requireEnv(EnvName.scriptDocument),
    scriptTimeoutSeconds: positiveIntegerEnv(EnvName.scriptTimeoutSeconds),
    now: Date.now,
  }),
);
