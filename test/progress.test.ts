import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatSeconds } from '../src/progress';

test('progress bar prints counts, percentage, ETA and values; throttles redraws (lines mode: piped output)', () => {
  const lines: string[] = [];
  const sink = { write: (s: string) => { lines.push(s); }, isTTY: false };
  const p = new Progress(4, 'fit', { sink, minIntervalMs: 60000, enabled: true });
  assert.equal(p.mode, 'lines');
  p.tick({ loss: 0.5 });
  p.tick({ loss: 0.25 });
  p.tick({ loss: 0.125 });
  p.tick({ loss: 0.0625 });
  p.done();
  // first tick draws (lastDraw = 0), the middle ones are throttled, the last one (done == total) draws
  assert.equal(lines.length, 2, lines.join('|'));
  assert.match(lines[0], /^fit \[#{6}-{18}\] 1\/4 25% /);
  assert.match(lines[1], /4\/4 100% .* loss=0\.0625/);
  for (const l of lines) assert.ok(l.endsWith('\n') && !l.includes('\r'));
});

test('terminal: one bar per line, redrawn with a carriage return and ended by done()', () => {
  let out = '';
  const sink = { write: (s: string) => { out += s; }, isTTY: true };
  for (const label of ['first', 'second']) {
    const p = new Progress(3, label, { sink, minIntervalMs: 0, enabled: true });
    assert.equal(p.mode, 'tty');
    p.tick(); p.tick(); p.tick();
    p.done();
    p.done(); // a second done() draws nothing
  }
  // what a terminal shows: every \r returns to the line start, \x1b[K clears the rest
  const screen = out.split('\n').map((l) => l.split('\r').pop()!.replace(/\x1b\[K/g, '')).filter((l) => l !== '');
  assert.equal(screen.length, 2, JSON.stringify(out));
  assert.match(screen[0], /^first \[#{24}\] 3\/3 100% /);
  assert.match(screen[1], /^second \[#{24}\] 3\/3 100% /);
  assert.equal((out.match(/\n/g) ?? []).length, 2);
});

test('notebook: one display per bar, updated in place; the last update is the finished bar', () => {
  const calls: { text: string; id: string; update: boolean }[] = [];
  const display = (text: string, id: string, update: boolean) => { calls.push({ text, id, update }); };
  const a = new Progress(5, 'deep AE', { display, minIntervalMs: 0, enabled: true });
  const b = new Progress(2, 'PCA', { display, minIntervalMs: 0, enabled: true });
  assert.equal(a.mode, 'display');
  for (let i = 0; i < 5; i++) a.tick({ loss: 1 / (i + 1) });
  a.done();
  b.tick(); b.tick(); b.done();
  const ids = [...new Set(calls.map((c) => c.id))];
  assert.equal(ids.length, 2, 'one display per bar');
  for (const id of ids) {
    const mine = calls.filter((c) => c.id === id);
    assert.equal(mine[0].update, false, 'the first draw creates the display');
    assert.ok(mine.slice(1).every((c) => c.update), 'later draws replace it');
  }
  // what a saved notebook keeps: the last content of each display id
  const last = ids.map((id) => calls.filter((c) => c.id === id).pop()!.text);
  assert.match(last[0], /^deep AE \[#{24}\] 5\/5 100% .* loss=0\.2000$/);
  assert.match(last[1], /^PCA \[#{24}\] 2\/2 100% /);
});

test('notebook display is throttled (default 0.5 s) but always shows the finished state', () => {
  const calls: string[] = [];
  const p = new Progress(1000, 'x', { display: (t) => { calls.push(t); }, enabled: true });
  for (let i = 0; i < 1000; i++) p.tick();
  p.done();
  assert.ok(calls.length <= 3, `${calls.length} redraws`);
  assert.match(calls[calls.length - 1], /1000\/1000 100%/);
});

test('disabled bars draw nothing; outside a notebook the default is not the display mode', () => {
  const calls: string[] = [];
  const p = new Progress(2, 'off', { display: (t) => { calls.push(t); }, enabled: false });
  p.tick(); p.tick(); p.done();
  assert.equal(calls.length, 0);
  assert.notEqual(new Progress(2, 'auto', { enabled: false }).mode, 'display');
});

test('formatSeconds', () => {
  assert.equal(formatSeconds(65), '01:05');
  assert.equal(formatSeconds(3725), '1:02:05');
  assert.equal(formatSeconds(Infinity), '--:--');
});
