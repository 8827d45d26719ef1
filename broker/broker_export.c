/*  broker_export.c - one sweep's DataTypeGroup zip, written front to back
    (broker_export.h).

    Order of work:
      1. read the sweep (summary, stored spec text and connectivity bytes)
         and parse them exactly as a worker does, so the connectivity GID
         and every derived GID agree with what the workers computed;
      2. the connectivity file, first in the zip;
      3. per ok point (as the broker commits them, or in point order for a
         whole export): its stored array read from the sweep's series file
         and decoded, its TimeSeriesRegion image made by patching the
         sweep's template (store_timeseries_template.h: a memcpy, not a
         libhdf5 run), its view models and measure made in memory; each
         added to the zip at once;
      4. at the finish, one pass over every result row in point order:
         metrics.csv streamed into the zip and the PSE view's data, then
         sweep.json, pse.svg and pse.html (drawn into a scratch folder by
         plot/, then copied in), README.txt when the sweep keeps metrics
         only, and the central directory.
    Nothing of a point is held after it is added, and the zip's central
    directory spills to a scratch file (store_zip.h): memory is flat in
    the sweep's size. The scratch folder ($TMPDIR) holds the connectivity
    and the plots while they are copied in, and goes with the export.

    Costs, per tutorial point (bench/README.md, "The 500-point sweep"):
    reading and copying ~620 KB, a template patch, and 7 small HDF5 images
    deflated at level 1; the series are stored, since deflating float64
    costs far more time than it saves (store_zip's bench).
*/
#define _GNU_SOURCE // sync_file_range
#include "broker_export.h"
#include "broker_export_files.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "plot_pse.h"
#include "sim_connectivity.h"
#include "sim_metric.h"
#include "sim_monitor.h"
#include "spec.h"
#include "store_connectivity.h"
#include "store_series.h"
#include "store_timeseries.h"
#include "store_timeseries_template.h"
#include "store_tvbfiles.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_PAGE_ROWS       1024         /* result rows read per query */
#define S_PATH_MAX        4096         /* bytes of any path we build */
#define S_METRIC_DELAY_US 3600000000LL /* metric folders are dated 1 h after simulations */
#define S_SYNC_EVERY      (8u << 20)   /* a file sink starts write-back every this many bytes */
#define S_COPY_CHUNK      (1u << 20)   /* bytes read at once when copying a file in */
#define S_TEXT_LEVEL      6            /* zlib's default level, for texts */

struct broker_export_t {
    broker_db_t *db;                          /* borrowed */
    uint64_t sweep;                           /* the sweep's id */
    broker_sweep_info_t info;                 /* uuid, points, name, created; name owned */
    char *spec_json;                          /* stored spec text: sweep.json */
    spec_t *spec;                             /* parsed */
    sim_connectivity_t *conn;                 /* the sweep's connectivity */
    char conn_gid[37];                        /* its GID, as the workers computed it */
    char *ranges;                             /* TVB_ranges, the same for every point */
    size_t *coords;                           /* scratch: range indices of one point */
    const char *metric_names[SIM_METRIC_MAX]; /* metrics.csv columns, TVB's key order */
    size_t n_metric_names;                    /* 4, or 5 with KuramotoIndex */
    store_zip_t *zip;                         /* the zip being written */
    char dir[S_PATH_MAX];                     /* scratch folder; "" until made */
    int64_t base_us;                          /* naive local time of the submission, us */
    uint64_t values;                          /* values in a point's series; 0: metrics only */
    double *data;                             /* scratch: one point's series, decoded */
    void *raw;                                /* scratch: its stored bytes (values * 8 at most) */
    double *times;                            /* the series' time stamps, shared by every point */
    store_timeseries_template_t *tmpl;        /* made for the first point; NULL if it failed */
    bool no_template;                         /* making one failed: libhdf5 for every point */
    uint8_t *added;                           /* bitmap: points whose folders are in the zip */
    uint64_t n_added;                         /* how many */
    uint8_t *seen;                            /* bitmap, following a sweep: points with a result */
    uint64_t low;                             /* following: every point below has a result */
};

//  --------------------------------------------------------------------------
//  Reading the sweep

