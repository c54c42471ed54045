/**
 * V8 flags the agent sets on itself. Imported first by cli.ts, before any other module is
 * loaded, so they apply however the agent is started (`npm run agent`, the `chatops-agent` bin,
 * the Docker image's `node …/cli.js`, the systemd unit) without a launcher or NODE_OPTIONS.
 *
 * --max-opt=1: the agent runs a little JavaScript once per interval. At that rate TurboFan keeps
 * (re)compiling functions on V8's worker threads for minutes after start, for code that is not
 * hot enough to repay it; capping tiers at Sparkplug (baseline code) removed that background CPU
 * (≈ 0.1 ms per tick measured at a 1 s interval) and ≈ 4.5 MB of RSS, with no measurable cost on
 * the main thread (docs/agent.md, "Cost"). Only tier-up decisions read it, so setting it at run
 * time is effective.
 */
import { setFlagsFromString } from 'node:v8';

export const AGENT_V8_FLAGS: readonly string[] = ['--max-opt=1'];

for (const flag of AGENT_V8_FLAGS) setFlagsFromString(flag);
