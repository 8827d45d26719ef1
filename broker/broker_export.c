/*  broker_export.c - one sweep's DataTypeGroup zip, or a family's (a grid
    and its refinements) in one zip, written front to back
    (broker_export.h).

    Order of work:
      1. read each member sweep (summary, stored spec text and
         connectivity bytes) and parse them exactly as a worker does, so
         the connectivity GID and every derived GID agree with what the
         workers computed; a lone sweep is a family of one member;
      2. each distinct connectivity file, first in the zip;
      3. per ok point (as the broker commits them, or member by member in
         point order for a whole export): its stored array read from the
         sweep's series file and decoded, its TimeSeriesRegion image made
         by patching the member's template (store_timeseries_template.h:
         a memcpy, not a libhdf5 run), its view models and measure made in
         memory; each added to the zip at once;
      4. at the finish, one pass over every result row of every member in
         order: metrics.csv streamed into the zip and the PSE view's data,
         then sweep.json (and refinements/level-L.json), pse.svg and
         pse.html (drawn into a scratch folder by plot/, then copied in),
         README.txt when there is something TVB cannot show (metrics
         only, a design that is not a grid, a family), and the central
         directory.
    Nothing of a point is held after it is added, and the zip's central
    directory spills to a scratch file (store_zip.h): memory is flat in
    the sweep's size. The scratch folder ($TMPDIR) holds the connectivity
    and the plots while they are copied in, and goes with the export.

    Costs, per tutorial point (bench/README.md, "The 500-point sweep"):
    reading and copying ~620 KB, a template patch, and 7 small HDF5 images
    deflated at level 1; the series are stored, since deflating float64
    costs far more time than it saves (store_zip's bench). A family costs
    the sum of its members, plus per member its parsed spec, connectivity
    and time stamps (a few hundred KB).
*/
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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_PAGE_ROWS       1024         /* result rows read per query */
#define S_PATH_MAX        4096         /* bytes of any path we build */
#define S_METRIC_DELAY_US 3600000000LL /* metric folders are dated 1 h after simulations */
#define S_COPY_CHUNK      (1u << 20)   /* bytes read at once when copying a file in */
#define S_TEXT_LEVEL      6            /* zlib's default level, for texts */

//  One sweep of the export: the sweep itself, or one member of a family.
typedef struct {
    uint64_t sweep;                    /* the sweep's id */
    unsigned level;                    /* 0: the parent (or a lone sweep); 1, 2, ...: refinements */
    uint64_t first;                    /* export number of its point 0 (0 for a lone sweep) */
    broker_sweep_info_t info;          /* uuid, points, name, created; name owned */
    char *spec_json;                   /* stored spec text: sweep.json or refinements/ */
    spec_t *spec;                      /* parsed */
    sim_connectivity_t *conn;          /* the sweep's connectivity */
    char conn_gid[37];                 /* its GID, as the workers computed it */
    char *ranges;                      /* TVB_ranges, the same for every point */
    size_t *axis;                      /* axis[c]: this spec's range of export axis c */
    int64_t base_us;                   /* naive local time of the submission, us */
    uint64_t values;                   /* values in a point's series; 0: metrics only */
    double *times;                     /* the series' time stamps, shared by every point */
    store_timeseries_template_t *tmpl; /* made for the first point; NULL if it failed */
    bool no_template;                  /* making one failed: libhdf5 for every point */
    uint8_t *added;                    /* bitmap: points whose folders are in the zip */
    uint64_t n_added;                  /* how many */
    uint8_t *seen;                     /* bitmap, following: points with a result */
    uint64_t low;                      /* following: every point below has a result */
    bool ended;                        /* following: ended, and all it had then is added */
} s_member_t;

struct broker_export_t {
    broker_db_t *db;                          /* borrowed */
    s_member_t *members;                      /* the parent first, then its refinements */
    size_t n_members;                         /* 1 for a lone sweep */
    bool family;                              /* made as a family: level column, refinements/ */
    uint64_t points;                          /* points of all members: P of the folder numbers */
    size_t n_axes;                            /* the parent's ranges: metrics.csv's axes */
    const char *metric_names[SIM_METRIC_MAX]; /* metrics.csv columns, TVB's key order */
    size_t n_metric_names;                    /* 4, or 5 with KuramotoIndex */
    double *point_values;                     /* scratch: one point's values, per range */
    char *line;                               /* scratch: one metrics.csv row */
    size_t line_size;                         /* its bytes */
    double *data;                             /* scratch: one point's series, decoded */
    void *raw;                                /* scratch: its stored bytes (values * 8 at most) */
    char (*conn_gids)[37];                    /* connectivities in the zip, by GID */
    size_t n_conn;                            /* how many */
    store_zip_t *zip;                         /* the zip being written; NULL for one image */
    char dir[S_PATH_MAX];                     /* scratch folder; "" until made */
};

