/*  client_plot_source.c - reading a sweep for `brainsweep plot` from an
    export zip or a broker (client_plot.h).

    From a zip the metrics come from metrics.csv (one row per point, with
    its status; numbers in Python repr, which strtod reads, NaN and
    Infinity included) and the ranges from sweep.json, parsed by the same
    spec parser as a submission. metrics.csv is read a megabyte at a time,
    line by line (s_reader_t), not whole: for a million points with four
    metrics it is 73 MB of text against the plot's 32 MB of doubles, and
    reading it whole took `plot FILE.zip -o pse.png` to a peak of 118 MB
    instead of 63. From a broker, RESULTS pages list the
    finished points; the first page carries the spec (with_spec).

    A sweep that is no grid (a sampling design or a point list:
    spec_is_grid false), or a zip whose metrics.csv has a `level` column
    (a refinement family: a grid and its refinements in one zip), is a
    scatter (plot_pse_new_scatter): each point appended at the values of
    its axis columns (from a broker, spec_point_values) with its level,
    so metrics.csv's rows must number the points 0, 1, 2, ... in order.
    The axes' bounds are the spec's (a grid's: its smallest and largest
    values); points beyond them widen them.

    Paging: each page asks from one past the last point listed, and the
    pages end when one lists nothing or reaches the sweep's last point,
    not when one comes back shorter than asked (PROTOCOL.md's rule): a
    broker that caps pages below CLIENT_PLOT_PAGE_POINTS would otherwise
    cut the plot short without a word. The cost is one empty page at the
    end of a sweep with pending points. A page that does not move forward
    is an error, so a confused broker cannot keep the client looping. A
    million points are 20 pages of 50,000 (~2.6 MB each), held one at a
    time: memory is the plot's (points x metrics doubles), not the
    replies'.
*/
#include "client_plot.h"
#include "client_sweep.h"
#include "sim_metric.h"

#include "bsw_util.h"

#include <czmq.h>
#include <zip.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_ENTRY_MAX_BYTES (1ull << 31) /* a whole entry read into memory */
#define S_CSV_CHUNK       (1u << 20)   /* metrics.csv is read this much at a time ... */
#define S_CSV_LINE_MAX    S_CSV_CHUNK  /* ... so no line may be longer */
#define S_COLUMNS_MAX     64

size_t
client_plot_metric_names (const spec_t *spec, const char *names[5])
{
    return sim_metric_names (spec->setup.n_voi, names);
}

//  --------------------------------------------------------------------------
//  Zip

static int
s_zip_open (const char *path, zip_t **za, bsw_error_t *err)
{
    int zerr = 0;
    *za = zip_open (path, ZIP_RDONLY, &zerr);
    if (*za)
        return 0;
    zip_error_t ze;
    zip_error_init_with_code (&ze, zerr);
    int rc =
        bsw_error_set (err, BSW_EIO, "%s: cannot read the zip: %s", path, zip_error_strerror (&ze));
    zip_error_fini (&ze);
    return rc;
}

