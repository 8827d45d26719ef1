// plot_html_check.js PAGE.html METRICS.csv POINTS SCREENSHOT.png [dense]
//
// Opens brainsweep's PSE page in headless Chromium and checks what a
// person would see, through the DevTools protocol over a pipe
// (--remote-debugging-pipe: no WebSocket library, no npm):
//   * one element of class "pse-point" per point of the sweep, each point
//     once (data-point);
//   * a real mouse move onto a point shows #pse-tooltip, whose text holds
//     that point's parameter values and every metric's name and value, as
//     metrics.csv has them; a second point updates it;
//   * changing the colour <select> redraws every point;
//   * a screenshot that is not blank (PNG decoded here with zlib: many
//     non-white pixels, many colours).
// With "dense" (a sweep of model.I x model.a plotted with
// --colour-scale linear, beyond the dense threshold) instead:
//   * no element per point: one <canvas class="pse-cells"> of NX x NY px;
//   * the canvas pixel of an ok point is the palette's colour of its
//     VarianceNodeVariance on a linear scale from the smallest to the
//     largest finite value in metrics.csv; a failed point's is #d62728, a
//     NaN one's #595959, a pending one's #dcdcdc; the screenshot shows the
//     same colours at those cells' centres;
//   * a real mouse move onto a cell shows that point's tooltip;
//   * choosing Synchrony (0.5 everywhere) recolours the cells with the
//     palette's first colour; fixing model.I leaves a row of NY cells;
//     choosing model.I in the x axis menu frees it again.
// With "field" (model.I of more than 1,000 values, model.a of a few):
//   * model.I is sliced by a number field (value index), not a <select>;
//   * the view starts dense; fixing model.I at index 5 in the field
//     leaves model.a's few points as discs, and hovering one gives the
//     tooltip of the point at model.I's sixth value.
// With "scatter" (a dense scatter: points that are no grid, beyond the
// dense threshold; metrics.csv's parameter columns are model.I, model.a
// and maybe level):
//   * no element per point: one <canvas class="pse-cells"> of the plot
//     area's pixels;
//   * a failed point's pixel, where its values put it, is #d62728 (failed
//     points are painted last) and a real mouse move there shows its
//     tooltip;
//   * choosing model.a for the x axis swaps the axes: the failed point's
//     pixel moves with it.
// Exits 0 on success, 1 with a reason on failure.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');

const [page, csvPath, pointsArg, shotPath, mode] = process.argv.slice(2);
const expected = Number(pointsArg);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bsw-chromium-'));
let browser = null;

let finishing = false;
function fail(why) {
  if (!finishing) console.error('FAIL: ' + why);
  finish(1);
}
// The profile folder goes once Chromium has exited (it writes there until then).
function finish(code) {
  if (finishing) return;
  finishing = true;
  const done = () => {
    try {
      fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      console.error('note: ' + e.message);
    }
    process.exit(code);
  };
  if (browser && browser.exitCode === null && browser.signalCode === null) {
    browser.once('exit', done);
    browser.kill('SIGKILL');
  } else {
    done();
  }
}
setTimeout(() => fail('timed out after 60 s'), 60000).unref();

// metrics.csv: header and rows by point index.
const lines = fs.readFileSync(csvPath, 'utf8').trim().split('\n');
const header = lines[0].split(',');
const rows = lines.slice(1).map((l) => l.split(','));
const statusCol = header.indexOf('status');

// ------------------------------------------------------------ DevTools pipe
browser = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--user-data-dir=' + profile, '--remote-debugging-pipe',
  '--window-size=1600,1200', 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
