/*  broker_export.c - one sweep's DataTypeGroup zip (broker_export.h).

    Order of work:
      1. read the sweep (summary, stored spec text and connectivity bytes)
         and parse them exactly as a worker does, so the connectivity GID
         and every derived GID agree with the stored time series;
      2. make the work folder beside the zip and open the zip (libzip
         writes nothing yet);
      3. write the connectivity file; then page through the result rows
         in point order: one metrics.csv row per point and, for each ok
         point, its view models and measure appended to the pack, a
         scratch file in the work folder (broker_export_files.c), and
         added to the zip as slices of it, with its stored time series (a
         series of up to 64 KiB is copied from SQLite into the pack, one
         at a time; a larger one is added from its own result file);
      4. the PSE view of the rows collected on the way, as pse.svg and
         pse.html in the work folder (plot/), added like metrics.csv;
      5. zip_close: only now does libzip open the source files and write
         them into "<zip>.tmp", one at a time, so memory stays small
         whatever the sweep's size; then fsync and rename into place.
    Cleanup always removes the work folder, and on failure the temporary
    zip; nothing at zip_path changes unless the whole zip is there.

    Costs: an ok point appends 7 or 8 images of 6-16 kB to the pack and
    makes as many zip entries (libzip keeps a few hundred bytes per entry
    until the close). Rows are read in pages of S_PAGE_ROWS, so the rows
    of a sweep of millions of points are never all in memory.

    Compression: the time series are most of the bytes, and deflating
    float64 data costs far more time than it saves space (~12% smaller at
    level 1, ~13% at level 6), so they are stored (ZIP_CM_STORE) as the
    worker wrote them: uncompressed by default, or compressed inside the
    HDF5 file when workers run with --deflate N (on the workers, in
    parallel). The other .h5 files are deflated at level 1, the texts
    (metrics.csv, sweep.json, pse.svg, pse.html) at zlib's default. What
    the export of the 500-point tutorial costs now: bench/README.md, row
    3 and "The 500-point sweep (row 3)".
*/
#include "broker_export.h"
#include "bsw_assert.h"
#include "broker_export_files.h"

#include "bsw_util.h"
#include "plot_pse.h"
#include "sim_connectivity.h"
#include "sim_metric.h"
#include "spec.h"
#include "store_connectivity.h"
#include "store_tvbfiles.h"

#include <zip.h>

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
#define S_DIR_MAX         3072         /* bytes of the work folder's path: room for a name */
#define S_DEFLATE_LEVEL   1            /* zlib's fastest */
#define S_METRIC_DELAY_US 3600000000LL /* metric folders are dated 1 h after simulations */
#define S_SUFFIX_MAX      32           /* longest suffix we add to zip_path */

typedef struct {
    broker_db_t *db;          /* borrowed */
    uint64_t sweep;           /* the sweep's id */
    bsw_error_t *err;         /* borrowed: the first failure */
    broker_sweep_info_t info; /* uuid and points; name owned */
    char *spec_json;          /* stored spec text; sweep.json's source until the close */
    spec_t *spec;             /* parsed */
    sim_connectivity_t *conn; /* the sweep's connectivity */
    char conn_gid[37];        /* its GID, as the workers computed it */
    char *ranges;             /* TVB_ranges, the same for every point */
    size_t *coords;           /* scratch: range indices of one point */
    const char *metric_names[SIM_METRIC_MAX]; /* metrics.csv columns, TVB's key order */
    size_t n_metric_names;                    /* 4, or 5 with KuramotoIndex */
    const char *zip_path;                     /* borrowed: the final zip */
    char tmp_path[S_PATH_MAX];                /* "<zip>.tmp", where libzip writes */
    char dir[S_DIR_MAX];                      /* work folder; "" until made */
    char csv_path[S_PATH_MAX];                /* metrics.csv in the work folder */
    char pack_path[S_PATH_MAX];               /* the pack in the work folder */
    broker_export_pack_t pack;                /* the view models' images; fd -1 until open */
    FILE *csv;                                /* open while rows are written */
    zip_t *zip;                               /* open until closed or discarded */
    bool zip_written;                         /* zip_close succeeded: tmp_path exists */
    int64_t base_us;                          /* naive local time at start, us */
    broker_export_progress_fn progress;       /* or NULL */
    void *progress_arg;                       /* its argument */
    int64_t progress_ms;                      /* mono ms of the last report */
    plot_pse_t *plot;                         /* the PSE view's data, or NULL (no plot) */
} s_export_t;