//  --------------------------------------------------------------------------
//  Reading the sweeps

//  Member m's sweep, spec and connectivity, and what its points need.
static int
s_load_member (s_member_t *m, broker_db_t *db, bsw_error_t *err)
{
    int rc = broker_db_sweep_info (db, m->sweep, &m->info, err);
    if (rc)
        return rc;
    void *conn_zip = NULL;
    size_t conn_size = 0;
    char *conn_name = NULL;
    rc = broker_db_sweep_definition (db, m->sweep, &m->spec_json, &conn_zip, &conn_size, &conn_name,
                                     err);
    if (rc == 0 && !m->spec_json)
        rc = bsw_error_set (err, BSW_EFORMAT, "sweep %" PRIu64 ": no spec stored", m->sweep);
    char label[64];
    snprintf (label, sizeof label, "sweep %" PRIu64, m->sweep);
    //  A stored spec passed this parser when it was submitted; failing now
    //  means the database or the parser changed under it.
    if (rc == 0)
        rc = spec_load_string (&m->spec, m->spec_json, strlen (m->spec_json), label, NULL, err);
    if (rc == 0 && spec_points (m->spec) != m->info.points)
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "%s: the spec has %" PRIu64 " points, the database %" PRIu64, label,
                            spec_points (m->spec), m->info.points);
    if (rc == 0 && conn_zip)
        rc = store_connectivity_load_buffer (&m->conn, conn_zip, conn_size,
                                             conn_name ? conn_name : label, err);
    else if (rc == 0)
        m->conn = sim_connectivity_new_default ();
    free (conn_zip);
    free (conn_name);
    //  Either was accepted when the sweep was submitted: failing now means
    //  the stored bytes or the parser changed, a stored-data format error.
    if (rc == BSW_ESPEC || rc == BSW_ECONNECTIVITY)
        rc = err ? (err->code = BSW_EFORMAT) : BSW_EFORMAT;
    if (rc)
        return rc;
    sim_connectivity_gid (m->conn, m->conn_gid);
    m->ranges = broker_export_ranges_json (m->spec);
    m->base_us = broker_export_naive_us (m->info.created);
    m->added = bsw_calloc ((size_t) ((m->info.points + 7) / 8) + 1, 1);
    uint64_t samples = sim_setup_samples (&m->spec->setup);
    if (m->spec->keep == SPEC_KEEP_ALL) {
        m->values = samples * m->spec->setup.n_voi * m->conn->n;
        if (m->values > BROKER_DB_SERIES_MAX / 8)
            return bsw_error_set (err, BSW_EFORMAT, "%s: a series of %" PRIu64 " values", label,
                                  m->values);
        m->times = bsw_calloc ((size_t) samples + 1, sizeof (double));
        sim_monitor_times (&m->spec->setup, m->times, (size_t) samples);
    }
    return 0;
}

//  axis[c] of member m: the range of its spec that ranges over the
//  parent's parameter c. A refinement ranges over the parent's parameters,
//  in any order, and over no other.
static int
s_map_axes (broker_export_t *self, s_member_t *m, bsw_error_t *err)
{
    const spec_t *parent = self->members[0].spec;
    m->axis = bsw_calloc (self->n_axes + 1, sizeof (size_t));
    bool same = m->spec->n_ranges == self->n_axes;
    for (size_t c = 0; same && c < self->n_axes; c++) {
        size_t r = 0;
        while (r < m->spec->n_ranges &&
               strcmp (m->spec->ranges[r].parameter, parent->ranges[c].parameter) != 0)
            r++;
        same = r < m->spec->n_ranges;
        m->axis[c] = r;
    }
    if (!same)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " (level %u) does not range over the parameters of "
                              "its parent, sweep %" PRIu64,
                              m->sweep, m->level, self->members[0].sweep);
    return 0;
}

