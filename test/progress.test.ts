import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatSeconds } from '../src/progress';

test('progress bar prints counts, percentage, ETA and values; throttles redraws', () => {
  const lines: string[] = [];
  const sink = { write: (s: string) => { lines.push(s); }, isTTY: false };
  const p = new Progress(4, 'fit', { sink, minIntervalMs: 60000, enabled: true });
  p.tick({ loss: 0.5 });
  p.tick({ loss: 0.25 });
  p.tick({ loss: 0.125 });
  p.tick({ loss: 0.0625 });
  p.done();
  // first tick draws (lastDraw = 0), the middle ones are throttled, the last one (done == total) draws
  assert.equal(lines.length, 2, lines.join('|'));
  assert.match(lines[0], /^fit \[#{6}-{18}\] 1\/4 25% /);
  assert.match(lines[1], /4\/4 100% .* loss=0\.0625/);
});

test('formatSeconds', () => {
  assert.equal(formatSeconds(65), '01:05');
  assert.equal(formatSeconds(3725), '1:02:05');
  assert.equal(formatSeconds(Infinity), '--:--');
});