browser.on('exit', (code) => { if (code !== null && code !== 0) fail('chromium exited with ' + code); });
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
// The pipe breaks when a failure kills Chromium: that is no news.
toBrowser.on('error', () => {});
fromBrowser.on('error', () => {});
let buffer = Buffer.alloc(0), nextId = 1;
const waiting = new Map();
fromBrowser.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  let end;
  while ((end = buffer.indexOf(0)) >= 0) {
    const msg = JSON.parse(buffer.subarray(0, end).toString('utf8'));
    buffer = buffer.subarray(end + 1);
    if (msg.id && waiting.has(msg.id)) {
      waiting.get(msg.id)(msg);
      waiting.delete(msg.id);
    }
  }
});
function send(method, params, sessionId) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, (m) => (m.error ? reject(new Error(method + ': ' + JSON.stringify(m.error)))
      : resolve(m.result)));
    toBrowser.write(JSON.stringify({ id, method, params: params || {}, sessionId }) + '\0');
  });
}
async function evaluate(session, expression) {
  const r = await send('Runtime.evaluate', { expression, returnByValue: true }, session);
  if (r.exceptionDetails) throw new Error('page: ' + JSON.stringify(r.exceptionDetails));
  return r.result.value;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- PNG decode
function decodePng(bytes) {
  let off = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (off < bytes.length) {
    const len = bytes.readUInt32BE(off), kind = bytes.toString('ascii', off + 4, off + 8);
    const body = bytes.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      if (body[8] !== 8 || body[12] !== 0) throw new Error('PNG: only 8-bit, non-interlaced');
      type = body[9];
    } else if (kind === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const bpp = type === 6 ? 4 : type === 2 ? 3 : 0;
  if (!bpp) throw new Error('PNG: colour type ' + type);
  const raw = zlib.inflateSync(Buffer.concat(idat)), stride = width * bpp;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp] : 0, b = y ? px[dst - stride + x] : 0;
      const c = x >= bpp && y ? px[dst - stride + x - bpp] : 0;
      let v = raw[src + x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[dst + x] = v & 255;
    }
  }
  return { width, height, bpp, px };
}

// ------------------------------------------------------------------- checks
async function hover(session, selector) {
  const where = await evaluate(session, `(() => {
    const e = document.querySelector(${JSON.stringify(selector)});
    e.scrollIntoView({ block: 'center', inline: 'center' });
    const r = e.getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2, k: Number(e.getAttribute('data-point')) };
  })()`);
  await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: where.x, y: where.y }, session);
  await sleep(100);
  const tip = await evaluate(session, `(() => {
    const t = document.getElementById('pse-tooltip');
    return { hidden: t.hidden, text: t.innerText };
  })()`);
  return { k: where.k, tip };
}

function checkTooltip(k, tip) {
  if (tip.hidden) fail('the tooltip is hidden after hovering point ' + k);
  const row = rows.find((r) => Number(r[0]) === k);
  if (!row) fail('point ' + k + ' is not in metrics.csv');
  if (!tip.text.includes('point ' + k)) fail('tooltip of point ' + k + ' lacks "point ' + k + '": ' + tip.text);
  for (let c = 1; c < statusCol; c++) {
    if (!tip.text.includes(header[c])) fail('tooltip lacks parameter ' + header[c] + ': ' + tip.text);
    if (!tip.text.includes(String(Number(row[c]))))
      fail('tooltip lacks ' + header[c] + ' = ' + row[c] + ': ' + tip.text);
  }
  if (row[statusCol] !== 'ok') return;
  for (let c = statusCol + 1; c < header.length; c++) {
    if (!tip.text.includes(header[c])) fail('tooltip lacks metric ' + header[c] + ': ' + tip.text);
    if (!tip.text.includes(String(Number(row[c]))))
      fail('tooltip lacks ' + header[c] + ' = ' + row[c] + ': ' + tip.text);
  }
}

// ------------------------------------------------------------ dense pages
function hex(rgb) {
  return '#' + rgb.map((c) => c.toString(16).padStart(2, '0')).join('');
}