//  Every member, its axes against the parent's, the numbering of the
//  points through the family, and the scratch buffers sized for the
//  largest member.
static int
s_load (broker_export_t *self, bsw_error_t *err)
{
    int rc = 0;
    uint64_t values = 0;
    size_t n_voi = 0;
    for (size_t i = 0; rc == 0 && i < self->n_members; i++) {
        s_member_t *m = &self->members[i];
        rc = s_load_member (m, self->db, err);
        if (rc == 0 && i == 0)
            self->n_axes = m->spec->n_ranges;
        if (rc == 0)
            rc = s_map_axes (self, m, err);
        if (rc)
            break;
        m->first = self->points;
        self->points += m->info.points;
        values = m->values > values ? m->values : values;
        n_voi = m->spec->setup.n_voi > n_voi ? m->spec->setup.n_voi : n_voi;
    }
    if (rc)
        return rc;
    //  Every member's metrics fit the widest list (KuramotoIndex is the
    //  one metric that depends on the VOIs).
    self->n_metric_names = sim_metric_names (n_voi, self->metric_names);
    self->point_values = bsw_calloc (self->n_axes + 1, sizeof (double));
    //  The point's number and level, its values and metrics, the status.
    self->line_size = (self->n_axes + self->n_metric_names + 2) * (BSW_DOUBLE_BUF + 1) + 64;
    self->line = bsw_malloc (self->line_size);
    if (values) {
        self->data = bsw_malloc ((size_t) values * sizeof (double));
        self->raw = bsw_malloc ((size_t) values * sizeof (double));
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

//  A connectivity alone in its own folder with no view model, which TVB
//  imports before any folder that has one (TVB.md 11.7 b): connectivity/
//  for the first, connectivity-2/, ... for a family member's other one.
//  A connectivity already in the zip is not written again.
static int
s_add_connectivity (broker_export_t *self, const s_member_t *m, bsw_error_t *err)
{
    for (size_t i = 0; i < self->n_conn; i++)
        if (!strcmp (self->conn_gids[i], m->conn_gid))
            return 0;
    broker_export_name_t name;
    broker_export_file_name ("Connectivity", m->conn_gid, name);
    char path[S_PATH_MAX + 128], entry[S_PATH_MAX], date[BROKER_EXPORT_DATE_BUF];
    int rc = s_scratch (self, err);
    if (rc)
        return rc;
    snprintf (path, sizeof path, "%s/%s", self->dir, name);
    if (self->n_conn == 0)
        snprintf (entry, sizeof entry, "connectivity/%s", name);
    else
        snprintf (entry, sizeof entry, "connectivity-%zu/%s", self->n_conn + 1, name);
    broker_export_date (m->base_us, date);
    rc = store_tvbfiles_connectivity_write (path, m->conn, m->conn_gid, date, err);
    if (rc == 0)
        rc = s_add_file (self, entry, path, 1, err);
    unlink (path);
    if (rc == 0) {
        self->conn_gids = bsw_realloc (self->conn_gids, (self->n_conn + 1) * sizeof (char[37]));
        memcpy (self->conn_gids[self->n_conn++], m->conn_gid, 37);
    }
    return rc;
}

//  --------------------------------------------------------------------------
//  Points

//  The TimeSeriesRegion image of member m's point from its stored bytes.
static int
s_series_image (broker_export_t *self, s_member_t *m, const broker_result_row_t *row,
                const char *date, void **image_p, size_t *size_p, bsw_error_t *err)
{
    uint64_t k = row->point;
    if (!row->has_series)
        return bsw_error_set (err, BSW_ENOTFOUND,
                              "sweep %" PRIu64 " point %" PRIu64 ": no time series stored",
                              m->sweep, k);
    if (row->series_size > m->values * sizeof (double) + 64 + m->values * sizeof (double) / 8)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " point %" PRIu64 ": a stored series of %" PRIu64
                              " bytes is larger than its %" PRIu64 " values can make",
                              m->sweep, k, row->series_size, m->values);
    //  A deflated series may be a little larger than raw: read it into a
    //  buffer of its own size then.
    void *raw = self->raw;
    bool own = row->series_size > m->values * sizeof (double);
    if (own)
        raw = bsw_malloc ((size_t) row->series_size);
    int rc = broker_db_series_read (self->db, m->sweep, row, raw, err);
    if (rc == 0)
        rc = store_series_decode ((store_series_encoding_t) row->series_encoding, raw,
                                  (size_t) row->series_size, self->data, (size_t) m->values, err);
    if (own)
        free (raw);
    if (rc) {
        bsw_error_prefix (err, "sweep %" PRIu64 " point %" PRIu64, m->sweep, k);
        return rc;
    }
    const sim_setup_t *s = &m->spec->setup;
    const char *voi[SIM_MAX_VOI];
    for (size_t v = 0; v < s->n_voi; v++)
        voi[v] = s->model->voi_names[s->voi[v]];
    char gid[37];
    bsw_uuid_derive (m->info.uuid, "TimeSeriesRegion", k, gid);
    store_timeseries_t ts = {.gid = gid,
                             .connectivity_gid = m->conn_gid,
                             .monitor = sim_monitor_name (s->monitor),
                             .voi_names = voi,
                             .n_voi = s->n_voi,
                             .n_time = (size_t) sim_setup_samples (s),
                             .n_nodes = m->conn->n,
                             .data = self->data,
                             .time = m->times,
                             .sample_period = sim_setup_sample_period (s),
                             .create_date = date,
                             //  Stored deflated: the file is too, as TVB reads it.
                             .deflate = row->series_encoding ? 1 : 0};
    if (!m->tmpl && !m->no_template && !ts.deflate) {
        bsw_error_t ignored;
        if (store_timeseries_template_new (&m->tmpl, &ts, &ignored))
            m->no_template = true;
    }
    if (m->tmpl && store_timeseries_template_fits (m->tmpl, &ts))
        return store_timeseries_template_image (m->tmpl, &ts, image_p, size_p, err);
    return store_timeseries_image (&ts, image_p, size_p, err);
}

//  Simulation folder g+1 (the series and its view models) and metric
//  folder P+g+1 of an ok point k of member m, g = m->first + k its number
//  in the export. GIDs and dates are the member's own, so a member's
//  datatypes are the same in a family's zip as in its own.
static int
s_add_point (broker_export_t *self, s_member_t *m, const broker_result_row_t *row, bsw_error_t *err)
{
    uint64_t k = row->point;
    if (k >= m->info.points)
        return bsw_error_set (err, BSW_EFORMAT,
                              "sweep %" PRIu64 " has a result for point %" PRIu64 " of %" PRIu64,
                              m->sweep, k, m->info.points);
    if (!row->ok || (m->added[k / 8] >> (k % 8)) & 1 || m->values == 0)
        return 0;
    broker_export_metrics_t metrics;
    int rc = broker_export_metrics_parse (row->metrics_json, &metrics, err);
    if (rc) {
        bsw_error_prefix (err, "sweep %" PRIu64 " point %" PRIu64, m->sweep, k);
        return rc;
    }
    sim_setup_t setup;
    if ((rc = spec_point_setup (m->spec, k, &setup, err)))
        return rc;
    uint64_t g = m->first + k;
    char sim_date[BROKER_EXPORT_DATE_BUF], metric_date[BROKER_EXPORT_DATE_BUF];
    broker_export_date (m->base_us + (int64_t) k, sim_date);
    broker_export_date (m->base_us + S_METRIC_DELAY_US + (int64_t) k, metric_date);
    void *image = NULL;
    size_t size = 0;
    rc = s_series_image (self, m, row, sim_date, &image, &size, err);
    if (rc == 0) {
        char gid[37], entry[BROKER_EXPORT_NAME_MAX + 32];
        bsw_uuid_derive (m->info.uuid, "TimeSeriesRegion", k, gid);
        broker_export_name_t name;
        broker_export_file_name ("TimeSeriesRegion", gid, name);
        snprintf (entry, sizeof entry, "%" PRIu64 "/%s", g + 1, name);
        rc = store_zip_add (self->zip, entry, image, size, STORE_ZIP_STORED, err);
        free (image);
    }
    //  The point's own values, whatever the design (spec_point_values).
    char *range_values = broker_export_range_values_json (m->spec, k);
    broker_export_point_t pt = {
        .zip = self->zip,
        .sim_folder = g + 1,
        .metric_folder = self->points + g + 1,
        .sweep_uuid = m->info.uuid,
        .point = k,
        .setup = &setup,
        .connectivity_gid = m->conn_gid,
        .ranges = m->ranges,
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
        m->added[k / 8] |= (uint8_t) (1u << (k % 8));
        m->n_added++;
    }
    return rc;
}

//  The member that holds export point g, and g's number in it.
static s_member_t *
s_member_of (broker_export_t *self, uint64_t g, uint64_t *k)
{
    for (size_t i = self->n_members; i-- > 0;)
        if (g >= self->members[i].first) {
            *k = g - self->members[i].first;
            return &self->members[i];
        }
    *k = g;
    return &self->members[0];
}

int
broker_export_add_points (broker_export_t *self, const uint64_t *points, size_t count,
                          bsw_error_t *err)
{
    BSW_ASSERT (self && (points || count == 0));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        uint64_t k;
        s_member_t *m = s_member_of (self, points[i], &k);
        broker_result_row_t *rows = NULL;
        size_t n = 0;
        rc = broker_db_result_rows (self->db, m->sweep, k, 1, &rows, &n, err);
        if (rc == 0 && n == 1 && rows[0].point == k)
            rc = s_add_point (self, m, &rows[0], err);
        broker_result_rows_free (rows, n);
    }
    return rc;
}