//  Reports progress at most every BROKER_EXPORT_PROGRESS_MS, or now when
//  `force`: the broker forwards each call, and a call per point of a
//  million-point sweep would flood it.
static void
s_report (s_export_t *ex, uint64_t done, bool force)
{
    if (!ex->progress)
        return;
    int64_t now = bsw_clock_mono_ms ();
    if (!force && now - ex->progress_ms < BROKER_EXPORT_PROGRESS_MS)
        return;
    ex->progress_ms = now;
    ex->progress (ex->progress_arg, done, 2 * ex->info.points);
}

static int
s_errno_code (int e)
{
    return (e == ENOSPC || e == EDQUOT) ? BSW_ENOSPACE : BSW_EIO;
}

//  libzip's last error on the archive, as ours. A system error of ENOSPC
//  (at the close, writing the archive) is a full disk.
static int
s_zip_fail (s_export_t *ex, const char *what)
{
    zip_error_t *ze = zip_get_error (ex->zip);
    int code = BSW_EIO;
    if (zip_error_system_type (ze) == ZIP_ET_SYS)
        code = s_errno_code (zip_error_code_system (ze));
    return bsw_error_set (ex->err, code, "%s: %s: %s", ex->tmp_path, what, zip_error_strerror (ze));
}

static void s_plot_new (s_export_t *ex);

//  --------------------------------------------------------------------------
//  Reading the sweep

static int
s_load (s_export_t *ex)
{
    int rc = broker_db_sweep_info (ex->db, ex->sweep, &ex->info, ex->err);
    if (rc)
        return rc;
    void *conn_zip = NULL;
    size_t conn_size = 0;
    char *conn_name = NULL;
    rc = broker_db_sweep_definition (ex->db, ex->sweep, &ex->spec_json, &conn_zip, &conn_size,
                                     &conn_name, ex->err);
    if (rc == 0 && !ex->spec_json)
        rc = bsw_error_set (ex->err, BSW_EFORMAT, "sweep %" PRIu64 ": no spec stored", ex->sweep);
    if (rc) {
        free (conn_zip);
        free (conn_name);
        return rc;
    }
    char label[64];
    snprintf (label, sizeof label, "sweep %" PRIu64, ex->sweep);
    //  A stored spec passed this parser when it was submitted; failing now
    //  means the database or the parser changed under it.
    rc = spec_load_string (&ex->spec, ex->spec_json, strlen (ex->spec_json), label, NULL, ex->err);
    if (rc == 0 && spec_points (ex->spec) != ex->info.points)
        rc = bsw_error_set (ex->err, BSW_EFORMAT,
                            "%s: the spec has %" PRIu64 " points, the database %" PRIu64, label,
                            spec_points (ex->spec), ex->info.points);
    if (rc == 0 && conn_zip)
        rc = store_connectivity_load_buffer (&ex->conn, conn_zip, conn_size,
                                             conn_name ? conn_name : label, ex->err);
    else if (rc == 0)
        ex->conn = sim_connectivity_new_default ();
    free (conn_zip);
    free (conn_name);
    //  Either was accepted when the sweep was submitted: failing now means
    //  the stored bytes or the parser changed, a stored-data format error.
    if (rc == BSW_ESPEC || rc == BSW_ECONNECTIVITY)
        rc = ex->err->code = BSW_EFORMAT;
    if (rc)
        return rc;
    sim_connectivity_gid (ex->conn, ex->conn_gid);
    ex->ranges = broker_export_ranges_json (ex->spec);
    ex->coords = bsw_calloc (ex->spec->n_ranges + 1, sizeof (size_t));
    ex->n_metric_names = sim_metric_names (ex->spec->setup.n_voi, ex->metric_names);
    s_plot_new (ex);
    return 0;
}

//  --------------------------------------------------------------------------
//  Work folder and zip

//  The folder part of path into dir ("." when there is none); returns the
//  file name part of path.
static const char *
s_split (const char *path, char dir[S_PATH_MAX])
{
    const char *slash = strrchr (path, '/');
    if (!slash) {
        snprintf (dir, S_PATH_MAX, ".");
        return path;
    }
    size_t n = slash == path ? 1 : (size_t) (slash - path);
    snprintf (dir, S_PATH_MAX, "%.*s", (int) n, path);
    return slash + 1;
}