//  A whole entry, NUL-terminated. Caller frees *bytes_p.
static int
s_zip_entry (zip_t *za, const char *zip_path, const char *name, char **bytes_p, size_t *size_p,
             bsw_error_t *err)
{
    zip_stat_t st;
    *bytes_p = NULL;
    if (zip_stat (za, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return bsw_error_set (err, BSW_EFORMAT, "%s: no %s in the zip (is it a brainsweep export?)",
                              zip_path, name);
    if (st.size > S_ENTRY_MAX_BYTES)
        return bsw_error_set (err, BSW_ETOOBIG, "%s: %s is too large (%" PRIu64 " bytes)", zip_path,
                              name, (uint64_t) st.size);
    zip_file_t *f = zip_fopen (za, name, 0);
    char *bytes = bsw_malloc ((size_t) st.size + 1);
    zip_int64_t got = f ? zip_fread (f, bytes, st.size) : -1;
    if (f)
        zip_fclose (f);
    if (got < 0 || (zip_uint64_t) got != st.size) {
        free (bytes);
        return bsw_error_set (err, BSW_EIO, "%s: cannot read %s", zip_path, name);
    }
    bytes[st.size] = '\0';
    *bytes_p = bytes;
    if (size_p)
        *size_p = (size_t) st.size;
    return 0;
}

//  The sweep's name for titles: the spec's, else the zip's file name.
static char *
s_title (const spec_t *spec, const char *fallback)
{
    const char *base = strrchr (fallback, '/');
    base = base ? base + 1 : fallback;
    size_t n = strlen (base) + (spec->name ? strlen (spec->name) : 0) + 8;
    char *title = bsw_malloc (n);
    if (spec->name && *spec->name)
        snprintf (title, n, "%s (%s)", spec->name, base);
    else
        snprintf (title, n, "%s", base);
    return title;
}

int
client_plot_new_scatter (const spec_t *spec, const char *title, const char *const *metrics,
                         size_t n_metrics, plot_pse_t **pse_p, bsw_error_t *err)
{
    plot_axis_t axes[PLOT_PSE_MAX_RANGES];
    for (size_t r = 0; r < spec->n_ranges && r < PLOT_PSE_MAX_RANGES; r++) {
        const spec_range_t *range = &spec->ranges[r];
        axes[r] = (plot_axis_t){range->parameter, range->lo, range->hi};
        if (range->n_values == 0)
            continue;
        //  A grid's values, in any order ("values" lists need none).
        axes[r].lo = axes[r].hi = range->values[0];
        for (size_t i = 1; i < range->n_values; i++) {
            axes[r].lo = fmin (axes[r].lo, range->values[i]);
            axes[r].hi = fmax (axes[r].hi, range->values[i]);
        }
    }
    return plot_pse_new_scatter (pse_p, title, axes, spec->n_ranges, metrics, n_metrics, err);
}

int
client_plot_add_sweep (plot_pse_t *pse, const spec_t *axes, const spec_t *spec, unsigned level,
                       bsw_error_t *err)
{
    uint64_t points = spec_points (spec);
    if (points > PLOT_PSE_MAX_POINTS - plot_pse_points (pse))
        return bsw_error_set (err, BSW_ETOOBIG,
                              "the sweep has more than %d points: too many to plot",
                              PLOT_PSE_MAX_POINTS);
    //  map[c]: spec's range of the plot's axis c, matched by name (a
    //  refinement may list its parameters in another order).
    size_t map[PLOT_PSE_MAX_RANGES];
    bool same = spec->n_ranges == axes->n_ranges && axes->n_ranges <= PLOT_PSE_MAX_RANGES;
    for (size_t c = 0; same && c < axes->n_ranges; c++) {
        map[c] = 0;
        while (map[c] < spec->n_ranges &&
               strcmp (spec->ranges[map[c]].parameter, axes->ranges[c].parameter) != 0)
            map[c]++;
        same = map[c] < spec->n_ranges;
    }
    if (!same)
        return bsw_error_set (err, BSW_EFORMAT,
                              "a sweep of level %u does not range over the parameters of the "
                              "plot's first sweep",
                              level);
    double values[PLOT_PSE_MAX_RANGES], mapped[PLOT_PSE_MAX_RANGES];
    int rc = 0;
    for (uint64_t k = 0; rc == 0 && k < points; k++) {
        spec_point_values (spec, k, values);
        for (size_t c = 0; c < axes->n_ranges; c++)
            mapped[c] = values[map[c]];
        rc = plot_pse_add_point (pse, mapped, level, NULL, err);
    }
    return rc;
}

static int
s_new_plot (const spec_t *spec, const char *title, const char *const *metrics, size_t n_metrics,
            plot_pse_t **pse_p, bsw_error_t *err)
{
    //  plot_pse_new refuses more than PLOT_PSE_MAX_RANGES before reading any.
    plot_range_t ranges[PLOT_PSE_MAX_RANGES];
    for (size_t r = 0; r < spec->n_ranges && r < PLOT_PSE_MAX_RANGES; r++)
        ranges[r] = (plot_range_t){spec->ranges[r].parameter, spec->ranges[r].values,
                                   spec->ranges[r].n_values};
    return plot_pse_new (pse_p, title, ranges, spec->n_ranges, metrics, n_metrics, err);
}

//  Splits one CSV line in place on ',' (no quoting: brainsweep writes
//  none). Returns the number of fields.
static size_t
s_split (char *line, char **fields, size_t max)
{
    size_t n = 0;
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *comma = strchr (p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static double
s_number (const char *field)
{
    if (!*field)
        return NAN;
    char *end;
    double v = strtod (field, &end);
    return *end ? NAN : v;
}

//  A zip entry's lines, read S_CSV_CHUNK bytes at a time.
typedef struct {
    zip_file_t *file; /* the open entry */
    char *buf;        /* S_CSV_CHUNK + 1 bytes */
    size_t start;     /* first unread byte in buf */
    size_t end;       /* one past the last byte read into buf */
    bool eof;         /* the entry is read to its end */
    bool failed;      /* a read failed, or a line is over S_CSV_LINE_MAX */
} s_reader_t;

//  The next non-empty line without its "\r\n" (valid until the next call),
//  or NULL at the end or on failure (reader->failed).
static char *
s_line (s_reader_t *reader)
{
    while (true) {
        char *base = reader->buf + reader->start;
        char *nl = memchr (base, '\n', reader->end - reader->start);
        if (nl || (reader->eof && reader->start < reader->end)) {
            char *end = nl ? nl : reader->buf + reader->end;
            reader->start = (size_t) (end - reader->buf) + (nl ? 1 : 0);
            *end = '\0';
            if (end > base && end[-1] == '\r')
                end[-1] = '\0';
            if (*base)
                return base;
            continue;
        }
        if (reader->eof)
            return NULL;
        //  Keep the partial line, move it to the front, read more behind it.
        size_t rest = reader->end - reader->start;
        if (rest >= S_CSV_LINE_MAX) {
            reader->failed = true;
            return NULL;
        }
        memmove (reader->buf, base, rest);
        reader->start = 0;
        reader->end = rest;
        zip_int64_t got = zip_fread (reader->file, reader->buf + rest, S_CSV_CHUNK - rest);
        if (got < 0) {
            reader->failed = true;
            return NULL;
        }
        reader->eof = got == 0;
        reader->end += (size_t) got;
    }
}

//  A scatter row's axis values and level into the plot, as point k
//  (which must be the next).
static int
s_scatter_row (plot_pse_t *pse, char **fields, size_t n_axes, bool has_level, uint64_t k,
               const char *zip_path, uint64_t row, bsw_error_t *err)
{
    double values[PLOT_PSE_MAX_RANGES];
    bool ok = k == plot_pse_points (pse);
    for (size_t r = 0; ok && r < n_axes; r++) {
        values[r] = s_number (fields[1 + r]);
        ok = isfinite (values[r]);
    }
    uint64_t level = 0;
    char *end = NULL;
    if (ok && has_level) {
        errno = 0;
        level = strtoull (fields[1 + n_axes], &end, 10);
        ok = *fields[1 + n_axes] && !*end && !errno && level <= PLOT_PSE_MAX_LEVEL;
    }
    if (!ok)
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s: metrics.csv row %" PRIu64
                              " is malformed (points numbered 0, 1, ... in order, finite "
                              "parameter values%s)",
                              zip_path, row, has_level ? ", a level of 0 to 16" : "");
    return plot_pse_add_point (pse, values, (unsigned) level, NULL, err);
}

//  metrics.csv into the plot: header checked against the spec's ranges,
//  a `level` column after them making a family's scatter.
static int
s_read_csv (s_reader_t *reader, const char *zip_path, const spec_t *spec, plot_pse_t **pse_p,
            const char *title, bsw_error_t *err)
{
    char *line = s_line (reader);
    char *header[S_COLUMNS_MAX];
    size_t columns = line ? s_split (line, header, S_COLUMNS_MAX) : 0;
    size_t status_col = 0;
    while (status_col < columns && strcmp (header[status_col], "status") != 0)
        status_col++;
    bool has_level =
        status_col == spec->n_ranges + 2 && strcmp (header[spec->n_ranges + 1], "level") == 0;
    bool scatter = has_level || !spec_is_grid (spec);
    bool match = columns > 0 && strcmp (header[0], "point") == 0 && status_col < columns &&
                 status_col == spec->n_ranges + 1 + has_level && spec->n_ranges > 0;
    for (size_t r = 0; match && r < spec->n_ranges; r++)
        match = strcmp (header[1 + r], spec->ranges[r].parameter) == 0;
    if (!match && reader->failed)
        return bsw_error_set (err, BSW_EIO, "%s: cannot read metrics.csv", zip_path);
    if (!match)
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s: metrics.csv's header does not match the ranges of sweep.json",
                              zip_path);
    //  The names live in the line, which the next read overwrites.
    char *metrics[S_COLUMNS_MAX];
    size_t n_metrics = columns - status_col - 1;
    for (size_t m = 0; m < n_metrics; m++)
        metrics[m] = bsw_strdup (header[status_col + 1 + m]);
    int rc = scatter
                 ? client_plot_new_scatter (spec, title, (const char *const *) metrics, n_metrics,
                                            pse_p, err)
                 : s_new_plot (spec, title, (const char *const *) metrics, n_metrics, pse_p, err);
    for (size_t m = 0; m < n_metrics; m++)
        free (metrics[m]);
    if (rc)
        return rc;
    uint64_t points = plot_pse_points (*pse_p), rows = 0;
    char *fields[S_COLUMNS_MAX];
    while ((line = s_line (reader))) {
        size_t n = s_split (line, fields, S_COLUMNS_MAX);
        char *end;
        errno = 0;
        uint64_t k = strtoull (fields[0], &end, 10);
        //  A scatter's points are as many as its rows, but a sampled or
        //  listed sweep's no more than its spec has.
        if (n != columns || *end || errno || (!scatter && k >= points) ||
            (!has_level && k >= spec_points (spec)))
            return bsw_error_set (err, BSW_EFORMAT, "%s: metrics.csv row %" PRIu64 " is malformed",
                                  zip_path, rows + 1);
        if (scatter && (rc = s_scatter_row (*pse_p, fields, spec->n_ranges, has_level, k, zip_path,
                                            rows + 1, err)))
            return rc;
        const char *status = fields[status_col];
        plot_point_status_t st = strcmp (status, "ok") == 0       ? PLOT_POINT_OK
                                 : strcmp (status, "failed") == 0 ? PLOT_POINT_FAILED
                                                                  : PLOT_POINT_PENDING;
        plot_pse_set_point (*pse_p, k, st, NULL);
        for (size_t m = 0; st == PLOT_POINT_OK && m < n_metrics; m++)
            plot_pse_set_value (*pse_p, k, m, s_number (fields[status_col + 1 + m]));
        rows++;
    }
    if (reader->failed)
        return bsw_error_set (err, BSW_EFORMAT,
                              "%s: cannot read metrics.csv after row %" PRIu64
                              " (a read failed, or a line is over %u bytes)",
                              zip_path, rows, S_CSV_LINE_MAX);
    return 0;
}

//  sweep.json, parsed as a submission is.
static int
s_zip_spec (zip_t *za, const char *zip_path, spec_t **spec_p, bsw_error_t *err)
{
    char *json = NULL;
    size_t json_size = 0;
    int rc = s_zip_entry (za, zip_path, "sweep.json", &json, &json_size, err);
    char label[4096];
    snprintf (label, sizeof label, "%s: sweep.json", zip_path);
    if (rc == 0 && (rc = spec_load_string (spec_p, json, json_size, label, NULL, err)))
        rc = err->code = BSW_EFORMAT;
    free (json);
    return rc;
}

int
client_plot_load_zip (const char *zip_path, plot_pse_t **pse_p, spec_t **spec_p, bsw_error_t *err)
{
    *pse_p = NULL;
    *spec_p = NULL;
    zip_t *za = NULL;
    int rc = s_zip_open (zip_path, &za, err);
    if (rc)
        return rc;
    rc = s_zip_spec (za, zip_path, spec_p, err);
    s_reader_t reader = {0};
    if (rc == 0 && !(reader.file = zip_fopen (za, "metrics.csv", 0)))
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "%s: no metrics.csv in the zip (is it a brainsweep export?)", zip_path);
    if (rc == 0) {
        reader.buf = bsw_malloc (S_CSV_CHUNK + 1);
        char *title = s_title (*spec_p, zip_path);
        rc = s_read_csv (&reader, zip_path, *spec_p, pse_p, title, err);
        free (title);
        free (reader.buf);
    }
    if (reader.file)
        zip_fclose (reader.file);
    zip_close (za);
    if (rc) {
        plot_pse_destroy (pse_p);
        spec_destroy (spec_p);
    }
    return rc;
}

int
client_plot_series_zip (const char *zip_path, uint64_t k, void **bytes_p, size_t *size,
                        spec_t **spec_p, bsw_error_t *err)
{
    *bytes_p = NULL;
    *spec_p = NULL;
    zip_t *za = NULL;
    int rc = s_zip_open (zip_path, &za, err);
    if (rc == 0 && (rc = s_zip_spec (za, zip_path, spec_p, err)))
        zip_close (za);
    if (rc)
        return rc;
    char prefix[64];
    snprintf (prefix, sizeof prefix, "%" PRIu64 "/TimeSeriesRegion_", k + 1);
    const char *entry = NULL;
    for (zip_int64_t i = 0; !entry && i < zip_get_num_entries (za, 0); i++) {
        const char *name = zip_get_name (za, (zip_uint64_t) i, 0);
        if (name && strncmp (name, prefix, strlen (prefix)) == 0)
            entry = name;
    }
    if (!entry)
        rc = bsw_error_set (err, BSW_ENOTFOUND,
                            "%s: point %" PRIu64 " has no time series (folder %" PRIu64
                            "/): it failed, has no result yet, or is not a point of the sweep "
                            "(see metrics.csv)",
                            zip_path, k, k + 1);
    else
        rc = s_zip_entry (za, zip_path, entry, (char **) bytes_p, size, err);
    zip_close (za);
    if (rc)
        spec_destroy (spec_p);
    return rc;
}

//  --------------------------------------------------------------------------
//  Broker

static int
s_results (client_conn_t *conn, uint64_t sweep, uint64_t offset, uint64_t limit, bool with_spec,
           bool with_timeseries, proto_msg_t **reply, bsw_error_t *err)
{
    proto_msg_t *request = proto_msg_new (PROTO_RESULTS);
    proto_msg_set_uint (request, "sweep", sweep);
    proto_msg_set_uint (request, "offset", offset);
    proto_msg_set_uint (request, "limit", limit);
    if (with_spec)
        proto_msg_set_bool (request, "with_spec", true);
    if (with_timeseries)
        proto_msg_set_bool (request, "with_timeseries", true);
    return client_conn_request (conn, &request, PROTO_POINTS, reply, err);
}

//  One POINTS page into the plot, metrics matched by name; the sweep's
//  point k is the plot's base + k (a family's sweeps follow each other).
static void
s_read_page (const proto_msg_t *page, const char *const *names, size_t n_names, uint64_t base,
             uint64_t count_max, plot_pse_t *pse)
{
    size_t count = 0, n_values = 0;
    const uint64_t *points = proto_msg_uints (page, "points", &count);
    const double *values = proto_msg_f64s (page, "values", &n_values);
    size_t n_page = proto_msg_strs_count (page, "metric_names");
    int map[PLOT_PSE_MAX_METRICS];
    for (size_t q = 0; q < n_page && q < PLOT_PSE_MAX_METRICS; q++) {
        map[q] = -1;
        for (size_t m = 0; m < n_names; m++)
            if (strcmp (proto_msg_strs_at (page, "metric_names", q), names[m]) == 0)
                map[q] = (int) m;
    }
    for (size_t i = 0; i < count; i++) {
        if (points[i] >= count_max)
            continue;
        uint64_t k = base + points[i];
        bool ok = strcmp (proto_msg_strs_at (page, "statuses", i), "ok") == 0;
        plot_pse_set_point (pse, k, ok ? PLOT_POINT_OK : PLOT_POINT_FAILED, NULL);
        for (size_t q = 0; ok && q < n_page && q < PLOT_PSE_MAX_METRICS; q++)
            if (map[q] >= 0 && (i + 1) * n_page <= n_values)
                plot_pse_set_value (pse, k, (size_t) map[q], values[i * n_page + q]);
    }
}

//  Every page after the first (the one with the spec, in *page_p, taken):
//  see the paging rule above. Progress goes to stderr on a terminal when
//  there is more than one page.
int
client_plot_read_pages (client_conn_t *conn, uint64_t sweep, proto_msg_t **page_p,
                        const char *const *names, size_t n_names, uint64_t base, uint64_t points,
                        plot_pse_t *pse, bsw_error_t *err)
{
    uint64_t offset = 0;
    bool progress = points > CLIENT_PLOT_PAGE_POINTS && isatty (STDERR_FILENO);
    int rc = 0;
    while (rc == 0) {
        size_t count = 0;
        const uint64_t *listed = proto_msg_uints (*page_p, "points", &count);
        uint64_t next = count ? listed[count - 1] + 1 : offset;
        s_read_page (*page_p, names, n_names, base, points, pse);
        proto_msg_destroy (page_p);
        if (count == 0 || next >= points || next == 0)
            break;
        if (next <= offset) {
            rc = bsw_error_set (err, BSW_EPROTO,
                                "the broker's page of sweep %" PRIu64 " from point %" PRIu64
                                " ends at point %" PRIu64 ": the pages do not move forward",
                                sweep, offset, next - 1);
            break;
        }
        offset = next;
        if (progress)
            fprintf (stderr, "\rreading results: point %" PRIu64 " of %" PRIu64 "   ", offset,
                     points);
        if (zsys_interrupted)
            rc = bsw_error_set (err, BSW_ESTATE, "interrupted");
        else
            rc =
                s_results (conn, sweep, offset, CLIENT_PLOT_PAGE_POINTS, false, false, page_p, err);
    }
    if (progress)
        fprintf (stderr, "\r%60s\r", ""); // the line is free for plot's summary
    return rc;
}

//  The sweep's spec a POINTS reply carries (with_spec), parsed into
//  *spec_p (caller's); a reply without one, or one that does not parse, is
//  a format error of the broker's.
static int
s_page_spec (const proto_msg_t *page, uint64_t sweep, spec_t **spec_p, bsw_error_t *err)
{
    if (!proto_msg_has (page, "spec"))
        return bsw_error_set (
            err, BSW_EFORMAT,
            "the broker sent no spec for sweep %" PRIu64 " (is it older than this client?)", sweep);
    char label[64];
    snprintf (label, sizeof label, "sweep %" PRIu64, sweep);
    const char *text = proto_msg_str (page, "spec");
    int rc = spec_load_string (spec_p, text, strlen (text), label, NULL, err);
    if (rc)
        rc = err->code = BSW_EFORMAT;
    return rc;
}

//  A sweep's first RESULTS page with its spec (*page_p, caller's) and the
//  spec parsed (*spec_p, caller's).
static int
s_first_page (client_conn_t *conn, uint64_t sweep, proto_msg_t **page_p, spec_t **spec_p,
              bsw_error_t *err)
{
    int rc = s_results (conn, sweep, 0, CLIENT_PLOT_PAGE_POINTS, true, false, page_p, err);
    if (rc == 0)
        rc = s_page_spec (*page_p, sweep, spec_p, err);
    return rc;
}

//  A refined grid's level sweeps (STATUS's family, level 1 first) after
//  the grid's points: each point at its values and level.
static int
s_read_family (client_conn_t *conn, const proto_msg_t *status, const spec_t *grid,
               const char *const *names, size_t n_names, plot_pse_t *pse, bsw_error_t *err)
{
    size_t n_family = 0;
    const uint64_t *family =
        proto_msg_has (status, "family") ? proto_msg_uints (status, "family", &n_family) : NULL;
    if (n_family > PLOT_PSE_MAX_LEVEL)
        return bsw_error_set (err, BSW_ETOOBIG,
                              "the broker lists %zu refinement levels; a plot takes at most %d",
                              n_family, PLOT_PSE_MAX_LEVEL);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_family; i++) {
        proto_msg_t *page = NULL;
        spec_t *spec = NULL;
        uint64_t base = plot_pse_points (pse);
        rc = s_first_page (conn, family[i], &page, &spec, err);
        if (rc == 0)
            rc = client_plot_add_sweep (pse, grid, spec, (unsigned) i + 1, err);
        if (rc == 0)
            rc = client_plot_read_pages (conn, family[i], &page, names, n_names, base,
                                         spec_points (spec), pse, err);
        proto_msg_destroy (&page);
        spec_destroy (&spec);
    }
    return rc;
}