static int
s_load (broker_export_t *self, bsw_error_t *err)
{
    int rc = broker_db_sweep_info (self->db, self->sweep, &self->info, err);
    if (rc)
        return rc;
    void *conn_zip = NULL;
    size_t conn_size = 0;
    char *conn_name = NULL;
    rc = broker_db_sweep_definition (self->db, self->sweep, &self->spec_json, &conn_zip, &conn_size,
                                     &conn_name, err);
    if (rc == 0 && !self->spec_json)
        rc = bsw_error_set (err, BSW_EFORMAT, "sweep %" PRIu64 ": no spec stored", self->sweep);
    char label[64];
    snprintf (label, sizeof label, "sweep %" PRIu64, self->sweep);
    //  A stored spec passed this parser when it was submitted; failing now
    //  means the database or the parser changed under it.
    if (rc == 0)
        rc = spec_load_string (&self->spec, self->spec_json, strlen (self->spec_json), label, NULL,
                               err);
    //  TODO(issue 13): the export of sampled and listed sweeps.
    if (rc == 0 && !spec_is_grid (self->spec))
        rc = bsw_error_set (err, BSW_ESTATE, "%s: the export of a %s sweep is not supported yet",
                            label, spec_design_name (self->spec->design));
    if (rc == 0 && spec_points (self->spec) != self->info.points)
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "%s: the spec has %" PRIu64 " points, the database %" PRIu64, label,
                            spec_points (self->spec), self->info.points);
    if (rc == 0 && conn_zip)
        rc = store_connectivity_load_buffer (&self->conn, conn_zip, conn_size,
                                             conn_name ? conn_name : label, err);
    else if (rc == 0)
        self->conn = sim_connectivity_new_default ();
    free (conn_zip);
    free (conn_name);
    //  Either was accepted when the sweep was submitted: failing now means
    //  the stored bytes or the parser changed, a stored-data format error.
    if (rc == BSW_ESPEC || rc == BSW_ECONNECTIVITY)
        rc = err ? (err->code = BSW_EFORMAT) : BSW_EFORMAT;
    if (rc)
        return rc;
    sim_connectivity_gid (self->conn, self->conn_gid);
    self->ranges = broker_export_ranges_json (self->spec);
    self->coords = bsw_calloc (self->spec->n_ranges + 1, sizeof (size_t));
    self->n_metric_names = sim_metric_names (self->spec->setup.n_voi, self->metric_names);
    self->base_us = broker_export_naive_us (self->info.created);
    self->added = bsw_calloc ((size_t) ((self->info.points + 7) / 8) + 1, 1);
    uint64_t samples = sim_setup_samples (&self->spec->setup);
    if (self->spec->keep == SPEC_KEEP_ALL) {
        self->values = samples * self->spec->setup.n_voi * self->conn->n;
        if (self->values > BROKER_DB_SERIES_MAX / 8)
            return bsw_error_set (err, BSW_EFORMAT, "%s: a series of %" PRIu64 " values", label,
                                  self->values);
        self->data = bsw_malloc ((size_t) self->values * sizeof (double));
        self->raw = bsw_malloc ((size_t) self->values * sizeof (double));
        self->times = bsw_calloc ((size_t) samples + 1, sizeof (double));
        sim_monitor_times (&self->spec->setup, self->times, (size_t) samples);
    }
    return 0;
}

//  --------------------------------------------------------------------------
//  Copying a file into the zip

static int
s_errno_code (int e)
{
    return (e == ENOSPC || e == EDQUOT) ? BSW_ENOSPACE : BSW_EIO;
}

//  Streams the file at path into the zip as `entry`.
static int
s_add_file (broker_export_t *self, const char *entry, const char *path, int level, bsw_error_t *err)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bsw_error_set (err, s_errno_code (errno), "%s: cannot read: %s", path,
                              strerror (errno));
    struct stat st;
    int rc =
        fstat (fd, &st) == 0 ? 0 : bsw_error_set (err, BSW_EIO, "%s: %s", path, strerror (errno));
    if (rc == 0)
        rc = store_zip_begin (self->zip, entry, level, (uint64_t) st.st_size, err);
    char *buf = bsw_malloc (S_COPY_CHUNK);
    while (rc == 0) {
        ssize_t n = read (fd, buf, S_COPY_CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = bsw_error_set (err, BSW_EIO, "%s: cannot read: %s", path, strerror (errno));
        else if (n == 0)
            break;
        else
            rc = store_zip_write (self->zip, buf, (size_t) n, err);
    }
    free (buf);
    close (fd);
    return rc ? rc : store_zip_end (self->zip, err);
}

