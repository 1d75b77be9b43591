import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentSettingsError, loadAgentSettings } from '../../../src/agent/remote/agent-settings.ts';

const SERVER = ['--server', 'https://a.example'];

test('the live-state interval: 10 s by default, from --live-state-interval or VPNGW_AGENT_LIVE_STATE_MS, 0 turns it off', () => {
  assert.equal(loadAgentSettings(SERVER, {}).liveStateIntervalMs, 10_000);
  assert.equal(loadAgentSettings(SERVER, { VPNGW_AGENT_LIVE_STATE_MS: '2500' }).liveStateIntervalMs, 2500);
  assert.equal(loadAgentSettings([...SERVER, '--live-state-interval', '0'], { VPNGW_AGENT_LIVE_STATE_MS: '2500' }).liveStateIntervalMs, 0);
  for (const bad of ['50', '-1', '1.5', 'soon', '3600001']) {
    assert.throws(() => loadAgentSettings([...SERVER, `--live-state-interval=${bad}`], {}), (error: unknown) =>
      error instanceof AgentSettingsError && /VPNGW_AGENT_LIVE_STATE_MS \(--live-state-interval\), or 0 for off, must be an integer from 100 to 3600000/.test(error.message), bad);
  }
});