static void
s_fsync_folder (const char *path)
{
    char dir[S_PATH_MAX];
    s_split (path, dir);
    int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync (fd);
        close (fd);
    }
}

//  The work folder holds only files (no sub-folders): empty it, remove it.
static void
s_remove_dir (const char *path)
{
    DIR *d = opendir (path);
    if (d) {
        char file[S_PATH_MAX];
        for (struct dirent *e; (e = readdir (d));) {
            if (!strcmp (e->d_name, ".") || !strcmp (e->d_name, ".."))
                continue;
            snprintf (file, sizeof file, "%s/%s", path, e->d_name);
            unlink (file);
        }
        closedir (d);
    }
    rmdir (path);
}

//  Work folders "<zip>.work-XXXXXX" of a build that crashed. Only one
//  build per zip_path runs at a time (broker_export.h), so any found now
//  is stale.
static void
s_remove_stale (s_export_t *ex)
{
    char dir[S_PATH_MAX], prefix[S_PATH_MAX], path[S_PATH_MAX];
    const char *base = s_split (ex->zip_path, dir);
    int n = snprintf (prefix, sizeof prefix, "%s.work-", base);
    DIR *d = opendir (dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir (d));)
        if (strncmp (e->d_name, prefix, (size_t) n) == 0 && strlen (e->d_name) == (size_t) n + 6 &&
            snprintf (path, sizeof path, "%s/%s", dir, e->d_name) < (int) sizeof path)
            s_remove_dir (path);
    closedir (d);
}

static int
s_open (s_export_t *ex)
{
    if (strlen (ex->zip_path) + S_SUFFIX_MAX > S_DIR_MAX)
        return bsw_error_set (ex->err, BSW_EINVAL, "%s: path too long", ex->zip_path);
    snprintf (ex->tmp_path, sizeof ex->tmp_path, "%s.tmp", ex->zip_path);
    s_remove_stale (ex);
    char dir[S_DIR_MAX];
    snprintf (dir, sizeof dir, "%s.work-XXXXXX", ex->zip_path);
    if (!mkdtemp (dir))
        return bsw_error_set (ex->err, s_errno_code (errno), "%s: cannot make a work folder: %s",
                              dir, strerror (errno));
    snprintf (ex->dir, sizeof ex->dir, "%s", dir);
    //  A temporary zip left by a crash is stale; libzip would only
    //  truncate it, so remove it and start clean.
    unlink (ex->tmp_path);
    int zerr = 0;
    ex->zip = zip_open (ex->tmp_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!ex->zip) {
        zip_error_t ze;
        zip_error_init_with_code (&ze, zerr);
        int rc = bsw_error_set (ex->err, BSW_EIO, "%s: cannot create: %s", ex->tmp_path,
                                zip_error_strerror (&ze));
        zip_error_fini (&ze);
        return rc;
    }
    snprintf (ex->pack_path, sizeof ex->pack_path, "%s/pack", ex->dir);
    ex->pack.path = ex->pack_path;
    ex->pack.fd = open (ex->pack_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (ex->pack.fd < 0)
        return bsw_error_set (ex->err, s_errno_code (errno), "%s: cannot create: %s", ex->pack_path,
                              strerror (errno));
    snprintf (ex->csv_path, sizeof ex->csv_path, "%s/metrics.csv", ex->dir);
    ex->csv = fopen (ex->csv_path, "w");
    if (!ex->csv)
        return bsw_error_set (ex->err, s_errno_code (errno), "%s: cannot create: %s", ex->csv_path,
                              strerror (errno));
    return 0;
}

//  Adds a file, or the slice [offset, offset + size) of it when size > 0,
//  to the zip as `entry`. libzip only stats it now and reads it at the
//  close.
static int
s_add_file (s_export_t *ex, const char *entry, const char *path, uint64_t offset, uint64_t size,
            bool h5, bool store)
{
    zip_source_t *src = zip_source_file (ex->zip, path, offset, (zip_int64_t) size);
    if (!src)
        return s_zip_fail (ex, path);
    zip_int64_t index = zip_file_add (ex->zip, entry, src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free (src);
        return s_zip_fail (ex, entry);
    }
    //  Text compresses well at the default level; HDF5 float data gains
    //  little from more effort than level 1. Time series (store) go in as
    //  they are: uncompressed, deflate would cost the export most of its
    //  time for ~12%; compressed by the workers (--deflate N: shuffle +
    //  deflate inside the HDF5 file, in parallel there), deflating them
    //  again would gain a few per cent.
    if (zip_set_file_compression (ex->zip, (zip_uint64_t) index,
                                  store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                  store ? 0
                                  : h5  ? S_DEFLATE_LEVEL
                                        : 0) != 0)
        return s_zip_fail (ex, entry);
    return 0;
}

//  Adds files of the pack to the zip as "<folder>/<name>".
static int
s_add_folder (s_export_t *ex, uint64_t folder, const broker_export_file_t *files, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char entry[S_PATH_MAX];
        snprintf (entry, sizeof entry, "%" PRIu64 "/%s", folder, files[i].name);
        int rc = s_add_file (ex, entry, ex->pack_path, files[i].offset, files[i].size, true, false);
        if (rc)
            return rc;
    }
    return 0;
}