//  One member's share of broker_export_add_new.
static int
s_follow_member (broker_export_t *self, s_member_t *m, bsw_error_t *err)
{
    if (!m->seen)
        m->seen = bsw_calloc ((size_t) ((m->info.points + 7) / 8) + 1, 1);
    //  The state first: whatever it had when it ended is committed by now.
    broker_sweep_state_t state;
    int rc = broker_db_sweep_state (self->db, m->sweep, &state, err);
    //  Points finish about in order, so the rows from `low` on are few:
    //  the recent ones and the stragglers.
    uint64_t next = m->low;
    while (rc == 0) {
        broker_result_row_t *rows = NULL;
        size_t count = 0;
        rc = broker_db_result_rows (self->db, m->sweep, next, S_PAGE_ROWS, &rows, &count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            uint64_t k = rows[i].point;
            rc = s_add_point (self, m, &rows[i], err);
            if (rc == 0 && k < m->info.points)
                m->seen[k / 8] |= (uint8_t) (1u << (k % 8));
            next = k + 1;
        }
        broker_result_rows_free (rows, count);
        if (count < S_PAGE_ROWS)
            break;
    }
    while (m->low < m->info.points && (m->seen[m->low / 8] >> (m->low % 8)) & 1)
        m->low++;
    if (rc == 0 && state != BROKER_SWEEP_RUNNING)
        m->ended = true;
    return rc;
}