//  The scratch folder, made on first need.
static int
s_scratch (broker_export_t *self, bsw_error_t *err)
{
    if (self->dir[0])
        return 0;
    const char *tmp = getenv ("TMPDIR");
    snprintf (self->dir, sizeof self->dir, "%s/brainsweep-export-XXXXXX",
              tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp (self->dir)) {
        int e = errno;
        int rc = bsw_error_set (err, s_errno_code (e), "%s: cannot make a scratch folder: %s",
                                self->dir, strerror (e));
        self->dir[0] = '\0';
        return rc;
    }
    return 0;
}

//  The connectivity alone in its own folder with no view model, which TVB
//  imports before any folder that has one (TVB.md 11.7 b).
static int
s_add_connectivity (broker_export_t *self, bsw_error_t *err)
{
    broker_export_name_t name;
    broker_export_file_name ("Connectivity", self->conn_gid, name);
    char path[S_PATH_MAX + 128], entry[S_PATH_MAX], date[BROKER_EXPORT_DATE_BUF];
    int rc = s_scratch (self, err);
    if (rc)
        return rc;
    snprintf (path, sizeof path, "%s/%s", self->dir, name);
    snprintf (entry, sizeof entry, "connectivity/%s", name);
    broker_export_date (self->base_us, date);
    rc = store_tvbfiles_connectivity_write (path, self->conn, self->conn_gid, date, err);
    if (rc == 0)
        rc = s_add_file (self, entry, path, 1, err);
    unlink (path);
    return rc;
}

//  --------------------------------------------------------------------------
//  Points

//  The TimeSeriesRegion image of point k from its stored bytes.
static int
s_series_image (broker_export_t *self, const broker_result_row_t *row, const char *date,
                void **image_p, size_t *size_p, bsw_error_t *err)
{
    uint64_t k = row->point;
    if (!row->has_series)
        return bsw_error_set (err, BSW_ENOTFOUND,
                              "sweep %" PRIu64 " point %" PRIu64 ": no time series stored",
                              self->sweep, k);
    if (row->series_size > self->values * sizeof (double) + 64 + self->values * sizeof (double) / 8)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " point %" PRIu64 ": a stored series of %" PRIu64
                              " bytes is larger than its %" PRIu64 " values can make",
                              self->sweep, k, row->series_size, self->values);
    //  A deflated series may be a little larger than raw: read it into a
    //  buffer of its own size then.
    void *raw = self->raw;
    bool own = row->series_size > self->values * sizeof (double);
    if (own)
        raw = bsw_malloc ((size_t) row->series_size);
    int rc = broker_db_series_read (self->db, self->sweep, row, raw, err);
    if (rc == 0)
        rc =
            store_series_decode ((store_series_encoding_t) row->series_encoding, raw,
                                 (size_t) row->series_size, self->data, (size_t) self->values, err);
    if (own)
        free (raw);
    if (rc) {
        bsw_error_prefix (err, "sweep %" PRIu64 " point %" PRIu64, self->sweep, k);
        return rc;
    }
    const sim_setup_t *s = &self->spec->setup;
    const char *voi[SIM_MAX_VOI];
    for (size_t v = 0; v < s->n_voi; v++)
        voi[v] = s->model->voi_names[s->voi[v]];
    char gid[37];
    bsw_uuid_derive (self->info.uuid, "TimeSeriesRegion", k, gid);
    store_timeseries_t ts = {.gid = gid,
                             .connectivity_gid = self->conn_gid,
                             .monitor = sim_monitor_name (s->monitor),
                             .voi_names = voi,
                             .n_voi = s->n_voi,
                             .n_time = (size_t) sim_setup_samples (s),
                             .n_nodes = self->conn->n,
                             .data = self->data,
                             .time = self->times,
                             .sample_period = sim_setup_sample_period (s),
                             .create_date = date,
                             //  Stored deflated: the file is too, as TVB reads it.
                             .deflate = row->series_encoding ? 1 : 0};
    if (!self->tmpl && !self->no_template && !ts.deflate) {
        bsw_error_t ignored;
        if (store_timeseries_template_new (&self->tmpl, &ts, &ignored))
            self->no_template = true;
    }
    if (self->tmpl && store_timeseries_template_fits (self->tmpl, &ts))
        return store_timeseries_template_image (self->tmpl, &ts, image_p, size_p, err);
    return store_timeseries_image (&ts, image_p, size_p, err);
}

