/**
 * Redaction tables from real formats: published test card numbers (Visa/Mastercard/Amex/Discover/
 * Diners/JCB/UnionPay test PANs), the ISO 13616 example IBANs of several countries, the GB 11643
 * example resident IDs, E.164 and national phone formats — each with near-misses (one digit off, so
 * the checksum fails) that must be left alone.
 */
import { describe, expect, it } from 'vitest';
import type { RedactionKind } from '../../src/config/types.js';
import { registerSecret } from '../../src/errors.js';
import { findSensitive, isValidIban, isValidResidentId, passesLuhn, redact, redactDeep, REDACTION_KINDS } from '../../src/redaction/index.js';

const ALL = REDACTION_KINDS;

function only(kind: RedactionKind): (text: string) => string {
  return (text) => redact(text, [kind]);
}

describe('payment cards (Luhn-checked, 13–19 digits)', () => {
  it.each([
    ['Visa 4111 1111 1111 1111', 'Visa [card]'],
    ['Visa 4242-4242-4242-4242.', 'Visa [card].'],
    ['mc 5555555555554444', 'mc [card]'],
    ['mc 2-series 2223 0031 2200 3222', 'mc 2-series [card]'],
    ['amex 3782 822463 10005', 'amex [card]'],
    ['amex 371449635398431', 'amex [card]'],
    ['discover 6011 1111 1111 1117', 'discover [card]'],
    ['diners (14 digits) 3056 9309 0259 04', 'diners (14 digits) [card]'],
    ['jcb 3530111333300000', 'jcb [card]'],
    ['unionpay (19 digits) 6205500000000000004', 'unionpay (19 digits) [card]'],
    ['visa (13 digits) 4222222222222', 'visa (13 digits) [card]'],
    ['卡号4111111111111111，谢谢', '卡号[card]，谢谢'],
    ['Card: 4111 1111 1111 1111 exp 12 25', 'Card: [card] exp 12 25'],
  ])('redacts %j', (input, expected) => {
    expect(only('card')(input)).toBe(expected);
  });

  it.each([
    ['failed Luhn (last digit off)', '4111 1111 1111 1112'],
    ['failed Luhn, contiguous', '5555555555554445'],
    ['too short (12 digits)', '4111 1111 1111'],
    ['too long (20 digits)', '41111111111111111111'],
    ['starts with 1 (no card network)', '1234567812345670'],
    ['starts with 9', '9111111111111111'],
    ['a decimal', 'pi is 3.4111111111111111'],
    ['a counting sequence', '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1'],
    ['an order number (Luhn fails)', 'order 4000123456789011'],
  ])('leaves %s alone', (_name, input) => {
    expect(only('card')(input)).toBe(input);
  });

  it('checks Luhn like the standard', () => {
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
    expect(passesLuhn('')).toBe(false);
  });
});

describe('IBAN (mod-97 checked)', () => {
  it.each([
    ['GB82 WEST 1234 5698 7654 32', '[iban]'],
    ['GB82WEST12345698765432', '[iban]'],
    ['DE89 3704 0044 0532 0130 00', '[iban]'],
    ['FR14 2004 1010 0505 0001 3M02 606', '[iban]'],
    ['NL91ABNA0417164300', '[iban]'],
    ['CH93 0076 2011 6238 5295 7', '[iban]'],
    ['BE68 5390 0754 7034 THEN more', '[iban] THEN more'],
    ['pay to IBAN DE89370400440532013000.', 'pay to IBAN [iban].'],
  ])('redacts %j', (input, expected) => {
    expect(only('iban')(input)).toBe(expected);
  });

  it.each([
    ['bad check digits', 'GB82 WEST 1234 5698 7654 33'],
    ['swapped digits', 'DE89 3704 0044 0532 0130 01'],
    ['lower case (not an IBAN form)', 'gb82west12345698765432'],
    ['too short', 'GB82 WEST 1234'],
    ['a product code', 'AB12 CDEF GHIJ KLMN'],
  ])('leaves %s alone', (_name, input) => {
    expect(only('iban')(input)).toBe(input);
  });

  it('validates checksums directly', () => {
    expect(isValidIban('GB82WEST12345698765432')).toBe(true);
    expect(isValidIban('GB83WEST12345698765432')).toBe(false);
  });
});

describe('Chinese resident ID (GB 11643 checksum)', () => {
  it.each([
    ['11010519491231002X', '[cn_id]'],
    ['11010519491231002x', '[cn_id]'],
    ['440524188001010014', '[cn_id]'],
    ['身份证号：11010519491231002X。', '身份证号：[cn_id]。'],
    ['110105 19491231 002X', '[cn_id]'],
  ])('redacts %j', (input, expected) => {
    expect(only('cn_id')(input)).toBe(expected);
  });

  it.each([
    ['wrong check character', '110105194912310021'],
    ['check digit off by one', '440524188001010015'],
    ['impossible date (Feb 30), checksum valid', '110105194902300020'],
    ['unknown province 99, checksum valid', '990105194912310023'],
    ['17 digits', '11010519491231002'],
    ['part of a longer number', '911010519491231002X1'],
  ])('leaves %s alone', (_name, input) => {
    expect(only('cn_id')(input)).toBe(input);
  });

  it('validates checksums directly', () => {
    expect(isValidResidentId('11010519491231002X')).toBe(true);
    expect(isValidResidentId('110105194912310020')).toBe(false);
  });
});