int
client_plot_load_broker (client_conn_t *conn, uint64_t sweep, plot_pse_t **pse_p, spec_t **spec_p,
                         bsw_error_t *err)
{
    *pse_p = NULL;
    *spec_p = NULL;
    proto_msg_t *status = NULL, *page = NULL;
    int rc = client_status (conn, sweep, &status, err);
    if (rc == 0)
        rc = s_first_page (conn, sweep, &page, spec_p, err);
    if (rc == 0) {
        const char *name = proto_msg_has (status, "name") ? proto_msg_str (status, "name") : "";
        char title[512];
        if (*name)
            snprintf (title, sizeof title, "%s (sweep %" PRIu64 ", %s)", name, sweep,
                      proto_msg_str (status, "state"));
        else
            snprintf (title, sizeof title, "sweep %" PRIu64 " (%s)", sweep,
                      proto_msg_str (status, "state"));
        const char *names[5];
        size_t n_names = client_plot_metric_names (*spec_p, names);
        //  A grid with refinements is a scatter of the whole family.
        size_t n_family = 0;
        if (proto_msg_has (status, "family"))
            proto_msg_uints (status, "family", &n_family);
        bool family = n_family > 0;
        if (family)
            snprintf (title + strlen (title), sizeof title - strlen (title),
                      ", with %zu refinement level%s", n_family, n_family == 1 ? "" : "s");
        if (spec_is_grid (*spec_p) && !family)
            rc = s_new_plot (*spec_p, title, names, n_names, pse_p, err);
        else if ((rc = client_plot_new_scatter (*spec_p, title, names, n_names, pse_p, err)) == 0)
            rc = client_plot_add_sweep (*pse_p, *spec_p, *spec_p, 0, err);
        if (rc == 0)
            rc = client_plot_read_pages (conn, sweep, &page, names, n_names, 0,
                                         plot_pse_points (*pse_p), *pse_p, err);
        if (rc == 0 && family)
            rc = s_read_family (conn, status, *spec_p, names, n_names, *pse_p, err);
    }
    proto_msg_destroy (&status);
    proto_msg_destroy (&page);
    if (rc) {
        plot_pse_destroy (pse_p);
        spec_destroy (spec_p);
    }
    return rc;
}