//  Simulation folder k+1 (the series and its view models) and metric
//  folder P+k+1 of an ok point.
static int
s_add_point (broker_export_t *self, const broker_result_row_t *row, bsw_error_t *err)
{
    uint64_t k = row->point;
    if (k >= self->info.points)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " has a result for point %" PRIu64 " of %" PRIu64,
                              self->sweep, k, self->info.points);
    if (!row->ok || (self->added[k / 8] >> (k % 8)) & 1 || self->values == 0)
        return 0;
    broker_export_metrics_t metrics;
    int rc = broker_export_metrics_parse (row->metrics_json, &metrics, err);
    if (rc) {
        bsw_error_prefix (err, "sweep %" PRIu64 " point %" PRIu64, self->sweep, k);
        return rc;
    }
    sim_setup_t setup;
    if ((rc = spec_point_setup (self->spec, k, &setup, err)))
        return rc;
    char sim_date[BROKER_EXPORT_DATE_BUF], metric_date[BROKER_EXPORT_DATE_BUF];
    broker_export_date (self->base_us + (int64_t) k, sim_date);
    broker_export_date (self->base_us + S_METRIC_DELAY_US + (int64_t) k, metric_date);
    void *image = NULL;
    size_t size = 0;
    rc = s_series_image (self, row, sim_date, &image, &size, err);
    if (rc == 0) {
        char gid[37], entry[BROKER_EXPORT_NAME_MAX + 32];
        bsw_uuid_derive (self->info.uuid, "TimeSeriesRegion", k, gid);
        broker_export_name_t name;
        broker_export_file_name ("TimeSeriesRegion", gid, name);
        snprintf (entry, sizeof entry, "%" PRIu64 "/%s", k + 1, name);
        rc = store_zip_add (self->zip, entry, image, size, STORE_ZIP_STORED, err);
        free (image);
    }
    char *range_values = broker_export_range_values_json (self->spec, k);
    broker_export_point_t pt = {
        .zip = self->zip,
        .sim_folder = k + 1,
        .metric_folder = self->info.points + k + 1,
        .sweep_uuid = self->info.uuid,
        .point = k,
        .setup = &setup,
        .connectivity_gid = self->conn_gid,
        .ranges = self->ranges,
        .range_values = range_values,
        .sim_date = sim_date,
        .metric_date = metric_date,
    };
    broker_export_file_t files[BROKER_EXPORT_SIM_FILES_MAX];
    size_t count = 0;
    if (rc == 0)
        rc = broker_export_simulation_files (&pt, files, &count, err);
    if (rc == 0)
        rc = broker_export_metric_files (&pt, &metrics, files, err);
    free (range_values);
    if (rc == 0) {
        self->added[k / 8] |= (uint8_t) (1u << (k % 8));
        self->n_added++;
    }
    return rc;
}

int
broker_export_add_points (broker_export_t *self, const uint64_t *points, size_t count,
                          bsw_error_t *err)
{
    BSW_ASSERT (self && (points || count == 0));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        broker_result_row_t *rows = NULL;
        size_t n = 0;
        rc = broker_db_result_rows (self->db, self->sweep, points[i], 1, &rows, &n, err);
        if (rc == 0 && n == 1 && rows[0].point == points[i])
            rc = s_add_point (self, &rows[0], err);
        broker_result_rows_free (rows, n);
    }
    return rc;
}

int
broker_export_add_new (broker_export_t *self, bool *ended, bsw_error_t *err)
{
    BSW_ASSERT (self && ended);
    *ended = false;
    if (!self->seen)
        self->seen = bsw_calloc ((size_t) ((self->info.points + 7) / 8) + 1, 1);
    //  The state first: whatever it had when it ended is committed by now.
    broker_sweep_state_t state;
    int rc = broker_db_sweep_state (self->db, self->sweep, &state, err);
    //  Points finish about in order, so the rows from `low` on are few:
    //  the recent ones and the stragglers.
    uint64_t next = self->low;
    while (rc == 0) {
        broker_result_row_t *rows = NULL;
        size_t count = 0;
        rc = broker_db_result_rows (self->db, self->sweep, next, S_PAGE_ROWS, &rows, &count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            uint64_t k = rows[i].point;
            rc = s_add_point (self, &rows[i], err);
            if (rc == 0 && k < self->info.points)
                self->seen[k / 8] |= (uint8_t) (1u << (k % 8));
            next = k + 1;
        }
        broker_result_rows_free (rows, count);
        if (count < S_PAGE_ROWS)
            break;
    }
    while (self->low < self->info.points && (self->seen[self->low / 8] >> (self->low % 8)) & 1)
        self->low++;
    if (rc == 0 && state != BROKER_SWEEP_RUNNING)
        *ended = true;
    return rc;
}

