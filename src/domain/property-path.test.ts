import { expect, it } from 'vitest';
import { propertyPath } from './property-path.js';

it('renders JSON pointers as Yoti property paths', () => {
  expect(propertyPath('/requested_checks/0/config/liveness_type')).toBe('requested_checks[0].config.liveness_type');
  expect(propertyPath('/a~1b/1/2')).toBe('a/b[1][2]');
  expect(propertyPath('')).toBe('');
});
