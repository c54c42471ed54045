import { isPrivateAddress, urlProblem } from './url-guard';

describe('url guard', () => {
  it('refuses every scheme but http and https', () => {
    expect(urlProblem('https://hooks.example.com/x?token=1')).toBeNull();
    expect(urlProblem('http://10.0.0.5:8080/hook')).toBeNull(); // the address is checked at send time
    for (const bad of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://x/', 'javascript:alert(1)', 'not a url']) expect(urlProblem(bad)).not.toBeNull();
  });

  it('tells private, loopback, link-local and other non-public addresses', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });
});
