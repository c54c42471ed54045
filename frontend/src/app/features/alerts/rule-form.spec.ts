import { rule } from '../../../testing/alert-fixtures';
import { emptyRule, ruleRequest, ruleToForm, validateRule } from './rule-form';

describe('rule form', () => {
  it('checks what the backend checks: a number, the duration range, hysteresis on the right side', () => {
    expect(validateRule(emptyRule())).toEqual({});
    expect(validateRule({ ...emptyRule(), thresholdValue: '' }).thresholdValue).toBe('Enter a number');
    expect(validateRule({ ...emptyRule(), durationSec: '86401' }).durationSec).toBe('Whole seconds from 0 to 86400');
    expect(validateRule({ ...emptyRule(), durationSec: '1.5' }).durationSec).toBeDefined();
    expect(validateRule({ ...emptyRule(), thresholdValue: '90', clearValue: '95' }).clearValue).toBe('Must be at most the threshold');
    expect(validateRule({ ...emptyRule(), comparison: 'lt', thresholdValue: '10', clearValue: '5' }).clearValue).toBe('Must be at least the threshold');
    expect(validateRule({ ...emptyRule(), comparison: 'eq', clearValue: '5' }).clearValue).toContain('Not with');
    expect(validateRule({ ...emptyRule(), clearValue: '80' })).toEqual({});
    // event rules have no threshold to type
    expect(validateRule({ ...emptyRule(), metricType: 'offline', thresholdValue: '' })).toEqual({});
  });

  it('sends event rules as eq 1, a target only where it applies, empty optional fields as null', () => {
    expect(ruleRequest({ ...emptyRule(), metricType: 'offline', comparison: 'gt', thresholdValue: '90', clearValue: '80', target: 'x', durationSec: '120' }))
      .toMatchObject({ metricType: 'offline', comparison: 'eq', thresholdValue: 1, clearValue: null, target: null, durationSec: 120, serverId: null, name: null });
    expect(ruleRequest({ ...emptyRule('s1'), metricType: 'disk', target: ' /var ', thresholdValue: '85', clearValue: '80', name: ' Disk ' }))
      .toMatchObject({ serverId: 's1', metricType: 'disk', target: '/var', thresholdValue: 85, clearValue: 80, name: 'Disk' });
  });

  it('round-trips a stored rule', () => {
    const r = rule({ id: 'r1', serverId: 's1', clearValue: 80, channelIds: ['c1'], name: 'High CPU', durationSec: 300 });
    expect(ruleRequest(ruleToForm(r))).toEqual({
      serverId: 's1', metricType: 'cpu', comparison: 'gt', thresholdValue: 90, clearValue: 80, durationSec: 300, target: null, severity: 'warning',
      enabled: true, channelIds: ['c1'], name: 'High CPU', description: null,
    });
  });
});
