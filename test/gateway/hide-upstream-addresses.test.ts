/**
 * `hideUpstreamAddresses`, which both ingresses pass every error message through: URLs and IP
 * addresses (with ports) are replaced, model names, versions and field paths are left alone.
 */
import { describe, expect, it } from 'vitest';
import { hideUpstreamAddresses } from '../../src/gateway/ingress/hide-upstream-addresses.js';

describe('hideUpstreamAddresses', () => {
  it.each([
    ['fetch failed for http://127.0.0.1:41234/v1/chat/completions', 'fetch failed for <upstream>'],
    ['fetch failed: http://10.0.0.5:8080/v1/messages.', 'fetch failed: <upstream>.'],
    ['see https://api.example.com/v1/x?key=abc.', 'see <upstream>.'],
    ['(at HTTPS://Internal.Corp:8443/path)', '(at <upstream>)'],
    ['at HTTPS://API.Example.com/v1?key=abc, then', 'at <upstream>, then'],
    ['"http://a.b/c", then "https://d.e"', '"<upstream>", then "<upstream>"'],
    ['connect ECONNREFUSED 192.168.0.10:443', 'connect ECONNREFUSED <upstream>'],
    ['connect ECONNREFUSED [::1]:8080 and [fe80::1]', 'connect ECONNREFUSED <upstream> and <upstream>'],
    ['host 10.0.0.1 down', 'host <upstream> down'],
    ['model gpt-4.1 answered 429 after 1.5 s', 'model gpt-4.1 answered 429 after 1.5 s'],
    ['anthropic/claude-3-5-sonnet 529 overloaded (Overloaded)', 'anthropic/claude-3-5-sonnet 529 overloaded (Overloaded)'],
    ['retry in 1.5 s, version 2.0.1', 'retry in 1.5 s, version 2.0.1'],
    ['no addresses here: messages[2].content', 'no addresses here: messages[2].content'],
  ])('%j → %j', (text, expected) => {
    expect(hideUpstreamAddresses(text)).toBe(expected);
  });
});