int
broker_export_add_all (broker_export_t *self, broker_export_progress_fn progress, void *arg,
                       bsw_error_t *err)
{
    BSW_ASSERT (self);
    uint64_t next = 0, points = self->info.points;
    int64_t reported = bsw_clock_mono_ms ();
    int rc = 0;
    while (rc == 0) {
        broker_result_row_t *rows = NULL;
        size_t count = 0;
        rc = broker_db_result_rows (self->db, self->sweep, next, S_PAGE_ROWS, &rows, &count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            rc = s_add_point (self, &rows[i], err);
            next = rows[i].point + 1;
            int64_t now = bsw_clock_mono_ms ();
            if (progress && now - reported >= BROKER_EXPORT_PROGRESS_MS) {
                progress (arg, next, points);
                reported = now;
            }
        }
        broker_result_rows_free (rows, count);
        if (count < S_PAGE_ROWS)
            break;
    }
    if (rc == 0 && progress)
        progress (arg, points, points);
    return rc;
}

//  --------------------------------------------------------------------------
//  The finish: metrics.csv, sweep.json, the PSE view, README.txt

//  A text line into the streamed entry.
static int
s_write_text (broker_export_t *self, const char *text, bsw_error_t *err)
{
    return store_zip_write (self->zip, text, strlen (text), err);
}

//  Range names come from the spec's fixed list of rangeable parameters
//  ("model.I", "coupling.a", ...), so no field needs CSV quoting; metric
//  names are names (proto's codec).
static int
s_csv_header (broker_export_t *self, bsw_error_t *err)
{
    int rc = s_write_text (self, "point", err);
    for (size_t r = 0; rc == 0 && r < self->spec->n_ranges; r++) {
        rc = s_write_text (self, ",", err);
        if (rc == 0)
            rc = s_write_text (self, self->spec->ranges[r].parameter, err);
    }
    if (rc == 0)
        rc = s_write_text (self, ",status", err);
    for (size_t m = 0; rc == 0 && m < self->n_metric_names; m++) {
        rc = s_write_text (self, ",", err);
        if (rc == 0)
            rc = s_write_text (self, self->metric_names[m], err);
    }
    return rc ? rc : s_write_text (self, "\n", err);
}

static int
s_csv_row (broker_export_t *self, uint64_t k, const char *status,
           const broker_export_metrics_t *metrics, bsw_error_t *err)
{
    //  At most 16 ranges and 8 metrics of BSW_DOUBLE_BUF each, plus words.
    char line[(PLOT_PSE_MAX_RANGES + SIM_METRIC_MAX) * (BSW_DOUBLE_BUF + 1) + 64];
    char num[BSW_DOUBLE_BUF];
    size_t at = (size_t) snprintf (line, sizeof line, "%" PRIu64, k);
    spec_point_coords (self->spec, k, self->coords);
    for (size_t r = 0; r < self->spec->n_ranges && r < PLOT_PSE_MAX_RANGES; r++)
        at += (size_t) snprintf (
            line + at, sizeof line - at, ",%s",
            bsw_format_double (self->spec->ranges[r].values[self->coords[r]], num));
    at += (size_t) snprintf (line + at, sizeof line - at, ",%s", status);
    for (size_t m = 0; m < self->n_metric_names; m++) {
        double value;
        bool has = metrics && broker_export_metrics_get (metrics, self->metric_names[m], &value);
        at += (size_t) snprintf (line + at, sizeof line - at, ",%s",
                                 has ? bsw_format_double (value, num) : "");
    }
    snprintf (line + at, sizeof line - at, "\n");
    return s_write_text (self, line, err);
}