int
client_plot_series_broker (client_conn_t *conn, uint64_t sweep, uint64_t k, void **bytes_p,
                           size_t *size, spec_t **spec_p, bsw_error_t *err)
{
    *bytes_p = NULL;
    *spec_p = NULL;
    proto_msg_t *page = NULL;
    int rc = s_results (conn, sweep, k, 1, true, true, &page, err);
    if (rc)
        return rc;
    size_t count = 0;
    const uint64_t *points = proto_msg_uints (page, "points", &count);
    uint64_t total = proto_msg_uint (page, "total");
    if (k >= total)
        rc = bsw_error_set (err, BSW_ENOTFOUND,
                            "sweep %" PRIu64 " has %" PRIu64 " points (0 to %" PRIu64
                            "): there is no point %" PRIu64,
                            sweep, total, total ? total - 1 : 0, k);
    else if (count == 0 || points[0] != k)
        rc = bsw_error_set (err, BSW_ENOTFOUND,
                            "sweep %" PRIu64 " point %" PRIu64 " has no result yet (pending)",
                            sweep, k);
    else if (strcmp (proto_msg_strs_at (page, "statuses", 0), "ok") != 0)
        rc = bsw_error_set (err, BSW_ENOTFOUND,
                            "sweep %" PRIu64 " point %" PRIu64 " failed: it has no time series",
                            sweep, k);
    else if (!proto_msg_has (page, "timeseries"))
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "the broker sent no time series for sweep %" PRIu64 " point %" PRIu64
                            " (is it older than this client?)",
                            sweep, k);
    if (rc == 0)
        rc = s_page_spec (page, sweep, spec_p, err);
    if (rc == 0) {
        const void *blob = proto_msg_blob (page, "timeseries", size, NULL, NULL, NULL);
        *bytes_p = bsw_malloc (*size ? *size : 1);
        memcpy (*bytes_p, blob, *size);
    }
    proto_msg_destroy (&page);
    return rc;
}
