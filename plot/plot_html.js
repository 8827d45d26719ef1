/*  plot_html.js - the interactive PSE page (plot_html.c embeds it and the
    sweep's data as JSON in <script id="pse-data">).

    It draws the same view as the C code (plot_pse_draw.c): x and y the
    ranges chosen (--x, --y, the axis menus) or the first two not fixed,
    one panel per combination of the remaining ranges, TVB's radius
    table scaled as PLOT_PSE_RADIUS_SCALE,
    NaN-aware scales, log colour when a metric spans >= 3 decades, crosses
    for failed or NaN points and rings for pending ones. Every point is one
    SVG element of class "pse-point" with data-point (its index k) and
    data-status, so a test can count them; hovering one shows a tooltip
    (#pse-tooltip) with its parameter values and every metric.

    A dense view (the C rule, plot_pse.h: more than D.dense.points points a
    panel, or discs under D.dense.min_radius px) draws no element per
    point: each panel's cells are one <canvas class="pse-cells"> of one
    pixel a cell (data-panel, data-nx, data-ny), laid over the SVG's plot
    area and scaled up without smoothing; the cell under the mouse is
    computed from its position, and its tooltip shown. A large sweep's
    metrics come as base64 float64 (D.values_f64), decoded once.

    A scatter (D.scatter: a sampled design, or a grid with its
    refinements; plot_pse.h) places each point at its values (D.coords or
    D.coords_f64) on continuous axes chosen in two menus, radii from the
    points' density, a refinement's points (D.levels) 1/2^level the size
    and over the coarser ones. Dense, it paints squares into one canvas of
    the plot area's pixels (plot_pse_scatter.c's order) and keeps, per
    pixel, the point painted last, which the tooltip reads.
*/
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var D = JSON.parse(document.getElementById('pse-data').textContent);
  var NM = D.metrics.length;
  var NR = D.ranges.length;
  var L_ = D.layout;
  var SCATTER = !!D.scatter;
  var points = D.status.length;
  // Points between neighbouring values of each range (row-major).
  var STRIDE = [];
  for (var r0 = NR - 1, m0 = 1; r0 >= 0 && !SCATTER; r0--) {
    STRIDE[r0] = m0;
    m0 *= D.ranges[r0].values.length;
  }

  // Base64 to bytes in one pass: three times faster than atob and a copy
  // out of its string (0.2 against 0.6 s for a million points).
  function unbase64(text) {
    var A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', T = new Uint8Array(128);
    for (var a = 0; a < 64; a++) T[A.charCodeAt(a)] = a;
    var n = text.length;
    while (n && text.charAt(n - 1) === '=') n--;
    var out = new Uint8Array(Math.floor(n * 3 / 4)), o = 0, q = 0, v;
    for (; q + 4 <= n; q += 4) {
      v = T[text.charCodeAt(q)] << 18 | T[text.charCodeAt(q + 1)] << 12 |
        T[text.charCodeAt(q + 2)] << 6 | T[text.charCodeAt(q + 3)];
      out[o++] = v >> 16;
      out[o++] = v >> 8 & 255;
      out[o++] = v & 255;
    }
    if (n - q >= 2) {
      v = T[text.charCodeAt(q)] << 18 | T[text.charCodeAt(q + 1)] << 12 |
        (n - q === 3 ? T[text.charCodeAt(q + 2)] << 6 : 0);
      out[o++] = v >> 16;
      if (n - q === 3) out[o++] = v >> 8 & 255;
    }
    return out;
  }
  // Little-endian float64, [points][metrics], NaN without a result.
  var F64 = null;
  if (typeof D.values_f64 === 'string') {
    var bytes = unbase64(D.values_f64);
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
      for (var b = 0; b + 8 <= bytes.length; b += 8) bytes.subarray(b, b + 8).reverse();
    F64 = new Float64Array(bytes.buffer);
    D.values_f64 = null;
  }
  // A scatter's point values ([points][ranges]) and levels.
  var COORDS = null, LEVELS = D.levels || null, MAXLEVEL = 0;
  if (SCATTER && typeof D.coords_f64 === 'string') {
    var cb = unbase64(D.coords_f64);
    if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1)
      for (var b2 = 0; b2 + 8 <= cb.length; b2 += 8) cb.subarray(b2, b2 + 8).reverse();
    COORDS = new Float64Array(cb.buffer);
    D.coords_f64 = null;
  } else if (SCATTER) {
    COORDS = D.coords;
  }
  if (LEVELS) LEVELS.forEach(function (l) { MAXLEVEL = Math.max(MAXLEVEL, l); });
  function level(k) { return LEVELS ? LEVELS[k] : 0; }
  function coord(k, r) { return COORDS[k * NR + r]; }
  function value(k, m) {
    if (F64) return F64[k * NM + m];
    var v = D.values[k * NM + m];
    if (v === null || v === undefined) return NaN;
    return typeof v === 'string' ? Number(v) : v;
  }
  var STATUS = { o: 'ok', f: 'failed', p: 'pending' };
  function status(k) { return STATUS[D.status.charAt(k)]; }

  // Numbers as the C code prints them: %.4g without "e+00".
  function fmt(v, digits) {
    if (!isFinite(v)) return String(v);
    if (v === 0) return '0';
    var s = Number(v.toPrecision(digits || 4)).toString();
    return s.replace('e+', 'e');
  }

  // ----------------------------------------------------------------- scales
  function radiusRange(L) {
    for (var i = 0; i < D.radius_table.length; i++)
      if (L <= D.radius_table[i][0]) return [D.radius_table[i][1], D.radius_table[i][2]];
    return [D.radius_last[0], D.radius_last[1]];
  }
  function fit(vals, mode) {
    var s = { log: false, lo: 0, hi: 0, min: NaN, max: NaN, minPositive: NaN, finite: 0, error: null };
    vals.forEach(function (v) {
      if (!isFinite(v)) return;
      if (s.finite === 0 || v < s.min) s.min = v;
      if (s.finite === 0 || v > s.max) s.max = v;
      if (v > 0 && !(v >= s.minPositive)) s.minPositive = v;
      s.finite++;
    });
    var negative = s.finite > 0 && s.min < 0;
    if (mode === 'log' && negative) {
      s.error = 'has values < 0: drawn on a linear scale';
      mode = 'linear';
    }
    var wide = !negative && s.minPositive > 0 &&
      Math.log10(s.max) - Math.log10(s.minPositive) >= D.auto_decades;
    s.log = mode === 'log' || (mode === 'auto' && wide);
    if (s.finite && s.log && s.minPositive > 0) {
      s.lo = Math.log10(s.minPositive);
      s.hi = Math.log10(s.max);
    } else if (s.finite && !s.log) {
      s.lo = s.min;
      s.hi = s.max;
    }
    return s;
  }
  function valid(s, v) { return isFinite(v) && (!s.log || v >= 0); }
  function unit(s, v) {
    if (!valid(s, v)) return NaN;
    if (!(s.hi > s.lo) || (s.log && v <= 0)) return 0;
    var t = s.log ? Math.log10(v) : v;
    return Math.min(1, Math.max(0, (t - s.lo) / (s.hi - s.lo)));
  }
  function paletteIndex(u) {
    return !(u > 0) ? 0 : u >= 1 ? D.palette.length - 1 : Math.floor(u * (D.palette.length - 1));
  }
  function colour(u) { return D.palette[paletteIndex(u)]; }
  function rgb(hex) {
    return [parseInt(hex.substr(1, 2), 16), parseInt(hex.substr(3, 2), 16), parseInt(hex.substr(5, 2), 16)];
  }
  function niceStep(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x))), f = x / p;
    return (f < 1.41 ? 1 : f < 3.16 ? 2 : f < 7.07 ? 5 : 10) * p;
  }
  function ticks(s, want) {
    if (!s.finite) return [];
    var span = s.hi - s.lo;
    if (!(span > 0)) return [s.lo];
    var step = niceStep(span / (want - 1));
    if (s.log && step < 1 && span >= 1) step = 1;
    while (span / step > 11) step *= 2;
    var out = [];
    for (var t = Math.ceil(s.lo / step - 1e-9) * step; t <= s.hi + step * 1e-9; t += step)
      out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    return out;
  }
  function tickLabel(s, t) {
    if (s.log && Math.abs(t - Math.round(t)) < 1e-9) {
      var e = Math.round(t);
      return e === 0 ? '1' : e === 1 ? '10' : '1e' + e;
    }
    return fmt(s.log ? Math.pow(10, t) : t);
  }

  // ------------------------------------------------------------------ state
  var state = {
    size: D.metrics.indexOf(D.initial.size),
    colour: D.metrics.indexOf(D.initial.colour),
    sizeScale: D.initial.size_scale,
    colourScale: D.initial.colour_scale,
    fixed: D.initial.fixed.slice(),
    x: D.initial.x,
    y: D.initial.y
  };

  // The view: axes, panels, scales (plot_pse_view_resolve).
  function resolve() {
    if (SCATTER) return resolveScatter();
    var v = { x: -1, y: -1, extra: [], fixed: state.fixed.slice(), note: '' };
    // --x and --y while their ranges are not fixed, then the first free.
    if (state.x >= 0 && v.fixed[state.x] < 0) v.x = state.x;
    if (state.y >= 0 && v.fixed[state.y] < 0 && state.y !== v.x) v.y = state.y;
    for (var r = 0; r < NR; r++) {
      if (v.fixed[r] >= 0 || r === v.x || r === v.y) continue;
      if (v.x < 0) v.x = r; else if (v.y < 0) v.y = r; else v.extra.push(r);
    }
    // The y range alone is left: it goes on x (a row).
    if (v.x < 0 && v.y >= 0) { v.x = v.y; v.y = -1; }
    if (v.x < 0) { v.error = 'Every range is fixed: choose "all" for at least one.'; return v; }
    v.panels = 1;
    v.extra.forEach(function (r) { v.panels *= D.ranges[r].values.length; });
    if (v.panels > D.max_panels) {
      // As slice_when_crowded in C: fix the extra ranges at their first values.
      v.note = v.panels + ' panels would be too many: showing the first value of ' +
        v.extra.map(function (r) { return D.ranges[r].name; }).join(', ') + ' (choose others above).';
      v.extra.forEach(function (r) { v.fixed[r] = 0; });
      v.extra = [];
      v.panels = 1;
    }
    v.nx = D.ranges[v.x].values.length;
    v.ny = v.y >= 0 ? D.ranges[v.y].values.length : 1;
    v.L = Math.max(v.nx, v.ny);
    var rr = radiusRange(v.L);
    v.rmin = rr[0]; v.rmax = rr[1];
    var count = v.panels * v.nx * v.ny, n = 0;
    var sizes = new Float64Array(count), colours = new Float64Array(count);
    var sx = STRIDE[v.x], sy = v.y >= 0 ? STRIDE[v.y] : 0;
    v.ok = v.failed = v.pending = 0;
    for (var p = 0; p < v.panels; p++) {
      var base = panelBase(v, p);
      for (var j = 0; j < v.ny; j++)
        for (var i = 0; i < v.nx; i++, n++) {
          var k = base + i * sx + j * sy, st = status(k);
          sizes[n] = st === 'ok' ? value(k, state.size) : NaN;
          colours[n] = st === 'ok' ? value(k, state.colour) : NaN;
          v[st]++;
        }
    }
    v.size = fit(sizes, state.sizeScale);
    v.colour = fit(colours, state.colourScale);
    return v;
  }
  // A scatter's view (plot_pse.c's s_scatter_view): every point, the
  // axes chosen, L from the density, each level counting 4^-level.
  function resolveScatter() {
    var v = { scatter: true, x: state.x, y: state.y, extra: [], fixed: [], panels: 1, note: '' };
    var off = [];
    for (var r = 0; r < NR; r++) if (r !== v.x && r !== v.y) off.push(D.ranges[r].name);
    if (off.length) v.note = off.join(', ') + ': not on an axis (choose above)';
    var weight = 0, shift = v.y >= 0 ? 2 : 1;
    for (var k = 0; k < points; k++) weight += Math.pow(2, -shift * level(k));
    v.L = Math.max(1, Math.ceil((v.y >= 0 ? Math.sqrt(weight) : weight) - 1e-9));
    v.nx = v.L;
    v.ny = v.y >= 0 ? v.L : 1;
    v.count = points;
    v.xlo = Number(D.ranges[v.x].lo); v.xhi = Number(D.ranges[v.x].hi);
    if (v.y >= 0) { v.ylo = Number(D.ranges[v.y].lo); v.yhi = Number(D.ranges[v.y].hi); }
    var rr = radiusRange(v.L);
    v.rmin = rr[0]; v.rmax = rr[1];
    var sizes = new Float64Array(points), colours = new Float64Array(points);
    v.ok = v.failed = v.pending = 0;
    for (k = 0; k < points; k++) {
      var st = status(k);
      sizes[k] = st === 'ok' ? value(k, state.size) : NaN;
      colours[k] = st === 'ok' ? value(k, state.colour) : NaN;
      v[st]++;
    }
    v.size = fit(sizes, state.sizeScale);
    v.colour = fit(colours, state.colourScale);
    return v;
  }
  // A scatter point's place in the plot area (plot_pse_scatter_place).
  function spot(v, lay, o, k) {
    var ux = v.xhi > v.xlo ? (coord(k, v.x) - v.xlo) / (v.xhi - v.xlo) : 0.5;
    var x = o[0] + lay.pad + ux * (lay.w - 2 * lay.pad);
    if (v.y < 0) return [x, o[1] + lay.h / 2];
    var uy = v.yhi > v.ylo ? (coord(k, v.y) - v.ylo) / (v.yhi - v.ylo) : 0.5;
    return [x, o[1] + lay.h - lay.pad - uy * (lay.h - 2 * lay.pad)];
  }
  // Round ticks of a scatter's axis: [offset px from the area's left or
  // top, label] (plot_pse_draw.c's s_scatter_ticks).
  function axisTicks(v, lay, y) {
    var lo = y ? v.ylo : v.xlo, hi = y ? v.yhi : v.xhi, len = y ? lay.h : lay.w;
    var s = { finite: 2, log: false, lo: lo, hi: hi };
    return ticks(s, len < 400 ? 4 : 9).map(function (t) {
      var u = hi > lo ? (t - lo) / (hi - lo) : 0.5;
      return [y ? len - lay.pad - u * (len - 2 * lay.pad) : lay.pad + u * (len - 2 * lay.pad), fmt(t)];
    });
  }

  // The point at (0, 0) of panel p: the fixed ranges' values and the
  // panel's, which count in the same row-major order as the points.
  function panelBase(v, p) {
    var k = 0;
    for (var r = 0; r < NR; r++) if (v.fixed[r] >= 0) k += v.fixed[r] * STRIDE[r];
    for (var e = v.extra.length - 1; e >= 0; e--) {
      var n = D.ranges[v.extra[e]].values.length;
      k += (p % n) * STRIDE[v.extra[e]];
      p = Math.floor(p / n);
    }
    return k;
  }
  function pointAt(v, p, i, j) {
    return panelBase(v, p) + i * STRIDE[v.x] + (v.y >= 0 ? j * STRIDE[v.y] : 0);
  }
  function coords(k) {
    var c = [];
    for (var r = NR - 1; r >= 0; r--) {
      var n = D.ranges[r].values.length;
      c[r] = k % n;
      k = Math.floor(k / n);
    }
    return c;
  }

  // ----------------------------------------------------------------- layout
  function el(name, attrs, parent, text) {
    var e = document.createElementNS(SVG, name);
    for (var a in attrs) e.setAttribute(a, attrs[a]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, size, anchor, baseline, bold) {
    return el('text', { x: x, y: y, 'font-size': size, 'text-anchor': anchor || 'start',
      'dominant-baseline': baseline || 'auto', 'font-weight': bold ? 'bold' : 'normal',
      fill: '#212121' }, parent, s);
  }
  function layout(v) {
    var lay = { cols: Math.ceil(Math.sqrt(v.panels)) };
    lay.rows = Math.ceil(v.panels / lay.cols);
    lay.side = L_.area;
    if (lay.cols > 1) lay.side = Math.max(L_.multi_min_side, L_.multi_width / lay.cols);
    var side = lay.side;
    var scale = D.radius_scale * lay.side / L_.area;
    if (v.L * L_.min_pitch > lay.side) lay.side = Math.min(v.L * L_.min_pitch, L_.max_side);
    lay.font = lay.cols > 2 ? 12 : 14;
    lay.pitch = lay.side / v.L;
    lay.w = lay.pitch * v.nx;
    lay.h = lay.pitch * v.ny;
    lay.rmax = Math.min(v.rmax * scale, lay.pitch / 2);
    lay.rmin = Math.min(v.rmin * scale, lay.rmax);
    if (v.y < 0) lay.h = Math.max(lay.h, L_.one_row_min, 2.6 * lay.rmax);
    lay.ux = lay.uy = lay.pitch;
    lay.dense = v.nx * v.ny > D.dense.points || lay.rmax < D.dense.min_radius;
    if (v.scatter) scatterArea(v, lay, side);
    else if (lay.dense) denseArea(v, lay, side);
    var longest = function (r) {
      return D.ranges[r].labels.reduce(function (a, s) { return Math.max(a, s.length); }, 0);
    };
    // Text widths estimated at 0.6 em per character: no canvas needed.
    if (v.scatter) {
      lay.left = (v.y >= 0 ? axisTicks(v, lay, true).reduce(function (a, t) {
        return Math.max(a, t[1].length);
      }, 0) * lay.font * 0.6 : 0) + 14 + 34;
    } else {
      lay.xstep = Math.max(1, Math.ceil((longest(v.x) * lay.font * 0.6 + 10) / lay.ux));
      lay.ystep = Math.max(1, Math.ceil(lay.font * 1.5 / lay.uy));
      lay.left = (v.y >= 0 ? longest(v.y) * lay.font * 0.6 : 0) + 14 + 34;
    }
    if (lay.dense) lay.left = Math.ceil(lay.left);
    lay.cellW = lay.left + lay.w + L_.panel_gap;
    lay.cellH = (v.extra.length ? L_.panel_title : 0) + lay.h + L_.axis_bottom;
    lay.legendX = L_.margin + lay.cols * lay.cellW;
    lay.width = Math.ceil(lay.legendX + L_.legend_w + L_.margin);
    lay.height = Math.ceil(L_.top + Math.max(lay.rows * lay.cellH, L_.legend_h) + L_.margin);
    return lay;
  }
  // A dense panel (plot_pse_draw.c's s_area): each axis fills the side
  // with cells of whole px, one px a cell past that, at most max_side /
  // columns cells (neighbours then share one).
  function denseArea(v, lay, side) {
    var cap = Math.floor(L_.max_side / lay.cols);
    function axis(n) {
      var cells = Math.min(n, cap);
      return [cells, Math.max(1, Math.floor(side / cells)) * cells];
    }
    var ax = axis(v.nx), ay = v.y >= 0 ? axis(v.ny) : [1, L_.one_row_min];
    lay.cellsX = ax[0]; lay.w = ax[1];
    lay.cellsY = ay[0]; lay.h = ay[1];
    lay.ux = lay.w / v.nx;
    lay.uy = lay.h / v.ny;
    lay.rmin = lay.rmax = 0;
  }
  // A scatter's plot area (plot_pse_draw.c's s_scatter_area): the side
  // (a row on one axis), a pad clear of the edges, and the dense rule on
  // its point count.
  function scatterArea(v, lay, side) {
    lay.dense = v.count > D.dense.points || lay.rmax < D.dense.min_radius;
    if (lay.dense) lay.rmin = lay.rmax = 0;
    lay.w = lay.h = side;
    if (v.y < 0) lay.h = Math.max(L_.one_row_min, 2.6 * lay.rmax);
    lay.square = Math.max(1, Math.floor(side / v.L));
    lay.pad = lay.dense ? Math.ceil(lay.square / 2) + 2 : lay.rmax + 4;
    lay.cellsX = v.nx; lay.cellsY = v.ny;
  }
  function origin(v, lay, p) {
    return [L_.margin + (p % lay.cols) * lay.cellW + lay.left,
      L_.top + Math.floor(p / lay.cols) * lay.cellH + (v.extra.length ? L_.panel_title : 0)];
  }
  function centre(v, lay, o, i, j) {
    return [o[0] + (i + 0.5) * lay.ux,
      v.y < 0 ? o[1] + lay.h / 2 : o[1] + lay.h - (j + 0.5) * lay.uy];
  }

  // ---------------------------------------------------------------- drawing
  function cross(parent, cx, cy, r, stroke, attrs) {
    var g = el('g', attrs || {}, parent), d = r / Math.SQRT2;
    var w = Math.max(1.5, r / 4);
    el('line', { x1: cx - d, y1: cy - d, x2: cx + d, y2: cy + d, stroke: stroke, 'stroke-width': w,
      'stroke-linecap': 'round' }, g);
    el('line', { x1: cx - d, y1: cy + d, x2: cx + d, y2: cy - d, stroke: stroke, 'stroke-width': w,
      'stroke-linecap': 'round' }, g);
    // A transparent disc under the cross makes the whole cell hoverable.
    el('circle', { cx: cx, cy: cy, r: r, fill: 'transparent', stroke: 'none' }, g);
    return g;
  }
  // Point k's marker at c, its radii divided by shrink (2^level).
  function marker(svg, v, lay, k, c, shrink) {
    var st = status(k), sv = value(k, state.size), cv = value(k, state.colour);
    var attrs = { 'class': 'pse-point', 'data-point': k, 'data-status': st };
    if (st === 'pending') {
      attrs['class'] += ' pse-pending';
      attrs.cx = c[0]; attrs.cy = c[1]; attrs.r = lay.rmax / 2 / shrink;
      attrs.fill = 'none'; attrs.stroke = '#8c8c8c';
      attrs['stroke-width'] = Math.max(1, lay.rmax / 12 / shrink);
      el('circle', attrs, svg);
    } else if (st === 'failed' || !valid(v.size, sv) || !valid(v.colour, cv)) {
      attrs['class'] += ' pse-cross';
      cross(svg, c[0], c[1], lay.rmax / 2 / shrink, st === 'failed' ? '#d62728' : '#595959', attrs);
    } else {
      attrs.cx = c[0]; attrs.cy = c[1];
      attrs.r = (lay.rmin + unit(v.size, sv) * (lay.rmax - lay.rmin)) / shrink;
      attrs.fill = colour(unit(v.colour, cv));
      attrs.stroke = '#000'; attrs['stroke-opacity'] = 0.35; attrs['stroke-width'] = 0.75;
      el('circle', attrs, svg);
    }
  }
  function markers(svg, v, lay, p) {
    var o = origin(v, lay, p);
    if (v.scatter) {
      // Level by level: finer points over coarser ones.
      for (var l = 0; l <= MAXLEVEL; l++)
        for (var k = 0; k < points; k++)
          if (level(k) === l) marker(svg, v, lay, k, spot(v, lay, o, k), Math.pow(2, l));
      return;
    }
    for (var j = 0; j < v.ny; j++)
      for (var i = 0; i < v.nx; i++) marker(svg, v, lay, pointAt(v, p, i, j), centre(v, lay, o, i, j), 1);
  }
  // A dense panel's cells into a canvas of one px a cell, by
  // plot_pse_raster.c's rule: the palette's colour of the point at the
  // cell's centre, or the highest mark (pending < NaN < failed) among the
  // points it covers. Counts every point's mark into counts.
  var PAL = D.palette.map(rgb);
  var MARKS = [null, rgb(D.marks.pending), rgb(D.marks.nan), rgb(D.marks.failed)];
  // A dense scatter's canvas of the plot area's pixels: squares in
  // plot_pse_scatter.c's order (values by level, then pending, NaN,
  // failed), and PICK, the point painted last at each pixel, plus one.
  var PICK = null;
  function scatterCells(v, lay, o, counts) {
    var c = document.createElement('canvas'), W = Math.round(lay.w), H = Math.round(lay.h);
    c.className = 'pse-cells';
    c.width = W;
    c.height = H;
    c.setAttribute('data-panel', 0);
    c.style.left = (100 * o[0] / lay.width) + '%';
    c.style.top = (100 * o[1] / lay.height) + '%';
    c.style.width = (100 * lay.w / lay.width) + '%';
    c.style.height = (100 * lay.h / lay.height) + '%';
    var ctx = c.getContext('2d'), img = ctx.createImageData(W, H), px = img.data;
    PICK = new Int32Array(W * H);
    var marks = new Uint8Array(points), m = state.colour, scale = v.colour, k;
    for (k = 0; k < points; k++) {
      var st = D.status.charCodeAt(k);
      marks[k] = st === 112 ? 1 : st === 102 ? 3 : valid(scale, value(k, m)) ? 0 : 2;
    }
    var at = { pad: lay.pad, w: W, h: H };
    for (var pass = 0; pass <= MAXLEVEL + 3; pass++) {
      var values = pass <= MAXLEVEL;
      for (k = 0; k < points; k++) {
        var l = level(k);
        if (values ? marks[k] !== 0 || l !== pass : marks[k] !== pass - MAXLEVEL) continue;
        counts[marks[k]]++;
        var a = Math.max(1, Math.round(lay.square / Math.pow(2, l)));
        var b = v.y >= 0 ? a : Math.max(a, H / 3);
        var q = spot(v, at, [0, 0], k);
        var col = values ? PAL[paletteIndex(unit(scale, value(k, m)))] : MARKS[marks[k]];
        var x0 = Math.round(q[0] - a / 2), y0 = Math.round(q[1] - b / 2);
        for (var y = Math.max(0, y0); y < Math.min(H, y0 + b); y++)
          for (var x = Math.max(0, x0); x < Math.min(W, x0 + a); x++) {
            var i = 4 * (y * W + x);
            px[i] = col[0]; px[i + 1] = col[1]; px[i + 2] = col[2]; px[i + 3] = 255;
            PICK[y * W + x] = k + 1;
          }
      }
    }
    ctx.putImageData(img, 0, 0);
    return c;
  }
  function cells(v, lay, p, counts) {
    if (v.scatter) return scatterCells(v, lay, origin(v, lay, p), counts);
    var o = origin(v, lay, p), c = document.createElement('canvas');
    var W = lay.cellsX, H = lay.cellsY;
    c.className = 'pse-cells';
    c.width = W;
    c.height = H;
    c.setAttribute('data-panel', p);
    c.setAttribute('data-nx', v.nx);
    c.setAttribute('data-ny', v.ny);
    c.style.left = (100 * o[0] / lay.width) + '%';
    c.style.top = (100 * o[1] / lay.height) + '%';
    c.style.width = (100 * lay.w / lay.width) + '%';
    c.style.height = (100 * lay.h / lay.height) + '%';
    var ctx = c.getContext('2d'), img = ctx.createImageData(W, H), px = img.data;
    var base = panelBase(v, p), sx = STRIDE[v.x], sy = v.y >= 0 ? STRIDE[v.y] : 0;
    var s = D.status, m = state.colour, scale = v.colour;
    for (var row = 0; row < H; row++) {
      var cy = H - 1 - row, j0 = Math.floor(cy * v.ny / H), j1 = Math.floor((cy + 1) * v.ny / H);
      var jc = j0 + Math.floor((j1 - j0) / 2);
      for (var cx = 0; cx < W; cx++) {
        var i0 = Math.floor(cx * v.nx / W), i1 = Math.floor((cx + 1) * v.nx / W);
        var ic = i0 + Math.floor((i1 - i0) / 2), worst = 0, mid = NaN;
        for (var j = j0; j < j1; j++)
          for (var i = i0; i < i1; i++) {
            var k = base + i * sx + j * sy, st = s.charCodeAt(k), mark, x = NaN;
            if (st === 112) mark = 1; // 'p'
            else if (st === 102) mark = 3; // 'f'
            else {
              x = value(k, m);
              mark = valid(scale, x) ? 0 : 2;
            }
            counts[mark]++;
            if (mark > worst) worst = mark;
            if (i === ic && j === jc) mid = x;
          }
        var col = worst ? MARKS[worst] : PAL[paletteIndex(unit(scale, mid))], q = 4 * (row * W + cx);
        px[q] = col[0];
        px[q + 1] = col[1];
        px[q + 2] = col[2];
        px[q + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    return c;
  }
  function axes(svg, grid, v, lay, p) {
    var o = origin(v, lay, p), i, j, c;
    if (v.scatter) {
      axisTicks(v, lay, false).forEach(function (t) {
        el('line', { x1: o[0] + t[0], y1: o[1], x2: o[0] + t[0], y2: o[1] + lay.h }, grid);
        el('line', { x1: o[0] + t[0], y1: o[1] + lay.h, x2: o[0] + t[0], y2: o[1] + lay.h + 6,
          stroke: '#212121' }, svg);
        text(svg, o[0] + t[0], o[1] + lay.h + 9 + lay.font, t[1], lay.font, 'middle');
      });
      if (v.y >= 0)
        axisTicks(v, lay, true).forEach(function (t) {
          el('line', { x1: o[0], y1: o[1] + t[0], x2: o[0] + lay.w, y2: o[1] + t[0] }, grid);
          el('line', { x1: o[0] - 6, y1: o[1] + t[0], x2: o[0], y2: o[1] + t[0], stroke: '#212121' }, svg);
          text(svg, o[0] - 9, o[1] + t[0], t[1], lay.font, 'end', 'middle');
        });
    }
    for (i = 0; i < v.nx && !v.scatter; i += lay.xstep) {
      c = centre(v, lay, o, i, 0);
      el('line', { x1: c[0], y1: o[1], x2: c[0], y2: o[1] + lay.h }, grid);
      el('line', { x1: c[0], y1: o[1] + lay.h, x2: c[0], y2: o[1] + lay.h + 6, stroke: '#212121' }, svg);
      text(svg, c[0], o[1] + lay.h + 9 + lay.font, D.ranges[v.x].labels[i], lay.font, 'middle');
    }
    if (v.y >= 0 && !v.scatter)
      for (j = 0; j < v.ny; j += lay.ystep) {
        c = centre(v, lay, o, 0, j);
        el('line', { x1: o[0], y1: c[1], x2: o[0] + lay.w, y2: c[1] }, grid);
        el('line', { x1: o[0] - 6, y1: c[1], x2: o[0], y2: c[1], stroke: '#212121' }, svg);
        text(svg, o[0] - 9, c[1], D.ranges[v.y].labels[j], lay.font, 'end', 'middle');
      }
    var out = lay.dense && !v.scatter ? 0.5 : 0; // a dense view's frame goes round its cells
    el('rect', { x: o[0] - out, y: o[1] - out, width: lay.w + 2 * out, height: lay.h + 2 * out, fill: 'none',
      stroke: '#212121' }, svg);
    text(svg, o[0] + lay.w / 2, o[1] + lay.h + 20 + lay.font * 2.2, D.ranges[v.x].name, 17, 'middle',
      'auto', true);
    if (v.y >= 0) {
      var yt = text(svg, 0, 0, D.ranges[v.y].name, 17, 'middle', 'middle', true);
      yt.setAttribute('transform', 'translate(' + (o[0] - lay.left + 14) + ',' + (o[1] + lay.h / 2) +
        ') rotate(-90)');
    }
    if (v.extra.length) {
      var c2 = coords(pointAt(v, p, 0, 0));
      text(svg, o[0], o[1] - 10, v.extra.map(function (r) {
        return D.ranges[r].name + ' = ' + D.ranges[r].labels[c2[r]];
      }).join(', '), 16, 'start', 'auto', true);
    }
  }
  function scaleName(s) {
    return (s.log ? 'log scale' + (s.min <= 0 ? ', 0 at the bottom' : '') : 'linear scale') +
      (s.error ? ', ' + s.error : '');
  }
  function legend(svg, v, lay) {
    var x = lay.legendX, y = L_.top, s = v.colour, h = 280, w = 26;
    text(svg, x, y + 14, 'Colour', 14);
    text(svg, x, y + 34, D.metrics[state.colour], 15, 'start', 'auto', true);
    text(svg, x, y + 54, '(' + scaleName(s) + ')', 13);
    var top = y + 66;
    if (!s.finite) {
      text(svg, x, top + 14, 'no finite values', 14);
      top += 30;
    } else {
      for (var i = 0; i < D.palette.length; i++)
        el('rect', { x: x, y: top + h - (i + 1) * h / D.palette.length, width: w,
          height: h / D.palette.length + 0.5, fill: D.palette[i] }, svg);
      el('rect', { x: x, y: top, width: w, height: h, fill: 'none', stroke: '#212121' }, svg);
      ticks(s, 7).forEach(function (t) {
        var ty = top + h - (s.hi > s.lo ? (t - s.lo) / (s.hi - s.lo) : 0) * h;
        el('line', { x1: x + w, y1: ty, x2: x + w + 5, y2: ty, stroke: '#212121' }, svg);
        text(svg, x + w + 9, ty, tickLabel(s, t), 13, 'start', 'middle');
      });
      text(svg, x, top + h + 22, 'range ' + fmt(s.min) + ' .. ' + fmt(s.max), 12);
      top += h + 40;
    }
    if (lay.dense) {
      denseKeys(svg, v, lay, x, top);
      return;
    }
    var z = v.size;
    text(svg, x, top + 14, 'Size', 14);
    text(svg, x, top + 34, D.metrics[state.size], 15, 'start', 'auto', true);
    text(svg, x, top + 54, '(' + scaleName(z) + ')', 13);
    y = top + 66;
    if (!z.finite) {
      text(svg, x, y + 14, 'no finite values', 14);
      y += 30;
    } else {
      var fs = z.hi > z.lo ? [1, 0.5, 0] : [0];
      fs.forEach(function (f) {
        var r = lay.rmin + f * (lay.rmax - lay.rmin), cy = y + Math.max(r, 8);
        var t = f === 1 ? z.hi : f === 0 ? z.lo : z.lo + (z.hi - z.lo) * f;
        el('circle', { cx: x + lay.rmax, cy: cy, r: r, fill: '#9e9e9e', stroke: '#000',
          'stroke-opacity': 0.35, 'stroke-width': 0.75 }, svg);
        text(svg, x + 2 * lay.rmax + 12, cy, fmt(z.log ? Math.pow(10, t) : t), 13, 'start', 'middle');
        y = cy + Math.max(r, 8) + 8;
      });
    }
    y += 16;
    var r = Math.max(lay.rmax / 2, 6);
    [['failed', v.failed, '#d62728'], ['NaN or infinite metric', v.nan, '#595959'],
      ['pending (no result yet)', v.pending, null]].forEach(function (key) {
      if (!key[1]) return;
      if (key[2]) cross(svg, x + r, y + r, r, key[2]);
      else el('circle', { cx: x + r, cy: y + r, r: r, fill: 'none', stroke: '#8c8c8c',
        'stroke-width': Math.max(1, r / 6) }, svg);
      text(svg, x + 2 * r + 12, y + r, key[0] + ' (' + key[1] + ')', 13, 'start', 'middle');
      y += 2 * r + 12;
    });
  }

  // A dense view's legend below the colour bar: why there is no size, and
  // the marks' colours (plot_pse_draw.c's s_size_note and s_cell_keys).
  function denseKeys(svg, v, lay, x, y) {
    text(svg, x, y + 14, 'Size', 14);
    text(svg, x, y + 34, D.metrics[state.size] + ': not drawn', 15, 'start', 'auto', true);
    [v.scatter ? 'one square per point: too many' : 'one cell per point: too many',
      'points for discs to read;', 'choose it as the colour above']
      .forEach(function (line, i) { text(svg, x, y + 54 + 18 * i, line, 13); });
    y += 54 + 18 * 3 + 10;
    [['failed', v.failed, D.marks.failed], ['NaN or infinite metric', v.nan, D.marks.nan],
      ['pending (no result yet)', v.pending, D.marks.pending]].forEach(function (key) {
      if (!key[1]) return;
      el('rect', { x: x, y: y, width: 14, height: 14, fill: key[2], stroke: '#212121' }, svg);
      text(svg, x + 26, y + 7, key[0] + ' (' + key[1] + ')', 13, 'start', 'middle');
      y += 26;
    });
    if (!v.scatter && (lay.cellsX < v.nx || lay.cellsY < v.ny))
      ['More values than pixels: a pixel', 'shows its middle point, or a failed,',
        'NaN or pending one it covers.'].forEach(function (line, i) {
        text(svg, x, y + 22 + 18 * i, line, 13);
      });
  }

  function render() {
    var v = resolve(), box = document.getElementById('pse-view');
    box.textContent = '';
    document.getElementById('pse-note').textContent = v.error || v.note;
    if (v.error) return;
    var lay = layout(v);
    var svg = el('svg', { xmlns: SVG, width: lay.width, height: lay.height,
      viewBox: '0 0 ' + lay.width + ' ' + lay.height, 'font-family': 'DejaVu Sans, Verdana, sans-serif' });
    el('rect', { x: 0, y: 0, width: lay.width, height: lay.height, fill: '#fff' }, svg);
    // A dense grid's cells cover the grid lines: they go nowhere.
    var grid = el('g', { stroke: '#e6e6e6', 'stroke-width': 1 }, lay.dense && !v.scatter ? null : svg);
    var group = el('g', { id: 'pse-markers' }, svg), canvases = [], p;
    if (lay.dense) {
      var counts = [0, 0, 0, 0];
      for (p = 0; p < v.panels; p++) canvases.push(cells(v, lay, p, counts));
      v.nan = counts[2];
    } else {
      for (p = 0; p < v.panels; p++) markers(group, v, lay, p);
    }
    for (p = 0; p < v.panels; p++) axes(svg, grid, v, lay, p);
    if (!lay.dense) v.nan = group.querySelectorAll('.pse-cross[data-status="ok"]').length;
    legend(svg, v, lay);
    if (lay.dense) {
      // The canvases lie over the SVG in % of its size, so they follow it
      // when the page scales it down.
      var stack = document.createElement('div');
      stack.className = 'pse-stack';
      stack.style.maxWidth = lay.width + 'px';
      stack.appendChild(svg);
      canvases.forEach(function (c) { stack.appendChild(c); });
      hoverBox = document.createElement('div');
      hoverBox.id = 'pse-hover';
      hoverBox.hidden = true;
      stack.appendChild(hoverBox);
      box.appendChild(stack);
    } else {
      box.appendChild(svg);
    }
    var shown = v.ok + v.failed + v.pending;
    document.getElementById('pse-summary').textContent = shown + ' points on view: ' + v.ok + ' ok, ' +
      v.failed + ' failed, ' + v.pending + ' pending (' + points + ' in the sweep)' +
      (lay.dense ? (v.scatter ? '; one square per point' : '; one cell per point') : '');
    v.dense = lay.dense;
    state.view = v;
    state.lay = lay;
  }

  // ---------------------------------------------------------------- tooltip
  var tip = document.getElementById('pse-tooltip');
  function tooltip(k) {
    var c = SCATTER ? null : coords(k), st = status(k), v = state.view, rows = [];
    tip.textContent = '';
    var head = document.createElement('div');
    head.className = 'pse-tip-head';
    head.textContent = 'point ' + k + ' (' + st + ')';
    tip.appendChild(head);
    var table = document.createElement('table');
    function row(name, val, used) {
      var tr = document.createElement('tr'), a = document.createElement('td'), b = document.createElement('td');
      a.textContent = name;
      b.textContent = val;
      if (used) tr.className = 'pse-tip-used';
      tr.appendChild(a);
      tr.appendChild(b);
      table.appendChild(tr);
      rows.push(tr);
    }
    for (var r = 0; r < NR; r++)
      row(D.ranges[r].name, String(SCATTER ? coord(k, r) : D.ranges[r].values[c[r]]));
    if (LEVELS) row('refinement level', String(level(k)));
    if (st === 'ok') {
      var bad = false, size = v.dense ? -1 : state.size;
      for (var m = 0; m < NM; m++) {
        var x = value(k, m), used = m === size ? ' (size)' : m === state.colour ? ' (colour)' : '';
        if (m === size && m === state.colour) used = ' (size, colour)';
        if ((m === size || m === state.colour) && !isFinite(x)) bad = true;
        row(D.metrics[m] + used, isFinite(x) ? String(x) : String(x), !!used);
      }
      if (bad) row('', 'metric has NaN or infinite values: drawn as a ' + (v.dense ? 'grey cell' : 'cross'));
    } else {
      row('metrics', st === 'failed' ? 'none: the simulation failed' : 'none yet: pending');
    }
    tip.appendChild(table);
    tip.hidden = false;
  }
  function place(ev) {
    var x = ev.clientX + 16, y = ev.clientY + 16;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = Math.max(4, ev.clientX - w - 16);
    if (y + h > window.innerHeight - 4) y = Math.max(4, ev.clientY - h - 16);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  var view = document.getElementById('pse-view');
  view.addEventListener('mouseover', function (ev) {
    var t = ev.target.closest ? ev.target.closest('.pse-point') : null;
    if (!t) return;
    tooltip(Number(t.getAttribute('data-point')));
    place(ev);
  });
  // A dense view: the cell under the mouse, from its place in the canvas.
  var hoverBox = null, hoverK = -1;
  function cellAt(c, ev) {
    var v = state.view, lay = state.lay, r = c.getBoundingClientRect();
    if (v.scatter) return scatterAt(c, ev, v, lay, r);
    var i = Math.floor((ev.clientX - r.left) / r.width * v.nx);
    var row = Math.floor((ev.clientY - r.top) / r.height * v.ny);
    i = Math.min(v.nx - 1, Math.max(0, i));
    row = Math.min(v.ny - 1, Math.max(0, row));
    var p = Number(c.getAttribute('data-panel')), o = origin(v, lay, p);
    hoverBox.style.left = (100 * (o[0] + i * lay.ux) / lay.width) + '%';
    hoverBox.style.top = (100 * (o[1] + row * lay.uy) / lay.height) + '%';
    hoverBox.style.width = (100 * lay.ux / lay.width) + '%';
    hoverBox.style.height = (100 * lay.uy / lay.height) + '%';
    hoverBox.hidden = false;
    return pointAt(v, p, i, v.ny - 1 - row);
  }
  // A dense scatter: the point painted last at the pixel under the
  // mouse, outlined; -1 where none is.
  function scatterAt(c, ev, v, lay, r) {
    var x = Math.floor((ev.clientX - r.left) / r.width * c.width);
    var y = Math.floor((ev.clientY - r.top) / r.height * c.height);
    x = Math.min(c.width - 1, Math.max(0, x));
    y = Math.min(c.height - 1, Math.max(0, y));
    var k = PICK ? PICK[y * c.width + x] - 1 : -1;
    if (k < 0) {
      hoverBox.hidden = true;
      return -1;
    }
    var o = origin(v, lay, 0), q = spot(v, lay, o, k), a = Math.max(2, lay.square / Math.pow(2, level(k)));
    hoverBox.style.left = (100 * (q[0] - a / 2) / lay.width) + '%';
    hoverBox.style.top = (100 * (q[1] - a / 2) / lay.height) + '%';
    hoverBox.style.width = (100 * a / lay.width) + '%';
    hoverBox.style.height = (100 * a / lay.height) + '%';
    hoverBox.hidden = false;
    return k;
  }
  view.addEventListener('mousemove', function (ev) {
    var c = ev.target;
    if (c.classList && c.classList.contains('pse-cells')) {
      var k = cellAt(c, ev);
      if (k < 0) {
        tip.hidden = true;
        hoverK = -1;
        return;
      }
      if (k !== hoverK || tip.hidden) tooltip(k);
      hoverK = k;
      place(ev);
    } else if (!tip.hidden) {
      place(ev);
    }
  });
  view.addEventListener('mouseout', function (ev) {
    if (ev.target.classList && ev.target.classList.contains('pse-cells')) {
      tip.hidden = true;
      if (hoverBox) hoverBox.hidden = true;
      hoverK = -1;
      return;
    }
    var t = ev.target.closest ? ev.target.closest('.pse-point') : null;
    var to = ev.relatedTarget && ev.relatedTarget.closest ? ev.relatedTarget.closest('.pse-point') : null;
    if (t && t !== to) tip.hidden = true;
  });

  // --------------------------------------------------------------- controls
  function select(id, label, options, selected, onchange) {
    var lab = document.createElement('label'), s = document.createElement('select');
    lab.textContent = label;
    s.id = id;
    options.forEach(function (o) {
      var opt = document.createElement('option');
      opt.value = o[0];
      opt.textContent = o[1];
      if (String(o[0]) === String(selected)) opt.selected = true;
      s.appendChild(opt);
    });
    s.addEventListener('change', function () { onchange(s.value); render(); syncSlices(); });
    lab.appendChild(s);
    document.getElementById('pse-controls').appendChild(lab);
    return s;
  }
  var metricOptions = D.metrics.map(function (m, i) { return [i, m]; });
  var scaleOptions = [['auto', 'auto'], ['linear', 'linear'], ['log', 'log']];
  select('pse-size', 'Size', metricOptions, state.size, function (x) { state.size = Number(x); });
  select('pse-size-scale', 'size scale', scaleOptions, state.sizeScale, function (x) { state.sizeScale = x; });
  select('pse-colour', 'Colour', metricOptions, state.colour, function (x) { state.colour = Number(x); });
  select('pse-colour-scale', 'colour scale', scaleOptions, state.colourScale, function (x) { state.colourScale = x; });
  // A range of more than SELECT_MAX values is sliced by the index of its
  // value in a number field (-1: all) with the value shown beside it: a
  // <select> of a million options took Chromium minutes.
  var SELECT_MAX = 1000;
  function indexField(id, range, selected, onchange) {
    var lab = document.createElement('label'), s = document.createElement('input');
    var shown = document.createElement('span');
    lab.textContent = range.name + ' (value index, -1 all)';
    s.id = id;
    s.type = 'number';
    s.min = -1;
    s.max = range.values.length - 1;
    s.step = 1;
    s.value = String(selected);
    function show() {
      var i = Number(s.value);
      shown.textContent = i >= 0 && i < range.values.length ? '= ' + range.labels[i] : 'all';
    }
    s.addEventListener('change', function () {
      var i = Math.round(Number(s.value));
      if (!(i >= -1 && i < range.values.length)) i = -1;
      s.value = String(i);
      onchange(i);
      show();
      render();
      syncSlices();
    });
    s.show = show;
    show();
    lab.appendChild(s);
    lab.appendChild(shown);
    document.getElementById('pse-controls').appendChild(lab);
    return s;
  }
  // The axes: two menus. A grid's range chosen for an axis is no longer
  // fixed; the other axis keeps its range, or takes the one given up.
  // y "none" draws one row (a grid then takes the first range free).
  var axisOptions = D.ranges.map(function (range, r) { return [r, range.name]; });
  function chooseAxis(which, r) {
    var v = state.view, x = v ? v.x : state.x, y = v ? v.y : state.y;
    if (which === 'x') {
      if (r === y) y = x;
      x = r;
    } else {
      if (r === x) x = y;
      y = r;
    }
    state.x = x;
    state.y = y;
    if (!SCATTER) [x, y].forEach(function (q) { if (q >= 0) state.fixed[q] = -1; });
  }
  if (NR > 1) {
    select('pse-x', 'x axis', axisOptions, state.x, function (r) { chooseAxis('x', Number(r)); });
    select('pse-y', 'y axis', [[-1, 'none']].concat(axisOptions), state.y,
      function (r) { chooseAxis('y', Number(r)); });
  }
  function syncAxes() {
    var v = state.view, sx = document.getElementById('pse-x'), sy = document.getElementById('pse-y');
    if (sx && v && !v.error) sx.value = String(v.x);
    if (sy && v && !v.error) sy.value = String(v.y);
  }
  var sliceSelects = [];
  D.ranges.forEach(function (range, r) {
    if (SCATTER) return;
    var set = function (x) { state.fixed[r] = Number(x); }, s;
    if (range.values.length > SELECT_MAX) {
      s = indexField('pse-slice-' + r, range, state.fixed[r], set);
    } else {
      var opts = [[-1, 'all']].concat(range.labels.map(function (l, i) { return [i, l]; }));
      s = select('pse-slice-' + r, range.name, opts, state.fixed[r], set);
    }
    s.className = 'pse-slice';
    s.setAttribute('data-range', r);
    sliceSelects.push(s);
  });
  // A crowded view fixes ranges by itself: show that in the selects.
  function syncSlices() {
    var v = state.view;
    if (!v) return;
    sliceSelects.forEach(function (s, r) {
      if (v.fixed[r] !== undefined && v.fixed[r] !== state.fixed[r]) state.fixed[r] = v.fixed[r];
      if (s.value !== String(state.fixed[r])) {
        s.value = String(state.fixed[r]);
        if (s.show) s.show();
      }
    });
    syncAxes();
  }
  document.getElementById('pse-noscript').remove();
  render();
  syncSlices();
})();