//  The connectivity alone in its own folder with no view model, which TVB
//  imports before any folder that has one (TVB.md 11.7 b).
static int
s_add_connectivity (s_export_t *ex)
{
    broker_export_name_t name;
    broker_export_file_name ("Connectivity", ex->conn_gid, name);
    char path[S_PATH_MAX], entry[S_PATH_MAX], date[BROKER_EXPORT_DATE_BUF];
    snprintf (path, sizeof path, "%s/%s", ex->dir, name);
    snprintf (entry, sizeof entry, "connectivity/%s", name);
    broker_export_date (ex->base_us, date);
    //  One file: its two fsyncs do not matter.
    int rc = store_tvbfiles_connectivity_write (path, ex->conn, ex->conn_gid, date, ex->err);
    return rc ? rc : s_add_file (ex, entry, path, 0, 0, true, false);
}

//  --------------------------------------------------------------------------
//  metrics.csv

//  Range names come from the spec's fixed list of rangeable parameters
//  ("model.I", "coupling.a", ...), so no field needs CSV quoting.
static void
s_csv_header (s_export_t *ex)
{
    fputs ("point", ex->csv);
    for (size_t r = 0; r < ex->spec->n_ranges; r++)
        fprintf (ex->csv, ",%s", ex->spec->ranges[r].parameter);
    fputs (",status", ex->csv);
    for (size_t m = 0; m < ex->n_metric_names; m++)
        fprintf (ex->csv, ",%s", ex->metric_names[m]);
    fputc ('\n', ex->csv);
}

static void
s_csv_row (s_export_t *ex, uint64_t k, const char *status, const broker_export_metrics_t *metrics)
{
    char num[BSW_DOUBLE_BUF];
    fprintf (ex->csv, "%" PRIu64, k);
    spec_point_coords (ex->spec, k, ex->coords);
    for (size_t r = 0; r < ex->spec->n_ranges; r++)
        fprintf (ex->csv, ",%s",
                 bsw_format_double (ex->spec->ranges[r].values[ex->coords[r]], num));
    fprintf (ex->csv, ",%s", status);
    for (size_t m = 0; m < ex->n_metric_names; m++) {
        double value;
        fputc (',', ex->csv);
        if (metrics && broker_export_metrics_get (metrics, ex->metric_names[m], &value))
            fputs (bsw_format_double (value, num), ex->csv);
    }
    fputc ('\n', ex->csv);
}