int
broker_export_add_new (broker_export_t *self, bool *ended, bsw_error_t *err)
{
    BSW_ASSERT (self && ended);
    *ended = false;
    int rc = 0;
    bool all = true;
    for (size_t i = 0; rc == 0 && i < self->n_members; i++) {
        if (!self->members[i].ended)
            rc = s_follow_member (self, &self->members[i], err);
        all = all && self->members[i].ended;
    }
    *ended = rc == 0 && all;
    return rc;
}

int
broker_export_add_all (broker_export_t *self, broker_export_progress_fn progress, void *arg,
                       bsw_error_t *err)
{
    BSW_ASSERT (self);
    int64_t reported = bsw_clock_mono_ms ();
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < self->n_members; i++) {
        s_member_t *m = &self->members[i];
        uint64_t next = 0;
        while (rc == 0) {
            broker_result_row_t *rows = NULL;
            size_t count = 0;
            rc = broker_db_result_rows (self->db, m->sweep, next, S_PAGE_ROWS, &rows, &count, err);
            for (size_t r = 0; rc == 0 && r < count; r++) {
                rc = s_add_point (self, m, &rows[r], err);
                next = rows[r].point + 1;
                int64_t now = bsw_clock_mono_ms ();
                if (progress && now - reported >= BROKER_EXPORT_PROGRESS_MS) {
                    uint64_t done = m->first + (next < m->info.points ? next : m->info.points);
                    progress (arg, done, self->points);
                    reported = now;
                }
            }
            broker_result_rows_free (rows, count);
            if (count < S_PAGE_ROWS)
                break;
        }
    }
    if (rc == 0 && progress)
        progress (arg, self->points, self->points);
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
    const spec_t *parent = self->members[0].spec;
    int rc = s_write_text (self, "point", err);
    for (size_t c = 0; rc == 0 && c < self->n_axes; c++) {
        rc = s_write_text (self, ",", err);
        if (rc == 0)
            rc = s_write_text (self, parent->ranges[c].parameter, err);
    }
    if (rc == 0 && self->family)
        rc = s_write_text (self, ",level", err);
    if (rc == 0)
        rc = s_write_text (self, ",status", err);
    for (size_t m = 0; rc == 0 && m < self->n_metric_names; m++) {
        rc = s_write_text (self, ",", err);
        if (rc == 0)
            rc = s_write_text (self, self->metric_names[m], err);
    }
    return rc ? rc : s_write_text (self, "\n", err);
}

//  Point k of member m: its number in the export, its values (the spec's,
//  in the parent's axis order), its level in a family, its status and
//  metrics.
static int
s_csv_row (broker_export_t *self, const s_member_t *m, uint64_t k, const char *status,
           const broker_export_metrics_t *metrics, bsw_error_t *err)
{
    char *line = self->line;
    size_t size = self->line_size;
    char num[BSW_DOUBLE_BUF];
    size_t at = (size_t) snprintf (line, size, "%" PRIu64, m->first + k);
    spec_point_values (m->spec, k, self->point_values);
    for (size_t c = 0; c < self->n_axes; c++)
        at += (size_t) snprintf (line + at, size - at, ",%s",
                                 bsw_format_double (self->point_values[m->axis[c]], num));
    if (self->family)
        at += (size_t) snprintf (line + at, size - at, ",%u", m->level);
    at += (size_t) snprintf (line + at, size - at, ",%s", status);
    for (size_t i = 0; i < self->n_metric_names; i++) {
        double value;
        bool has = metrics && broker_export_metrics_get (metrics, self->metric_names[i], &value);
        at += (size_t) snprintf (line + at, size - at, ",%s",
                                 has ? bsw_format_double (value, num) : "");
    }
    snprintf (line + at, size - at, "\n");
    return s_write_text (self, line, err);
}

//  "pending" rows for the points from *next up to k (no result yet).
static int
s_csv_pending (broker_export_t *self, const s_member_t *m, uint64_t *next, uint64_t k,
               bsw_error_t *err)
{
    int rc = 0;
    for (; rc == 0 && *next < k; (*next)++)
        rc = s_csv_row (self, m, *next, "pending", NULL, err);
    return rc;
}