// The canvas pixels of points ks (cell = value: i = k / NY, j = k % NY).
async function canvasPixels(session, ks, ny) {
  return evaluate(session, `(() => {
    const c = document.querySelector('canvas.pse-cells'), ctx = c.getContext('2d');
    return ${JSON.stringify(ks)}.map((k) => {
      const i = Math.floor(k / ${ny}), j = k % ${ny};
      return [...ctx.getImageData(i, c.height - 1 - j, 1, 1).data.slice(0, 3)];
    });
  })()`);
}

// Where point k's cell centre is on the screen.
async function cellCentre(session, k, ny) {
  return evaluate(session, `(() => {
    const c = document.querySelector('canvas.pse-cells'), r = c.getBoundingClientRect();
    const nx = Number(c.getAttribute('data-nx')), i = Math.floor(${k} / ${ny}), j = ${k} % ${ny};
    return { x: r.left + (i + 0.5) * r.width / nx, y: r.top + (${ny} - 1 - j + 0.5) * r.height / ${ny} };
  })()`);
}

async function denseChecks(s, started) {
  let info = null;
  for (let i = 0; i < 300 && !info; i++) {
    await sleep(100);
    info = await evaluate(s, `document.readyState === 'complete' &&
      document.querySelectorAll('canvas.pse-cells').length ? [...document.querySelectorAll('canvas.pse-cells')]
      .map((c) => [c.width, c.height, Number(c.getAttribute('data-nx')), Number(c.getAttribute('data-ny'))]) : null`);
  }
  if (!info) fail('no canvas.pse-cells after 30 s');
  const shownAfter = Date.now() - started;
  const elements = await evaluate(s, `document.querySelectorAll('.pse-point').length`);
  if (elements !== 0) fail(elements + ' .pse-point elements in a dense view');
  if (info.length !== 1) fail(info.length + ' canvases, expected 1');
  const [w, h, nx, ny] = info[0];
  if (nx * ny !== expected || w !== nx || h !== ny)
    fail('canvas ' + w + 'x' + h + ' of ' + nx + 'x' + ny + ' values, expected ' + expected + ' points, one px each');
  const D = { palette: await evaluate(s, `JSON.parse(document.getElementById('pse-data').textContent).palette`) };
  const vnv = header.indexOf('VarianceNodeVariance');
  let lo = Infinity, hi = -Infinity;
  for (const r of rows)
    if (r[statusCol] === 'ok' && isFinite(Number(r[vnv]))) {
      lo = Math.min(lo, Number(r[vnv]));
      hi = Math.max(hi, Number(r[vnv]));
    }
  const want = (k) => {
    const r = rows[k];
    if (Number(r[0]) !== k) fail('metrics.csv row ' + k + ' is point ' + r[0]);
    if (r[statusCol] === 'failed') return '#d62728';
    if (r[statusCol] === 'pending') return '#dcdcdc';
    const v = Number(r[vnv]);
    if (!isFinite(v)) return '#595959';
    const u = (v - lo) / (hi - lo);
    return D.palette[u >= 1 ? 255 : Math.floor(u * 255)];
  };
  const pick = (st, finite) => rows.find((r, k) => k > ny && r[statusCol] === st &&
    (finite === undefined || isFinite(Number(r[vnv])) === finite));
  const ks = [Number(pick('ok', true)[0]), Number(pick('failed')[0]), Number(pick('ok', false)[0]),
    Number(pick('pending')[0]), expected - ny - 2];
  const got = (await canvasPixels(s, ks, ny)).map(hex);
  ks.forEach((k, n) => {
    if (got[n] !== want(k)) fail('point ' + k + ': canvas pixel ' + got[n] + ', expected ' + want(k));
  });
  // The screen shows them too, scaled up without smoothing.
  await evaluate(s, 'window.scrollTo(0, 0)');
  await sleep(100);
  const png = Buffer.from((await send('Page.captureScreenshot', { format: 'png' }, s)).data, 'base64');
  if (shotPath) fs.writeFileSync(shotPath, png);
  const img = decodePng(png);
  for (const [n, k] of ks.entries()) {
    const at = await cellCentre(s, k, ny), o = (Math.floor(at.y) * img.width + Math.floor(at.x)) * img.bpp;
    const px = hex([img.px[o], img.px[o + 1], img.px[o + 2]]);
    const far = [1, 3, 5].some((q) => Math.abs(parseInt(px.substr(q, 2), 16) - parseInt(got[n].substr(q, 2), 16)) > 2);
    if (far) fail('point ' + k + ': the screen shows ' + px + ' at its cell, the canvas ' + got[n]);
  }
  // Hover an ok cell and a failed one: their tooltips.
  for (const k of ks.slice(0, 2)) {
    const at = await cellCentre(s, k, ny);
    await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: at.x, y: at.y }, s);
    await sleep(100);
    const tip = await evaluate(s, `(() => {
      const t = document.getElementById('pse-tooltip');
      return { hidden: t.hidden, text: t.innerText };
    })()`);
    checkTooltip(k, tip);
  }
  // The menus: another colour metric recolours the cells; a slice of
  // model.I leaves one row.
  const flat = await evaluate(s, `(() => {
    const sel = document.getElementById('pse-colour');
    sel.value = String([...sel.options].findIndex((o) => o.textContent === 'Synchrony'));
    sel.dispatchEvent(new Event('change'));
    return document.querySelectorAll('canvas.pse-cells').length;
  })()`);
  if (flat !== 1) fail(flat + ' canvases after choosing another colour metric');
  const again = (await canvasPixels(s, ks.slice(0, 1), ny)).map(hex)[0];
  if (again !== D.palette[0]) fail('Synchrony is 0.5 everywhere: the cell is ' + again + ', not ' + D.palette[0]);
  const row = await evaluate(s, `(() => {
    const sel = document.getElementById('pse-slice-0');
    sel.value = '3';
    sel.dispatchEvent(new Event('change'));
    const c = document.querySelectorAll('canvas.pse-cells');
    return c.length === 1 ? [c[0].width, c[0].height] : null;
  })()`);
  if (!row || row[0] !== ny || row[1] !== 1) fail('model.I fixed: ' + JSON.stringify(row) + ', expected a row of ' + ny);
  // The x axis menu: model.I back on x frees it, model.a goes to y.
  const back = await evaluate(s, `(() => {
    const sel = document.getElementById('pse-x');
    sel.value = '0';
    sel.dispatchEvent(new Event('change'));
    const c = document.querySelectorAll('canvas.pse-cells');
    return [c.length === 1 ? [c[0].width, c[0].height] : null, document.getElementById('pse-slice-0').value,
      document.getElementById('pse-y').value];
  })()`);
  if (!back[0] || back[0][0] !== nx || back[0][1] !== ny || back[1] !== '-1' || back[2] !== '1')
    fail('model.I chosen for x: ' + JSON.stringify(back) + ', expected ' + nx + ' x ' + ny + ' cells, no slice, y model.a');
  console.log('ok: dense page of ' + expected + ' points drawn in ' + (shownAfter / 1000).toFixed(1) +
    ' s (not a limit), cells of points ' + ks.join(', ') + ' in their colours, tooltips of ' + ks[0] +
    ' and ' + ks[1] + ', menus redraw');
  finish(0);
}