//  "pending" rows for the points from *next up to k (no result yet).
static int
s_csv_pending (broker_export_t *self, uint64_t *next, uint64_t k, bsw_error_t *err)
{
    int rc = 0;
    for (; rc == 0 && *next < k; (*next)++)
        rc = s_csv_row (self, *next, "pending", NULL, err);
    return rc;
}

//  The view's data, filled as the rows pass; none for a sweep without
//  ranges or too large to draw usefully (so none is no error).
static plot_pse_t *
s_plot_new (broker_export_t *self)
{
    if (self->spec->n_ranges == 0 || self->spec->n_ranges > PLOT_PSE_MAX_RANGES ||
        self->info.points > BROKER_EXPORT_PLOT_MAX_POINTS)
        return NULL;
    char title[512];
    const char *name = self->info.name && *self->info.name ? self->info.name : self->spec->name;
    if (name && *name)
        snprintf (title, sizeof title, "%s (sweep %" PRIu64 ")", name, self->sweep);
    else
        snprintf (title, sizeof title, "sweep %" PRIu64, self->sweep);
    plot_range_t ranges[PLOT_PSE_MAX_RANGES];
    for (size_t r = 0; r < self->spec->n_ranges; r++)
        ranges[r] = (plot_range_t){self->spec->ranges[r].parameter, self->spec->ranges[r].values,
                                   self->spec->ranges[r].n_values};
    //  Only the limits just checked can refuse it: then there is no plot.
    plot_pse_t *plot = NULL;
    bsw_error_t ignored;
    plot_pse_new (&plot, title, ranges, self->spec->n_ranges, self->metric_names,
                  self->n_metric_names, &ignored);
    return plot;
}

static void
s_plot_point (broker_export_t *self, plot_pse_t *plot, uint64_t k,
              const broker_export_metrics_t *metrics)
{
    if (!plot)
        return;
    plot_pse_set_point (plot, k, metrics ? PLOT_POINT_OK : PLOT_POINT_FAILED, NULL);
    for (size_t m = 0; metrics && m < self->n_metric_names; m++) {
        double value;
        if (broker_export_metrics_get (metrics, self->metric_names[m], &value))
            plot_pse_set_value (plot, k, m, value);
    }
}

//  metrics.csv, one row per point in index order, from every row as it is
//  now; the PSE view's data on the way.
static int
s_add_csv (broker_export_t *self, plot_pse_t *plot, bsw_error_t *err)
{
    int rc = store_zip_begin (self->zip, "metrics.csv", S_TEXT_LEVEL, STORE_ZIP_SIZE_UNKNOWN, err);
    if (rc == 0)
        rc = s_csv_header (self, err);
    uint64_t next = 0;
    while (rc == 0) {
        broker_result_row_t *rows = NULL;
        size_t count = 0;
        rc = broker_db_result_rows (self->db, self->sweep, next, S_PAGE_ROWS, &rows, &count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            uint64_t k = rows[i].point;
            if (k >= self->info.points)
                rc = bsw_error_set (err, BSW_EFORMAT,
                                    "sweep %" PRIu64 " has a result for point %" PRIu64
                                    " of %" PRIu64,
                                    self->sweep, k, self->info.points);
            if (rc == 0)
                rc = s_csv_pending (self, &next, k, err);
            broker_export_metrics_t metrics;
            bool ok = rows[i].ok;
            if (rc == 0 && ok &&
                (rc = broker_export_metrics_parse (rows[i].metrics_json, &metrics, err)))
                bsw_error_prefix (err, "sweep %" PRIu64 " point %" PRIu64, self->sweep, k);
            if (rc == 0)
                rc = s_csv_row (self, k, ok ? "ok" : "failed", ok ? &metrics : NULL, err);
            if (rc == 0)
                s_plot_point (self, plot, k, ok ? &metrics : NULL);
            next = k + 1;
        }
        broker_result_rows_free (rows, count);
        if (count < S_PAGE_ROWS)
            break;
    }
    if (rc == 0)
        rc = s_csv_pending (self, &next, self->info.points, err);
    return rc ? rc : store_zip_end (self->zip, err);
}