describe('e-mail addresses', () => {
  it.each([
    ['write to bob@example.com.', 'write to [email].'],
    ['bob.smith+tag@mail.example.co.uk', '[email]'],
    ['<alice_o-brien@sub-domain.example.org>', '<[email]>'],
    ['联系邮箱alice@example.cn谢谢', '联系邮箱[email]谢谢'],
  ])('redacts %j', (input, expected) => {
    expect(only('email')(input)).toBe(expected);
  });

  it.each([
    ['no dot in the domain', 'user@localhost'],
    ['a one-letter TLD', 'a@b.c'],
    ['a handle', 'ping @support please'],
    ['no local part', '@example.com'],
  ])('leaves %s alone', (_name, input) => {
    expect(only('email')(input)).toBe(input);
  });
});

describe('phone numbers', () => {
  it.each([
    ['call +1 415 555 2671 now', 'call [phone] now'],
    ['+44 (0)20 7946 0958', '[phone]'],
    ['+86 138 0013 8000', '[phone]'],
    ['+8613800138000', '[phone]'],
    ['+33 6 12 34 56 78', '[phone]'],
    ['手机13800138000号', '手机[phone]号'],
    ['手机 138-0013-8000', '手机 [phone]'],
    ['0086 13912345678', '[phone]'],
    ['(415) 555-2671', '[phone]'],
    ['415.555.2671', '[phone]'],
    ['020 7946 0958', '[phone]'],
    ['06 12 34 56 78', '[phone]'],
    ['010-62345678', '[phone]'],
  ])('redacts %j', (input, expected) => {
    expect(only('phone')(input)).toBe(expected);
  });

  it.each([
    ['a date', 'on 2024-01-15'],
    ['a short date', '01-02-2024'],
    ['an amount', 'USD 1,234,567.89'],
    ['a plain number', 'ticket 4155552671'],
    ['11 digits not a mobile prefix', '12800138000'],
    ['too few digits after +', '+1 234'],
    ['a version', 'v10.1.2'],
  ])('leaves %s alone', (_name, input) => {
    expect(only('phone')(input)).toBe(input);
  });
});

describe('secrets', () => {
  it.each([
    ['OpenAI key', 'key sk-proj-abcdefghijklmnopqrstuvwx1234', 'key [secret]'],
    ['Anthropic key', 'x sk-ant-api03-abcdefghijklmnop_qrs y', 'x [secret] y'],
    ['Google key', 'AIzaSyA1234567890abcdefghijklmnopqrstu', '[secret]'],
    ['bearer token', 'Authorization: Bearer abc.def-ghi_jkl', 'Authorization: Bearer [secret]'],
    ['key in a URL', 'https://x.example/v1?key=abcdef123456&alt=sse', 'https://x.example/v1?key=[secret]&alt=sse'],
    ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE', '[secret]'],
    ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[secret]'],
    ['x-api-key header', 'x-api-key: 0123456789abcdef0123', 'x-api-key: [secret]'],
    ['api-key in JSON', '{"api-key": "abcdef0123456789"}', '{"api-key": "[secret]"}'],
    ['Groq key', 'gsk_abcdefghijklmnopqrstuvwxyz012345', '[secret]'],
    ['Hugging Face token', 'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH', '[secret]'],
    ['Slack token', 'xoxb-1234567890-abcdefghij', '[secret]'],
    ['Stripe test key', 'sk_test_abcdefghijklmnop1234', '[secret]'],
    ['PEM private key', 'key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\nend', 'key:\n[secret]\nend'],
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[secret]'],
  ])('redacts a %s', (_name, input, expected) => {
    expect(only('secret')(input)).toBe(expected);
  });

  it('redacts secrets registered from the config even when they match no pattern', () => {
    registerSecret('plain-looking-config-secret');
    expect(only('secret')('the key is plain-looking-config-secret!')).toBe('the key is [secret]!');
  });

  it('keeps a literal [redacted] that was already in the text', () => {
    expect(only('secret')('already [redacted] here')).toBe('already [redacted] here');
  });

  it('finds secrets before anything else, so key digits never become a phone number', () => {
    expect(redact('sk-proj-13800138000abcdefghijkl', ALL)).toBe('[secret]');
  });
});

describe('redact() with several kinds', () => {
  it('replaces every kind asked for and nothing else', () => {
    const text = 'Bob <bob@example.com>, +1 415 555 2671, card 4111111111111111, IBAN GB82WEST12345698765432, ID 11010519491231002X';
    expect(redact(text, ALL)).toBe('Bob <[email]>, [phone], card [card], IBAN [iban], ID [cn_id]');
    expect(redact(text, ['email'])).toBe('Bob <[email]>, +1 415 555 2671, card 4111111111111111, IBAN GB82WEST12345698765432, ID 11010519491231002X');
    expect(redact(text, [])).toBe(text);
  });

  it('prefers the checksum-verified kind where findings overlap', () => {
    expect(findSensitive('13800138000', ALL).map((span) => span.kind)).toEqual(['phone']);
    expect(findSensitive('11010519491231002X', ALL).map((span) => span.kind)).toEqual(['cn_id']);
  });

  it('redacts every string inside JSON values, keys included', () => {
    expect(redactDeep({ to: 'bob@example.com', n: 3, list: ['4111111111111111'], 'alice@example.com': true }, ALL)).toEqual({ to: '[email]', n: 3, list: ['[card]'], '[email]': true });
  });
});