//  Closes metrics.csv (where a full disk shows, if not before) and adds
//  it and the spec to the zip.
static int
s_add_texts (s_export_t *ex)
{
    int failed = ferror (ex->csv);
    int e = errno;
    if (fclose (ex->csv) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    ex->csv = NULL;
    if (failed)
        return bsw_error_set (ex->err, s_errno_code (e), "%s: cannot write: %s", ex->csv_path,
                              strerror (e));
    int rc = s_add_file (ex, "metrics.csv", ex->csv_path, 0, 0, false, false);
    if (rc)
        return rc;
    //  spec_json lives until the close, so libzip may read it in place.
    zip_source_t *src = zip_source_buffer (ex->zip, ex->spec_json, strlen (ex->spec_json), 0);
    if (!src)
        return s_zip_fail (ex, "sweep.json");
    zip_int64_t index = zip_file_add (ex->zip, "sweep.json", src, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free (src);
        return s_zip_fail (ex, "sweep.json");
    }
    //  A buffer has no mode of its own: give it the files' 0644.
    if (zip_set_file_compression (ex->zip, (zip_uint64_t) index, ZIP_CM_DEFLATE, 0) != 0 ||
        zip_file_set_external_attributes (ex->zip, (zip_uint64_t) index, 0, ZIP_OPSYS_UNIX,
                                          (zip_uint32_t) (S_IFREG | 0644) << 16) != 0)
        return s_zip_fail (ex, "sweep.json");
    return 0;
}

//  --------------------------------------------------------------------------
//  The PSE view (pse.svg, pse.html)

//  The view's data, filled as the rows stream past; none for a sweep
//  without ranges or too large to draw usefully (so none is no error).
static void
s_plot_new (s_export_t *ex)
{
    if (ex->spec->n_ranges == 0 || ex->spec->n_ranges > PLOT_PSE_MAX_RANGES ||
        ex->info.points > BROKER_EXPORT_PLOT_MAX_POINTS)
        return;
    char title[512];
    const char *name = ex->info.name && *ex->info.name ? ex->info.name : ex->spec->name;
    if (name && *name)
        snprintf (title, sizeof title, "%s (sweep %" PRIu64 ")", name, ex->sweep);
    else
        snprintf (title, sizeof title, "sweep %" PRIu64, ex->sweep);
    plot_range_t ranges[PLOT_PSE_MAX_RANGES];
    for (size_t r = 0; r < ex->spec->n_ranges; r++)
        ranges[r] = (plot_range_t){ex->spec->ranges[r].parameter, ex->spec->ranges[r].values,
                                   ex->spec->ranges[r].n_values};
    //  Only the limits just checked can refuse it: then there is no plot.
    bsw_error_t ignored;
    plot_pse_new (&ex->plot, title, ranges, ex->spec->n_ranges, ex->metric_names,
                  ex->n_metric_names, &ignored);
}

static void
s_plot_point (s_export_t *ex, uint64_t k, const broker_export_metrics_t *metrics)
{
    if (!ex->plot)
        return;
    plot_pse_set_point (ex->plot, k, metrics ? PLOT_POINT_OK : PLOT_POINT_FAILED, NULL);
    for (size_t m = 0; metrics && m < ex->n_metric_names; m++) {
        double value;
        if (broker_export_metrics_get (metrics, ex->metric_names[m], &value))
            plot_pse_set_value (ex->plot, k, m, value);
    }
}

//  Both files with the default view; more than two ranges make small
//  multiples, or a slice at the first values when they would be too many.
static int
s_add_plots (s_export_t *ex)
{
    if (!ex->plot)
        return 0;
    plot_pse_options_t options = {.slice_when_crowded = true};
    char svg[S_PATH_MAX], html[S_PATH_MAX];
    snprintf (svg, sizeof svg, "%s/pse.svg", ex->dir);
    snprintf (html, sizeof html, "%s/pse.html", ex->dir);
    int rc = plot_pse_write (ex->plot, &options, svg, PLOT_FORMAT_SVG, NULL, ex->err);
    if (rc == 0)
        rc = plot_pse_write_html (ex->plot, &options, html, ex->err);
    if (rc == 0)
        rc = s_add_file (ex, "pse.svg", svg, 0, 0, false, false);
    if (rc == 0)
        rc = s_add_file (ex, "pse.html", html, 0, 0, false, false);
    return rc;
}

//  --------------------------------------------------------------------------
//  Points

//  The stored time series of point k as zip entry `entry`: a small one is
//  copied from the database into the pack, so that libzip reads it at the
//  close like the view models; a large one is added from its own file.
static int
s_add_timeseries (s_export_t *ex, uint64_t k, const char *entry)
{
    void *data = NULL;
    size_t size = 0;
    int rc = broker_db_result_inline (ex->db, ex->sweep, k, &data, &size, ex->err);
    if (rc == 0 && data) {
        uint64_t offset = ex->pack.size;
        rc = broker_export_pack_append (&ex->pack, data, size, ex->err);
        free (data);
        return rc ? rc : s_add_file (ex, entry, ex->pack_path, offset, size, true, true);
    }
    if (rc)
        return rc;
    char path[S_PATH_MAX];
    broker_db_result_path (ex->db, ex->sweep, k, path, sizeof path);
    //  Check here, for a sentence naming the point; libzip would only
    //  fail at the close, naming nothing.
    struct stat st;
    const char *why = stat (path, &st) != 0   ? strerror (errno)
                      : !S_ISREG (st.st_mode) ? "not a regular file"
                                              : NULL;
    if (why)
        return bsw_error_set (ex->err, BSW_EIO,
                              "sweep %" PRIu64 " point %" PRIu64 ": result file %s: %s", ex->sweep,
                              k, path, why);
    return s_add_file (ex, entry, path, 0, 0, true, true);
}

//  Simulation folder k+1: the stored time series as it is, plus its view
//  models.
static int
s_add_simulation (s_export_t *ex, const broker_export_point_t *pt)
{
    uint64_t k = pt->point;
    char gid[37];
    bsw_uuid_derive (ex->info.uuid, "TimeSeriesRegion", k, gid);
    broker_export_name_t name;
    broker_export_file_name ("TimeSeriesRegion", gid, name);
    char entry[S_PATH_MAX];
    snprintf (entry, sizeof entry, "%" PRIu64 "/%s", k + 1, name);
    int rc = s_add_timeseries (ex, k, entry);
    broker_export_file_t files[BROKER_EXPORT_SIM_FILES_MAX];
    size_t count = 0;
    if (!rc)
        rc = broker_export_simulation_files (pt, files, &count, ex->err);
    if (!rc)
        rc = s_add_folder (ex, k + 1, files, count);
    return rc;
}

static int
s_add_point (s_export_t *ex, const broker_result_row_t *row)
{
    uint64_t k = row->point;
    if (!row->ok) {
        s_csv_row (ex, k, "failed", NULL);
        s_plot_point (ex, k, NULL);
        return 0;
    }
    broker_export_metrics_t metrics;
    int rc = broker_export_metrics_parse (row->metrics_json, &metrics, ex->err);
    if (rc) {
        bsw_error_prefix (ex->err, "sweep %" PRIu64 " point %" PRIu64, ex->sweep, k);
        return rc;
    }
    sim_setup_t setup;
    if ((rc = spec_point_setup (ex->spec, k, &setup, ex->err)))
        return rc;
    char sim_date[BROKER_EXPORT_DATE_BUF], metric_date[BROKER_EXPORT_DATE_BUF];
    broker_export_date (ex->base_us + (int64_t) k, sim_date);
    broker_export_date (ex->base_us + S_METRIC_DELAY_US + (int64_t) k, metric_date);
    char *range_values = broker_export_range_values_json (ex->spec, k);
    broker_export_point_t pt = {
        .pack = &ex->pack,
        .sweep_uuid = ex->info.uuid,
        .point = k,
        .setup = &setup,
        .connectivity_gid = ex->conn_gid,
        .ranges = ex->ranges,
        .range_values = range_values,
        .sim_date = sim_date,
        .metric_date = metric_date,
    };
    rc = s_add_simulation (ex, &pt);
    broker_export_file_t files[BROKER_EXPORT_METRIC_FILES];
    if (!rc)
        rc = broker_export_metric_files (&pt, &metrics, files, ex->err);
    if (!rc)
        rc = s_add_folder (ex, ex->info.points + k + 1, files, BROKER_EXPORT_METRIC_FILES);
    free (range_values);
    if (!rc) {
        s_csv_row (ex, k, "ok", &metrics);
        s_plot_point (ex, k, &metrics);
    }
    return rc;
}

//  "pending" rows for the points from *next up to k (no result yet).
static void
s_add_pending (s_export_t *ex, uint64_t *next, uint64_t k)
{
    for (; *next < k; (*next)++) {
        s_csv_row (ex, *next, "pending", NULL);
        s_report (ex, *next + 1, false);
    }
}

//  Every point in index order: rows from the database, "pending" rows for
//  the points between them.
static int
s_add_points (s_export_t *ex)
{
    uint64_t points = ex->info.points, next = 0;
    s_csv_header (ex);
    for (;;) {
        broker_result_row_t *rows = NULL;
        size_t count = 0;
        int rc =
            broker_db_result_rows (ex->db, ex->sweep, next, S_PAGE_ROWS, &rows, &count, ex->err);
        if (rc)
            return rc;
        for (size_t i = 0; rc == 0 && i < count; i++) {
            uint64_t k = rows[i].point;
            if (k < next)
                continue;
            if (k >= points) {
                rc = bsw_error_set (ex->err, BSW_EFORMAT,
                                    "sweep %" PRIu64 " has a result for point %" PRIu64
                                    " of %" PRIu64,
                                    ex->sweep, k, points);
                break;
            }
            s_add_pending (ex, &next, k);
            rc = s_add_point (ex, &rows[i]);
            next = k + 1;
            s_report (ex, next, false);
        }
        broker_result_rows_free (rows, count);
        if (rc)
            return rc;
        if (count < S_PAGE_ROWS)
            break;
    }
    s_add_pending (ex, &next, points);
    s_report (ex, points, true);
    return 0;
}

//  --------------------------------------------------------------------------
//  Closing

//  libzip's fraction of the close, as the second half of the work.
static void
s_zip_progress (zip_t *zip, double fraction, void *arg)
{
    s_export_t *ex = arg;
    uint64_t points = ex->info.points;
    s_report (ex, points + (uint64_t) (fraction * (double) points), false);
}

//  The close writes the whole archive; then it is made durable and takes
//  the final name, replacing an older export in one step.
static int
s_close (s_export_t *ex)
{
    //  A network file system may report a failed write only at close.
    int rc = close (ex->pack.fd);
    ex->pack.fd = -1;
    if (rc != 0)
        return bsw_error_set (ex->err, s_errno_code (errno), "%s: cannot write: %s", ex->pack_path,
                              strerror (errno));
    zip_register_progress_callback_with_state (ex->zip, 0.001, s_zip_progress, NULL, ex);
    if (zip_close (ex->zip) != 0)
        return s_zip_fail (ex, "cannot write the zip");
    ex->zip = NULL;
    ex->zip_written = true;
    int fd = open (ex->tmp_path, O_RDONLY | O_CLOEXEC);
    int e = 0;
    if (fd < 0 || fsync (fd) != 0)
        e = errno;
    if (fd >= 0)
        close (fd);
    if (e)
        return bsw_error_set (ex->err, s_errno_code (e), "%s: cannot fsync: %s", ex->tmp_path,
                              strerror (e));
    if (rename (ex->tmp_path, ex->zip_path) != 0)
        return bsw_error_set (ex->err, BSW_EIO, "%s: cannot rename into place: %s", ex->zip_path,
                              strerror (errno));
    ex->zip_written = false;
    s_fsync_folder (ex->zip_path);
    s_report (ex, 2 * ex->info.points, true);
    return 0;
}

static void
s_cleanup (s_export_t *ex)
{
    if (ex->csv)
        fclose (ex->csv);
    if (ex->pack.fd >= 0)
        close (ex->pack.fd);
    //  zip_discard writes nothing: the archive never reaches the disk.
    if (ex->zip)
        zip_discard (ex->zip);
    if (ex->zip_written)
        unlink (ex->tmp_path);
    if (ex->dir[0])
        s_remove_dir (ex->dir);
    free (ex->spec_json);
    free (ex->ranges);
    free (ex->coords);
    spec_destroy (&ex->spec);
    plot_pse_destroy (&ex->plot);
    sim_connectivity_destroy (&ex->conn);
    broker_sweep_info_fini (&ex->info);
}

int
broker_export_build (broker_db_t *db, uint64_t sweep, const char *zip_path,
                     broker_export_progress_fn progress, void *arg, bsw_error_t *err)
{
    BSW_ASSERT (db);
    BSW_ASSERT (zip_path);
    bsw_error_t local;
    s_export_t ex = {
        .db = db,
        .sweep = sweep,
        .err = err ? err : &local,
        .zip_path = zip_path,
        .pack = {.fd = -1},
        .base_us = broker_export_now_us (),
        .progress = progress,
        .progress_arg = arg,
        .progress_ms = bsw_clock_mono_ms (),
    };
    bsw_error_clear (ex.err);
    int rc = s_load (&ex);
    if (!rc)
        rc = s_open (&ex);
    if (!rc)
        rc = s_add_connectivity (&ex);
    if (!rc)
        rc = s_add_points (&ex);
    if (!rc)
        rc = s_add_texts (&ex);
    if (!rc)
        rc = s_add_plots (&ex);
    if (!rc)
        rc = s_close (&ex);
    s_cleanup (&ex);
    return rc;
}