// Where a dense scatter paints point k in its canvas (plot_pse.h: a pad
// of half a square plus 2 px, squares of floor(side / L) px).
async function scatterPixel(s, k, xr, yr) {
  return evaluate(s, `(() => {
    const D = JSON.parse(document.getElementById('pse-data').textContent);
    const c = document.querySelector('canvas.pse-cells'), r = c.getBoundingClientRect();
    const v = ${JSON.stringify(rows[k].slice(1, 3).map(Number))}, x = ${xr}, y = ${yr};
    const levels = D.levels || [];
    let weight = 0;
    for (let q = 0; q < D.status.length; q++) weight += Math.pow(4, -(levels[q] || 0));
    const L = Math.max(1, Math.ceil(Math.sqrt(weight) - 1e-9));
    const square = Math.max(1, Math.floor(1080 / L)), pad = Math.ceil(square / 2) + 2;
    const u = (val, a) => (val - D.ranges[a].lo) / (D.ranges[a].hi - D.ranges[a].lo);
    const px = Math.floor(pad + u(v[x], x) * (c.width - 2 * pad));
    const py = Math.floor(c.height - pad - u(v[y], y) * (c.height - 2 * pad));
    return { px, py, colour: [...c.getContext('2d').getImageData(px, py, 1, 1).data.slice(0, 3)],
      x: r.left + (px + 0.5) * r.width / c.width, y: r.top + (py + 0.5) * r.height / c.height };
  })()`);
}

