import { describe, expect, it } from 'vitest';
import { withXsrf, withXsrfQuery, xsrfToken } from '../src/xsrf';

const COOKIES = 'theme=dark; _xsrf=2|abc|def|123; _xsrf=older';

describe('xsrf', () => {
  it('reads the first _xsrf cookie, unquoted, and nothing when there is none', () => {
    expect(xsrfToken(COOKIES)).toBe('2|abc|def|123');
    expect(xsrfToken('_xsrf="quoted"')).toBe('quoted');
    expect(xsrfToken('not_xsrf=1; x_xsrf=2')).toBeNull();
    expect(xsrfToken('')).toBeNull();
  });

  it('adds the header to a fetch, keeping its other options and headers', () => {
    const init = withXsrf({ credentials: 'same-origin', headers: { Accept: 'application/json' } }, COOKIES);
    expect(init.credentials).toBe('same-origin');
    const headers = new Headers(init.headers);
    expect(headers.get('X-XSRFToken')).toBe('2|abc|def|123');
    expect(headers.get('Accept')).toBe('application/json');
    const plain = { cache: 'no-store' as const };
    expect(withXsrf(plain, '')).toBe(plain); // outside Jupyter: unchanged
  });

  it('puts the token in the query only of URLs of the page origin', () => {
    const page = 'https://hub.example/user/a/trame-jupyter/s/index.html';
    expect(withXsrfQuery('./m.js?v=1', page, COOKIES)).toBe(
      'https://hub.example/user/a/trame-jupyter/s/m.js?v=1&_xsrf=2%7Cabc%7Cdef%7C123'
    );
    expect(withXsrfQuery('https://cdn.example/m.js', page, COOKIES)).toBe('https://cdn.example/m.js');
    expect(withXsrfQuery('./m.js?_xsrf=given', page, COOKIES)).toBe('./m.js?_xsrf=given');
    expect(withXsrfQuery('./m.js', page, '')).toBe('./m.js');
  });
});