//  Both files with the default view; more than two ranges make small
//  multiples, or a slice at the first values when they would be too many.
static int
s_add_plots (broker_export_t *self, plot_pse_t *plot, bsw_error_t *err)
{
    if (!plot)
        return 0;
    int rc = s_scratch (self, err);
    if (rc)
        return rc;
    plot_pse_options_t options = {.slice_when_crowded = true};
    char svg[S_PATH_MAX + 16], html[S_PATH_MAX + 16];
    snprintf (svg, sizeof svg, "%s/pse.svg", self->dir);
    snprintf (html, sizeof html, "%s/pse.html", self->dir);
    rc = plot_pse_write (plot, &options, svg, PLOT_FORMAT_SVG, NULL, err);
    if (rc == 0)
        rc = plot_pse_write_html (plot, &options, html, err);
    if (rc == 0)
        rc = s_add_file (self, "pse.svg", svg, S_TEXT_LEVEL, err);
    if (rc == 0)
        rc = s_add_file (self, "pse.html", html, S_TEXT_LEVEL, err);
    unlink (svg);
    unlink (html);
    return rc;
}

static const char s_metrics_only_readme[] =
    "This sweep kept its metrics only (\"keep\": \"metrics\" in sweep.json):\n"
    "no time series were sent, stored or exported, so this zip holds no\n"
    "simulation or metric folders for TVB to import. metrics.csv has one row\n"
    "per point (its parameter values, its status and TVB's metrics);\n"
    "connectivity/ holds the sweep's connectivity. Up to 50,000 points,\n"
    "pse.svg and pse.html show the metrics as TVB's PSE view; `brainsweep plot\n"
    "FILE.zip -o OUT.png` draws a sweep of any size. Run the points you want to\n"
    "look at again with \"keep\": \"all\" (or `brainsweep simulate --point K`)\n"
    "for their time series.\n";
_Static_assert(BROKER_EXPORT_PLOT_MAX_POINTS == 50000, "the README text names the plots' limit");

int
broker_export_finish (broker_export_t *self, bsw_error_t *err)
{
    BSW_ASSERT (self);
    plot_pse_t *plot = s_plot_new (self);
    int rc = s_add_csv (self, plot, err);
    if (rc == 0)
        rc = store_zip_add (self->zip, "sweep.json", self->spec_json, strlen (self->spec_json),
                            S_TEXT_LEVEL, err);
    if (rc == 0)
        rc = s_add_plots (self, plot, err);
    if (rc == 0 && self->values == 0)
        rc = store_zip_add (self->zip, "README.txt", s_metrics_only_readme,
                            strlen (s_metrics_only_readme), S_TEXT_LEVEL, err);
    if (rc == 0)
        rc = store_zip_finish (self->zip, err);
    plot_pse_destroy (&plot);
    return rc;
}

//  --------------------------------------------------------------------------
//  Life

int
broker_export_new (broker_export_t **self_p, broker_db_t *db, uint64_t sweep,
                   store_zip_sink_fn sink, void *arg, bsw_error_t *err)
{
    BSW_ASSERT (self_p && db && sink);
    broker_export_t *self = bsw_calloc (1, sizeof *self);
    self->db = db;
    self->sweep = sweep;
    *self_p = self;
    int rc = s_load (self, err);
    if (rc == 0) {
        //  Every entry dated at the submission: the same sweep exports to
        //  the same bytes but for the series files' HDF5 times.
        store_zip_options_t options = {.mtime = (int64_t) self->info.created};
        self->zip = store_zip_new (sink, arg, &options);
        rc = s_add_connectivity (self, err);
    }
    return rc;
}

void
broker_export_destroy (broker_export_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_export_t *self = *self_p;
    store_zip_destroy (&self->zip);
    if (self->dir[0])
        rmdir (self->dir); // its files went as they were copied in
    store_timeseries_template_destroy (&self->tmpl);
    free (self->spec_json);
    free (self->ranges);
    free (self->coords);
    free (self->data);
    free (self->raw);
    free (self->times);
    free (self->added);
    free (self->seen);
    spec_destroy (&self->spec);
    sim_connectivity_destroy (&self->conn);
    broker_sweep_info_fini (&self->info);
    free (self);
    *self_p = NULL;
}