//  A sweep that is no grid, or a family: a scatter (plot_pse.h) over the
//  parent's axes (a grid's bounded by its values), every member's points
//  at their values in export order, each at its member's level.
static plot_pse_t *
s_plot_scatter (broker_export_t *self, const char *title)
{
    const spec_t *parent = self->members[0].spec;
    plot_axis_t axes[PLOT_PSE_MAX_RANGES];
    for (size_t c = 0; c < parent->n_ranges; c++) {
        const spec_range_t *range = &parent->ranges[c];
        axes[c] = (plot_axis_t){range->parameter, range->lo, range->hi};
        for (size_t i = 0; i < range->n_values; i++) {
            axes[c].lo = i ? fmin (axes[c].lo, range->values[i]) : range->values[i];
            axes[c].hi = i ? fmax (axes[c].hi, range->values[i]) : range->values[i];
        }
    }
    plot_pse_t *plot = NULL;
    bsw_error_t ignored;
    int rc = plot_pse_new_scatter (&plot, title, axes, parent->n_ranges, self->metric_names,
                                   self->n_metric_names, &ignored);
    double values[PLOT_PSE_MAX_RANGES], axis_values[PLOT_PSE_MAX_RANGES];
    for (size_t i = 0; rc == 0 && i < self->n_members; i++) {
        const s_member_t *m = &self->members[i];
        for (uint64_t k = 0; rc == 0 && k < m->info.points; k++) {
            spec_point_values (m->spec, k, values);
            for (size_t c = 0; c < parent->n_ranges; c++)
                axis_values[c] = values[m->axis ? m->axis[c] : c];
            rc = plot_pse_add_point (plot, axis_values, m->level, NULL, &ignored);
        }
    }
    //  Only the limits checked by the caller can refuse it: then no plot.
    if (rc)
        plot_pse_destroy (&plot);
    return plot;
}

//  The view's data, filled as the rows pass; none for a sweep without
//  ranges or too large to draw usefully (so none is no error).
static plot_pse_t *
s_plot_new (broker_export_t *self)
{
    const s_member_t *m = &self->members[0];
    if (m->spec->n_ranges == 0 || m->spec->n_ranges > PLOT_PSE_MAX_RANGES ||
        self->points > BROKER_EXPORT_PLOT_MAX_POINTS)
        return NULL;
    char title[512];
    const char *name = m->info.name && *m->info.name ? m->info.name : m->spec->name;
    if (name && *name)
        snprintf (title, sizeof title, "%s (sweep %" PRIu64 ")", name, m->sweep);
    else
        snprintf (title, sizeof title, "sweep %" PRIu64, m->sweep);
    if (self->family || !spec_is_grid (m->spec))
        return s_plot_scatter (self, title);
    plot_range_t ranges[PLOT_PSE_MAX_RANGES];
    for (size_t r = 0; r < m->spec->n_ranges; r++)
        ranges[r] = (plot_range_t){m->spec->ranges[r].parameter, m->spec->ranges[r].values,
                                   m->spec->ranges[r].n_values};
    //  Only the limits just checked can refuse it: then there is no plot.
    plot_pse_t *plot = NULL;
    bsw_error_t ignored;
    plot_pse_new (&plot, title, ranges, m->spec->n_ranges, self->metric_names, self->n_metric_names,
                  &ignored);
    return plot;
}

static void
s_plot_point (broker_export_t *self, plot_pse_t *plot, uint64_t g,
              const broker_export_metrics_t *metrics)
{
    if (!plot)
        return;
    plot_pse_set_point (plot, g, metrics ? PLOT_POINT_OK : PLOT_POINT_FAILED, NULL);
    for (size_t m = 0; metrics && m < self->n_metric_names; m++) {
        double value;
        if (broker_export_metrics_get (metrics, self->metric_names[m], &value))
            plot_pse_set_value (plot, g, m, value);
    }
}

//  Member m's rows of metrics.csv, in point order, from every row as it is
//  now; the PSE view's data on the way.
static int
s_csv_member (broker_export_t *self, const s_member_t *m, plot_pse_t *plot, bsw_error_t *err)
{
    int rc = 0;
    uint64_t next = 0;
    while (rc == 0) {
        broker_result_row_t *rows = NULL;
        size_t count = 0;
        rc = broker_db_result_rows (self->db, m->sweep, next, S_PAGE_ROWS, &rows, &count, err);
        for (size_t i = 0; rc == 0 && i < count; i++) {
            uint64_t k = rows[i].point;
            if (k >= m->info.points)
                rc = bsw_error_set (err, BSW_EFORMAT,
                                    "sweep %" PRIu64 " has a result for point %" PRIu64
                                    " of %" PRIu64,
                                    m->sweep, k, m->info.points);
            if (rc == 0)
                rc = s_csv_pending (self, m, &next, k, err);
            broker_export_metrics_t metrics;
            bool ok = rows[i].ok;
            if (rc == 0 && ok &&
                (rc = broker_export_metrics_parse (rows[i].metrics_json, &metrics, err)))
                bsw_error_prefix (err, "sweep %" PRIu64 " point %" PRIu64, m->sweep, k);
            if (rc == 0)
                rc = s_csv_row (self, m, k, ok ? "ok" : "failed", ok ? &metrics : NULL, err);
            if (rc == 0)
                s_plot_point (self, plot, m->first + k, ok ? &metrics : NULL);
            next = k + 1;
        }
        broker_result_rows_free (rows, count);
        if (count < S_PAGE_ROWS)
            break;
    }
    return rc ? rc : s_csv_pending (self, m, &next, m->info.points, err);
}

