import { libcProblem, loadPty, runtimeLibc } from './pty-loader';

describe('pty-loader', () => {
  it('tells glibc from musl by the libraries the process has mapped', () => {
    expect(runtimeLibc('7f..-7f.. r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6\n')).toBe('glibc');
    expect(runtimeLibc('7f..-7f.. r-xp 00000000 fe:01 1234 /lib/ld-musl-x86_64.so.1\n')).toBe('musl');
    expect(runtimeLibc()).toBe('glibc'); // this machine (Debian)
  });

  it('refuses the prebuilt binary on musl with a line that says what to do; loads it on glibc', () => {
    expect(libcProblem('glibc')).toBeNull();
    expect(libcProblem('musl')).toMatch(/needs glibc .*NODE_IMAGE=node:20-bookworm-slim/);
    expect(typeof loadPty().spawn).toBe('function');
  });
});
