import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../src/errors.js';
import { isLoopbackHost, parseEgressList, parseSealStanza, sealEndpoints } from '../../src/restore/seal-stanza.js';

const seal = (type: string, body: string) => `seal "${type}" {\n${body}\n}`;

describe('parseSealStanza', () => {
  it('reads the type and the string settings, and keeps the text as given', () => {
    const text = seal('transit', '  address = "https://unsealer:8200"  # the unsealer\n  token = "s.abc\\"def"\n  disable_renewal = "false"');
    expect(parseSealStanza(`  ${text}\n`)).toEqual({
      type: 'transit',
      settings: { address: 'https://unsealer:8200', token: 's.abc"def', disable_renewal: 'false' },
      text,
    });
  });

  it.each([
    ['not a stanza', 'address = "x"', /is not a seal stanza/],
    ['a storage block', 'storage "raft" { path = "/x" }', /is not a seal stanza/],
    ['the shamir seal', 'seal "shamir" {}', /names the shamir seal/],
  ])('refuses %s with an [input] error naming restore-seal-config', (_name, text, message) => {
    expect(() => parseSealStanza(text)).toThrow(InputError);
    expect(() => parseSealStanza(text)).toThrow(message);
    expect(() => parseSealStanza(text)).toThrow(/^restore-seal-config: /);
  });
});

describe('sealEndpoints', () => {
  it.each([
    ['transit over https, default port', seal('transit', 'address = "https://unsealer.example.com"'), ['unsealer.example.com:443']],
    ['transit over http on loopback', seal('transit', 'address = "http://127.0.0.1:8300"'), ['127.0.0.1:8300']],
    ['awskms by region', seal('awskms', 'region = "eu-west-1"\nkms_key_id = "k"'), ['kms.eu-west-1.amazonaws.com:443']],
    [
      'awskms with an endpoint',
      seal('awskms', 'region = "eu-west-1"\nendpoint = "https://vpce-1.kms.eu-west-1.vpce.amazonaws.com"'),
      ['vpce-1.kms.eu-west-1.vpce.amazonaws.com:443'],
    ],
    ['gcpckms', seal('gcpckms', 'project = "p"'), ['cloudkms.googleapis.com:443', 'oauth2.googleapis.com:443']],
    ['azurekeyvault', seal('azurekeyvault', 'vault_name = "prod-kv"'), ['prod-kv.vault.azure.net:443', 'login.microsoftonline.com:443']],
  ])('%s', (_name, text, expected) => {
    expect(sealEndpoints(parseSealStanza(text)).map((e) => `${e.host}:${e.port}`)).toEqual(expected);
  });

  it('adds restore-seal-egress, without duplicates', () => {
    const s = parseSealStanza(seal('awskms', 'region = "eu-west-1"'));
    expect(sealEndpoints(s, parseEgressList('sts.eu-west-1.amazonaws.com:443, kms.eu-west-1.amazonaws.com:443')).map((e) => `${e.host}:${e.port}`)).toEqual([
      'kms.eu-west-1.amazonaws.com:443',
      'sts.eu-west-1.amazonaws.com:443',
    ]);
  });

  it.each([
    ['transit without an address', seal('transit', 'key_name = "k"'), /the transit seal has no address/],
    ['transit with a bad address', seal('transit', 'address = "unsealer:8200:x"'), /is not an http\(s\) URL/],
    ['awskms without region or endpoint', seal('awskms', 'kms_key_id = "k"'), /neither region nor endpoint/],
    ['azurekeyvault without vault_name', seal('azurekeyvault', 'tenant_id = "t"'), /no vault_name/],
    ['a seal whose endpoints are unknown', seal('pkcs11', 'lib = "/usr/lib/x.so"'), /endpoints of a pkcs11 seal are not known/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => sealEndpoints(parseSealStanza(text))).toThrow(message);
  });

  it('takes the endpoints of any other seal from restore-seal-egress', () => {
    expect(sealEndpoints(parseSealStanza(seal('ocikms', 'key_id = "k"')), parseEgressList('kms.oci.example:443'))).toEqual([
      { host: 'kms.oci.example', port: 443 },
    ]);
  });
});

describe('parseEgressList', () => {
  it('reads host:port pairs separated by commas, spaces or lines', () => {
    expect(parseEgressList('a.example:443,\n[::1]:8200  B.example:1')).toEqual([
      { host: 'a.example', port: 443 },
      { host: '::1', port: 8200 },
      { host: 'b.example', port: 1 },
    ]);
    expect(parseEgressList(undefined)).toEqual([]);
    expect(parseEgressList('  ')).toEqual([]);
  });

  it.each(['a.example', 'a.example:0', 'a.example:65536', 'https://a.example:443', 'a b:1:2'])('refuses %j', (item) => {
    expect(() => parseEgressList(item)).toThrow(/^restore-seal-egress: /);
  });
});

it.each([
  ['localhost', true],
  ['127.0.0.1', true],
  ['127.1.2.3', true],
  ['::1', true],
  ['10.0.0.1', false],
  ['localhost.example', false],
  ['kms.eu-west-1.amazonaws.com', false],
])('isLoopbackHost(%j) is %s', (host, expected) => {
  expect(isLoopbackHost(host)).toBe(expected);
});