async function scatterChecks(s) {
  let info = null;
  for (let i = 0; i < 300 && !info; i++) {
    await sleep(100);
    info = await evaluate(s, `document.readyState === 'complete' &&
      document.querySelectorAll('canvas.pse-cells').length ?
      [...document.querySelectorAll('canvas.pse-cells')].map((c) => [c.width, c.height]) : null`);
  }
  if (!info) fail('no canvas.pse-cells after 30 s');
  if (info.length !== 1 || info[0][0] !== 1080 || info[0][1] !== 1080)
    fail('canvases ' + JSON.stringify(info) + ', expected one of 1080 x 1080 px');
  const elements = await evaluate(s, `document.querySelectorAll('.pse-point').length`);
  if (elements !== 0) fail(elements + ' .pse-point elements in a dense view');
  const k = Number(rows.find((r) => r[statusCol] === 'failed')[0]);
  let at = await scatterPixel(s, k, 0, 1);
  if (hex(at.colour) !== '#d62728') fail('failed point ' + k + ': pixel ' + hex(at.colour) + ' at ' + at.px + ', ' + at.py);
  await evaluate(s, `document.querySelector('canvas.pse-cells').scrollIntoView({ block: 'center' })`);
  await sleep(100);
  at = await scatterPixel(s, k, 0, 1);
  await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: at.x, y: at.y }, s);
  await sleep(100);
  const tip = await evaluate(s, `(() => {
    const t = document.getElementById('pse-tooltip');
    return { hidden: t.hidden, text: t.innerText };
  })()`);
  checkTooltip(k, tip);
  await evaluate(s, `(() => {
    const sel = document.getElementById('pse-x');
    sel.value = '1';
    sel.dispatchEvent(new Event('change'));
  })()`);
  const swapped = await scatterPixel(s, k, 1, 0);
  if (hex(swapped.colour) !== '#d62728')
    fail('axes swapped: failed point ' + k + ': pixel ' + hex(swapped.colour) + ' at ' + swapped.px + ', ' + swapped.py);
  if (swapped.px === at.px && swapped.py === at.py) fail('swapping the axes did not move point ' + k);
  console.log('ok: dense scatter of ' + expected + ' points in one canvas; failed point ' + k +
    ' red where its values are, its tooltip; the axes swap');
  finish(0);
}