//  metrics.csv: every member's rows, the parent's first.
static int
s_add_csv (broker_export_t *self, plot_pse_t *plot, bsw_error_t *err)
{
    int rc = store_zip_begin (self->zip, "metrics.csv", S_TEXT_LEVEL, STORE_ZIP_SIZE_UNKNOWN, err);
    if (rc == 0)
        rc = s_csv_header (self, err);
    for (size_t i = 0; rc == 0 && i < self->n_members; i++)
        rc = s_csv_member (self, &self->members[i], plot, err);
    return rc ? rc : store_zip_end (self->zip, err);
}

//  sweep.json (the parent's spec, or the lone sweep's), then each
//  refinement's as refinements/level-L.json, or level-L-N.json (N = 1,
//  2, ... in member order) when a level has more than one sweep.
static int
s_add_specs (broker_export_t *self, bsw_error_t *err)
{
    const s_member_t *parent = &self->members[0];
    int rc = store_zip_add (self->zip, "sweep.json", parent->spec_json, strlen (parent->spec_json),
                            S_TEXT_LEVEL, err);
    for (size_t i = 1; rc == 0 && i < self->n_members; i++) {
        const s_member_t *m = &self->members[i];
        size_t same = 0, nth = 0;
        for (size_t j = 1; j < self->n_members; j++)
            if (self->members[j].level == m->level) {
                same++;
                nth += j <= i;
            }
        char entry[64];
        if (same > 1)
            snprintf (entry, sizeof entry, "refinements/level-%u-%zu.json", m->level, nth);
        else
            snprintf (entry, sizeof entry, "refinements/level-%u.json", m->level);
        rc = store_zip_add (self->zip, entry, m->spec_json, strlen (m->spec_json), S_TEXT_LEVEL,
                            err);
    }
    return rc;
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

//  README.txt, when the zip holds something TVB cannot show as it is
//  (broker_export_readme says what); none for a lone grid that keeps its
//  series.
static int
s_add_readme (broker_export_t *self, bool plotted, bsw_error_t *err)
{
    broker_export_readme_member_t members[BROKER_EXPORT_FAMILY_MAX];
    for (size_t i = 0; i < self->n_members; i++)
        members[i] = (broker_export_readme_member_t){.sweep = self->members[i].sweep,
                                                     .level = self->members[i].level,
                                                     .points = self->members[i].info.points,
                                                     .spec = self->members[i].spec};
    char *text = broker_export_readme (members, self->n_members, self->family, plotted);
    int rc =
        text ? store_zip_add (self->zip, "README.txt", text, strlen (text), S_TEXT_LEVEL, err) : 0;
    free (text);
    return rc;
}

int
broker_export_finish (broker_export_t *self, bsw_error_t *err)
{
    BSW_ASSERT (self);
    plot_pse_t *plot = s_plot_new (self);
    int rc = s_add_csv (self, plot, err);
    if (rc == 0)
        rc = s_add_specs (self, err);
    if (rc == 0)
        rc = s_add_plots (self, plot, err);
    if (rc == 0)
        rc = s_add_readme (self, plot != NULL, err);
    if (rc == 0)
        rc = store_zip_finish (self->zip, err);
    plot_pse_destroy (&plot);
    return rc;
}

//  --------------------------------------------------------------------------
//  Life

//  An export of these members (not yet loaded), or of one sweep.
static broker_export_t *
s_new (broker_db_t *db, const broker_export_member_t *members, size_t count, bool family)
{
    broker_export_t *self = bsw_calloc (1, sizeof *self);
    self->db = db;
    self->family = family;
    self->n_members = count;
    self->members = bsw_calloc (count, sizeof (s_member_t));
    for (size_t i = 0; i < count; i++) {
        self->members[i].sweep = members[i].sweep;
        self->members[i].level = members[i].level;
    }
    return self;
}

//  A family's members as broker_export_new_family wants them.
static int
s_check_family (const broker_export_member_t *members, size_t count, bsw_error_t *err)
{
    if (count == 0 || count > BROKER_EXPORT_FAMILY_MAX)
        return bsw_error_set (err, BSW_EINVAL, "a family of %zu sweeps (1 to %d)", count,
                              BROKER_EXPORT_FAMILY_MAX);
    if (members[0].level != 0)
        return bsw_error_set (err, BSW_EINVAL,
                              "sweep %" PRIu64 ": a family starts with its parent "
                              "(level 0), not level %u",
                              members[0].sweep, members[0].level);
    for (size_t i = 1; i < count; i++) {
        if (members[i].level == 0 || members[i].level < members[i - 1].level)
            return bsw_error_set (err, BSW_EINVAL,
                                  "sweep %" PRIu64 ": level %u after level %u (refinements come "
                                  "after the parent, by rising level)",
                                  members[i].sweep, members[i].level, members[i - 1].level);
        for (size_t j = 0; j < i; j++)
            if (members[j].sweep == members[i].sweep)
                return bsw_error_set (err, BSW_EINVAL, "sweep %" PRIu64 " is twice in the family",
                                      members[i].sweep);
    }
    return 0;
}

//  Loads the members and starts the zip with their connectivities.
static int
s_start (broker_export_t *self, store_zip_sink_fn sink, void *arg, bsw_error_t *err)
{
    int rc = s_load (self, err);
    if (rc == 0) {
        //  Every entry dated at the (parent's) submission: the same sweep
        //  exports to the same bytes but for the series files' HDF5 times.
        store_zip_options_t options = {.mtime = (int64_t) self->members[0].info.created};
        self->zip = store_zip_new (sink, arg, &options);
    }
    for (size_t i = 0; rc == 0 && i < self->n_members; i++)
        rc = s_add_connectivity (self, &self->members[i], err);
    return rc;
}

int
broker_export_new (broker_export_t **self_p, broker_db_t *db, uint64_t sweep,
                   store_zip_sink_fn sink, void *arg, bsw_error_t *err)
{
    BSW_ASSERT (self_p && db && sink);
    broker_export_member_t lone = {.sweep = sweep, .level = 0};
    *self_p = s_new (db, &lone, 1, false);
    return s_start (*self_p, sink, arg, err);
}

int
broker_export_new_family (broker_export_t **self_p, broker_db_t *db,
                          const broker_export_member_t *members, size_t count,
                          store_zip_sink_fn sink, void *arg, bsw_error_t *err)
{
    BSW_ASSERT (self_p && db && sink && (members || count == 0));
    *self_p = NULL;
    int rc = s_check_family (members, count, err);
    if (rc)
        return rc;
    *self_p = s_new (db, members, count, true);
    return s_start (*self_p, sink, arg, err);
}

static void
s_member_fini (s_member_t *m)
{
    store_timeseries_template_destroy (&m->tmpl);
    free (m->spec_json);
    free (m->ranges);
    free (m->axis);
    free (m->times);
    free (m->added);
    free (m->seen);
    spec_destroy (&m->spec);
    sim_connectivity_destroy (&m->conn);
    broker_sweep_info_fini (&m->info);
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
    for (size_t i = 0; i < self->n_members; i++)
        s_member_fini (&self->members[i]);
    free (self->members);
    free (self->point_values);
    free (self->line);
    free (self->data);
    free (self->raw);
    free (self->conn_gids);
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
    broker_export_member_t lone = {.sweep = sweep, .level = 0};
    broker_export_t *self = s_new (db, &lone, 1, false);
    s_member_t *m = &self->members[0];
    broker_result_row_t *rows = NULL;
    size_t count = 0;
    int rc = s_load (self, err);
    if (rc == 0)
        rc = broker_db_result_rows (db, sweep, point, 1, &rows, &count, err);
    if (rc == 0 && (count == 0 || rows[0].point != point || !rows[0].has_series || m->values == 0))
        rc = bsw_error_set (err, BSW_ENOTFOUND,
                            "sweep %" PRIu64 " point %" PRIu64 ": no time series stored", sweep,
                            point);
    char date[BROKER_EXPORT_DATE_BUF];
    broker_export_date (m->base_us + (int64_t) point, date);
    if (rc == 0)
        rc = s_series_image (self, m, &rows[0], date, image_p, size_p, err);
    broker_result_rows_free (rows, count);
    broker_export_destroy (&self);
    return rc;
}

uint64_t
broker_export_points_added (const broker_export_t *self)
{
    BSW_ASSERT (self);
    uint64_t added = 0;
    for (size_t i = 0; i < self->n_members; i++)
        added += self->members[i].n_added;
    return added;
}

uint64_t
broker_export_bytes (const broker_export_t *self)
{
    BSW_ASSERT (self);
    return self->zip ? store_zip_bytes (self->zip) : 0;
}