int
broker_export_series_image (broker_db_t *db, uint64_t sweep, uint64_t point, void **image_p,
                            size_t *size_p, bsw_error_t *err)
{
    BSW_ASSERT (db && image_p && size_p);
    *image_p = NULL;
    *size_p = 0;
    broker_export_t *self = bsw_calloc (1, sizeof *self);
    self->db = db;
    self->sweep = sweep;
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    int rc = s_load (self, err);
    if (rc == 0)
        rc = broker_db_result_rows (db, sweep, point, 1, &rows, &count, err);
    if (rc == 0 &&
        (count == 0 || rows[0].point != point || !rows[0].has_series || self->values == 0))
        rc = bsw_error_set (err, BSW_ENOTFOUND,
                            "sweep %" PRIu64 " point %" PRIu64 ": no time series stored", sweep,
                            point);
    char date[BROKER_EXPORT_DATE_BUF];
    broker_export_date (self->base_us + (int64_t) point, date);
    if (rc == 0)
        rc = s_series_image (self, &rows[0], date, image_p, size_p, err);
    broker_result_rows_free (rows, count);
    broker_export_destroy (&self);
    return rc;
}

uint64_t
broker_export_points_added (const broker_export_t *self)
{
    BSW_ASSERT (self);
    return self->n_added;
}

uint64_t
broker_export_bytes (const broker_export_t *self)
{
    BSW_ASSERT (self);
    return self->zip ? store_zip_bytes (self->zip) : 0;
}

//  --------------------------------------------------------------------------
//  To a file

int
broker_export_file_sink (void *arg, const void *data, size_t size, bsw_error_t *err)
{
    broker_export_file_sink_t *f = arg;
    const char *p = data;
    size_t left = size;
    while (left > 0) {
        ssize_t n = write (f->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return bsw_error_set (err, s_errno_code (errno), "%s: cannot write: %s", f->path,
                                  strerror (errno));
        p += n, left -= (size_t) n;
    }
    f->written += size;
    //  Start the write-back as the file grows (a hint: fsync decides), so
    //  the fsync at the end has little left to do.
    if (f->written - f->synced_at >= S_SYNC_EVERY) {
        sync_file_range (f->fd, (off_t) f->synced_at, (off_t) (f->written - f->synced_at),
                         SYNC_FILE_RANGE_WRITE);
        f->synced_at = f->written;
    }
    return 0;
}

static void
s_fsync_folder (const char *path)
{
    char dir[S_PATH_MAX];
    snprintf (dir, sizeof dir, "%s", path);
    char *slash = strrchr (dir, '/');
    if (slash)
        slash[slash == dir] = '\0';
    int fd = open (slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync (fd);
        close (fd);
    }
}

int
broker_export_build (broker_db_t *db, uint64_t sweep, const char *zip_path,
                     broker_export_progress_fn progress, void *arg, bsw_error_t *err)
{
    BSW_ASSERT (db && zip_path);
    bsw_error_t local;
    if (!err)
        err = &local;
    bsw_error_clear (err);
    if (strlen (zip_path) + 8 >= S_PATH_MAX)
        return bsw_error_set (err, BSW_EINVAL, "%s: path too long", zip_path);
    char tmp[S_PATH_MAX];
    snprintf (tmp, sizeof tmp, "%s.tmp", zip_path);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return bsw_error_set (err, s_errno_code (errno), "%s: cannot create: %s", tmp,
                              strerror (errno));
    broker_export_file_sink_t sink = {.fd = fd, .path = tmp};
    broker_export_t *ex = NULL;
    int rc = broker_db_snapshot_begin (db, err);
    if (rc == 0)
        rc = broker_export_new (&ex, db, sweep, broker_export_file_sink, &sink, err);
    if (rc == 0)
        rc = broker_export_add_all (ex, progress, arg, err);
    if (rc == 0)
        rc = broker_export_finish (ex, err);
    broker_export_destroy (&ex);
    broker_db_snapshot_end (db);
    if (rc == 0 && fsync (fd) != 0)
        rc = bsw_error_set (err, s_errno_code (errno), "%s: cannot fsync: %s", tmp,
                            strerror (errno));
    if (close (fd) != 0 && rc == 0)
        rc = bsw_error_set (err, s_errno_code (errno), "%s: cannot write: %s", tmp,
                            strerror (errno));
    if (rc == 0 && rename (tmp, zip_path) != 0)
        rc = bsw_error_set (err, BSW_EIO, "%s: cannot rename into place: %s", zip_path,
                            strerror (errno));
    if (rc)
        unlink (tmp);
    else
        s_fsync_folder (zip_path);
    return rc;
}