async function fieldChecks(s) {
  let kind = null;
  for (let i = 0; i < 300 && !kind; i++) {
    await sleep(100);
    kind = await evaluate(s, `document.readyState === 'complete' &&
      document.querySelectorAll('canvas.pse-cells').length ? document.getElementById('pse-slice-0').tagName : null`);
  }
  if (kind !== 'INPUT') fail('model.I is sliced by ' + kind + ', not a number field');
  const discs = await evaluate(s, `(() => {
    const f = document.getElementById('pse-slice-0');
    f.value = '5';
    f.dispatchEvent(new Event('change'));
    return [document.querySelectorAll('canvas.pse-cells').length, document.querySelectorAll('.pse-point').length,
      f.parentNode.textContent];
  })()`);
  const ny = expected;
  if (discs[0] !== 0 || discs[1] !== ny) fail('model.I fixed: ' + discs[0] + ' canvases and ' + discs[1] +
    ' points, expected ' + ny + ' discs');
  const h = await hover(s, '.pse-point');
  if (Math.floor(h.k / ny) !== 5) fail('the point hovered, ' + h.k + ', is not at model.I\'s sixth value');
  checkTooltip(h.k, h.tip);
  console.log('ok: a number field slices model.I; ' + ny + ' discs after fixing it, tooltip of point ' + h.k +
    ' (' + discs[2].trim() + ')');
  finish(0);
}

(async () => {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId: s } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Emulation.setDeviceMetricsOverride',
    { width: 1600, height: 1200, deviceScaleFactor: 1, mobile: false }, s);
  await send('Page.enable', {}, s);
  await send('Runtime.enable', {}, s);
  const started = Date.now();
  await send('Page.navigate', { url: 'file://' + path.resolve(page) }, s);
  if (mode === 'dense') return denseChecks(s, started);
  if (mode === 'field') return fieldChecks(s);
  if (mode === 'scatter') return scatterChecks(s);
  let count = 0;
  for (let i = 0; i < 100 && !count; i++) {
    await sleep(100);
    count = await evaluate(s, `document.readyState === 'complete' ?
      document.querySelectorAll('.pse-point').length : 0`);
  }
  if (count !== expected) fail(count + ' points drawn, expected ' + expected);
  const distinct = await evaluate(s, `new Set([...document.querySelectorAll('.pse-point')]
    .map((e) => e.getAttribute('data-point'))).size`);
  if (distinct !== expected) fail(distinct + ' distinct points drawn, expected ' + expected);
  // Hover the first and the last point drawn.
  let h = await hover(s, '.pse-point');
  checkTooltip(h.k, h.tip);
  const first = h.k;
  h = await hover(s, '.pse-point:last-of-type');
  checkTooltip(h.k, h.tip);
  if (h.k === first) fail('the first and last points are the same');
  // Another colour metric: every point redrawn.
  const redrawn = await evaluate(s, `(() => {
    const sel = document.getElementById('pse-colour');
    sel.value = String([...sel.options].findIndex((o) => o.textContent === 'Synchrony'));
    sel.dispatchEvent(new Event('change'));
    return document.querySelectorAll('.pse-point').length;
  })()`);
  if (redrawn !== expected) fail(redrawn + ' points after choosing another colour metric');
  await send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 2, y: 2 }, s);
  await evaluate(s, 'window.scrollTo(0, 0)');
  await sleep(100);
  const shot = await send('Page.captureScreenshot', { format: 'png' }, s);
  const png = Buffer.from(shot.data, 'base64');
  if (shotPath) fs.writeFileSync(shotPath, png);
  const img = decodePng(png);
  let ink = 0;
  const colours = new Set();
  for (let i = 0; i < img.width * img.height; i++) {
    const o = i * img.bpp, r = img.px[o], g = img.px[o + 1], b = img.px[o + 2];
    if (r < 250 || g < 250 || b < 250) ink++;
    colours.add((r >> 3) << 10 | (g >> 3) << 5 | (b >> 3));
  }
  if (ink < img.width * img.height / 100) fail('the screenshot is blank: ' + ink + ' pixels drawn');
  if (colours.size < 30) fail('the screenshot has only ' + colours.size + ' colours');
  console.log('ok: ' + count + ' points, tooltips of points ' + first + ' and ' + h.k +
    ', screenshot ' + img.width + 'x' + img.height + ' with ' + ink + ' drawn pixels in ' +
    colours.size + ' colours');
  finish(0);
})().catch((e) => fail(e.message));
