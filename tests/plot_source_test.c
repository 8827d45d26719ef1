/*  plot_source_test.c - `brainsweep plot ID` reading a sweep from a broker
    (client_plot_load_broker, client_plot_source.c) against a fake broker: a
    ROUTER socket in an actor that answers STATUS and RESULTS by a rule, so
    its pages can be what a real broker sends for a million points, or what
    a different or confused broker might send. Over inproc://.

    million      1000 x 1000 points, all with a result, pages of at most
                 50,000 as the real broker makes them: 20 pages, every
                 point's status and metrics (sent in another order than the
                 plot's) right.
    short_pages  a broker that caps its pages at 7,000, below what the
                 client asks, with pending points among the results and at
                 the end: every result is still read (pages end at an empty
                 one, not at a short one), the pending points stay pending.
    stuck        a broker whose pages do not move forward: an error that
                 says so, not an endless loop.
    zip_lines    metrics.csv of an export zip, read a megabyte at a time:
                 5 MB of rows with CRLF endings and blank lines, so rows
                 straddle the reads; every value read back exactly.
    zip_errors   a malformed row, a header that does not match sweep.json,
                 a line over the limit, no metrics.csv: sentences.
    sampled      a Sobol sweep from a broker: a scatter, each point at the
                 spec's values, results read as a grid's.
    family       a refined grid from a broker (STATUS's family): the grid's
                 and every level's points in one scatter, each at its values
                 and level; a level over other parameters: a sentence.
    zip_sampled  a sampled sweep's zip: the values of metrics.csv's columns;
                 more rows than the spec has points is an error.
    zip_family   a refinement family's zip (metrics.csv with a level
                 column): a scatter of every point at its values and
                 level; rows out of order, bad levels or values: sentences.
*/
#include "client_conn.h"
#include "client_plot.h"

#include "bsw_test.h"
#include "bsw_test_dir.h"
#include "bsw_util.h"
#include "proto.h"

#include <zip.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/*  Metric names in the order the fake sends them: not the plot's. */
static const char *const s_sent[] = {"VarianceNodeVariance", "Synchrony", "GlobalVariance",
                                     "Metastability"};

/*  What the fake broker does, and what it saw. */
typedef struct {
    char endpoint[64];      /* inproc:// address it binds */
    size_t nx, ny;          /* the sweep: model.I x model.a values */
    uint64_t cap;           /* points a page lists at most */
    bool gaps;              /* points k % 7 == 3 and the last 500 have no result */
    bool stuck;             /* every page lists from point 0, whatever is asked */
    char *spec;             /* the sweep's JSON spec */
    const char *method;     /* sampled: "random", "lhs" or "sobol" (nx * ny points); NULL: a grid */
    size_t n_members;       /* refinement levels: sweeps 8, 9, ... (STATUS's family) */
    const char *members[2]; /* their specs (point lists) */
    uint64_t member_points[2]; /* and sizes; every point ok, metrics by s_metric */
    size_t pages;              /* RESULTS answered (read once the actor is gone) */
} s_fake_t;

static bool
s_has_result (const s_fake_t *fake, uint64_t k)
{
    uint64_t points = (uint64_t) fake->nx * fake->ny;
    return !fake->gaps || (k % 7 != 3 && k + 500 < points);
}

static bool
s_failed (uint64_t k)
{
    return k % 997 == 13;
}

//  Metric q (in s_sent's order) of point k.
static double
s_metric (uint64_t k, size_t q)
{
    return (double) k + 0.25 * (double) q;
}

static proto_msg_t *
s_status (const s_fake_t *fake)
{
    proto_msg_t *reply = proto_msg_new (PROTO_SWEEP_STATUS);
    uint64_t points = (uint64_t) fake->nx * fake->ny;
    proto_msg_set_uint (reply, "sweep", 7);
    proto_msg_set_str (reply, "name", "fake");
    proto_msg_set_str (reply, "state", "running");
    proto_msg_set_uint (reply, "points", points);
    if (fake->n_members) {
        const uint64_t family[] = {8, 9};
        proto_msg_set_uints (reply, "family", family, fake->n_members);
    }
    const char *counts[] = {"pending", "running", "done", "failed", "cancelled"};
    for (size_t c = 0; c < 5; c++)
        proto_msg_set_uint (reply, counts[c], 0);
    return reply;
}

static proto_msg_t *
s_page (s_fake_t *fake, const proto_msg_t *request)
{
    uint64_t points = (uint64_t) fake->nx * fake->ny;
    //  A refinement level's sweep: its own size, every point ok.
    uint64_t sweep = proto_msg_uint (request, "sweep");
    const char *spec = fake->spec;
    bool member = sweep >= 8 && sweep < 8 + fake->n_members;
    if (member) {
        points = fake->member_points[sweep - 8];
        spec = fake->members[sweep - 8];
    }
    uint64_t from = fake->stuck ? 0 : proto_msg_uint (request, "offset");
    uint64_t limit = proto_msg_uint (request, "limit");
    if (limit == 0 || limit > fake->cap)
        limit = fake->cap;
    uint64_t *listed = bsw_malloc (limit * sizeof (uint64_t) + 1);
    const char **statuses = bsw_malloc (limit * sizeof (char *) + 1);
    double *values = bsw_malloc (limit * 4 * sizeof (double) + 1);
    size_t n = 0;
    for (uint64_t k = from; k < points && n < limit; k++) {
        if (!member && !s_has_result (fake, k))
            continue;
        bool failed = !member && s_failed (k);
        listed[n] = k;
        statuses[n] = failed ? "failed" : "ok";
        for (size_t q = 0; q < 4; q++)
            values[n * 4 + q] = failed ? NAN : s_metric (k, q);
        n++;
    }
    proto_msg_t *reply = proto_msg_new (PROTO_POINTS);
    proto_msg_set_uint (reply, "sweep", sweep);
    proto_msg_set_uint (reply, "total", points);
    proto_msg_set_uints (reply, "points", listed, n);
    proto_msg_set_strs (reply, "statuses", statuses, n);
    proto_msg_set_strs (reply, "metric_names", s_sent, 4);
    proto_msg_set_f64s (reply, "values", values, n * 4);
    if (proto_msg_has (request, "with_spec") && proto_msg_bool (request, "with_spec"))
        proto_msg_set_str (reply, "spec", spec);
    free (listed);
    free (statuses);
    free (values);
    fake->pages++;
    return reply;
}

static void
s_fake_actor (zsock_t *pipe, void *args)
{
    s_fake_t *fake = args;
    zsock_t *router = zsock_new (ZMQ_ROUTER);
    int bound = zsock_bind (router, "%s", fake->endpoint);
    zsock_signal (pipe, (byte) (bound == 0 ? 0 : 1));
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (bound == 0) {
        void *which = zpoller_wait (poller, -1);
        if (which != router)
            break; // $TERM, or interrupted
        proto_msg_t *request = NULL;
        bsw_error_t err;
        if (proto_msg_recv (router, 0, &request, NULL, &err))
            continue;
        proto_msg_t *reply =
            proto_msg_type (request) == PROTO_STATUS ? s_status (fake) : s_page (fake, request);
        proto_msg_set_uint (reply, "req", proto_msg_uint (request, "req"));
        proto_msg_set_routing_id (reply, proto_msg_routing_id (request));
        proto_msg_send (&reply, router);
        proto_msg_destroy (&request);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

//  The fake's sweep as JSON: model.I and model.a, nx and ny values.
static char *
s_spec (size_t nx, size_t ny)
{
    size_t size = 64 * (nx + ny) + 256, used = 0;
    char *text = bsw_malloc (size);
    used += (size_t) snprintf (text + used, size - used,
                               "{\"name\": \"fake\", \"ranges\": [{\"parameter\": \"model.I\", "
                               "\"values\": [");
    for (size_t i = 0; i < nx; i++)
        used += (size_t) snprintf (text + used, size - used, "%s%g", i ? ", " : "",
                                   -5.0 + (double) i / 64.0);
    used += (size_t) snprintf (text + used, size - used,
                               "]}, {\"parameter\": \"model.a\", \"values\": [");
    for (size_t j = 0; j < ny; j++)
        used += (size_t) snprintf (text + used, size - used, "%s%g", j ? ", " : "",
                                   -3.0 + (double) j / 64.0);
    snprintf (text + used, size - used, "]}]}");
    return text;
}

//  A sampled sweep of n points over model.I in [-5, 5), model.a in [-3, 3).
static char *
s_sampled_spec (const char *method, uint64_t n)
{
    char *text = bsw_malloc (512);
    snprintf (text, 512,
              "{\"name\": \"fake\", \"ranges\": [{\"parameter\": \"model.I\", \"lo\": -5, \"hi\": "
              "5}, {\"parameter\": \"model.a\", \"lo\": -3, \"hi\": 3}], \"sampling\": "
              "{\"method\": \"%s\", \"points\": %llu, \"seed\": 7}}",
              method, (unsigned long long) n);
    return text;
}

//  Reads the fake's sweep with the client; 0 or the client's error.
static int
s_read (s_fake_t *fake, plot_pse_t **pse_p, bsw_error_t *err)
{
    static int serial;
    snprintf (fake->endpoint, sizeof fake->endpoint, "inproc://plot-source-test-%d", ++serial);
    fake->spec = fake->method ? s_sampled_spec (fake->method, (uint64_t) fake->nx * fake->ny)
                              : s_spec (fake->nx, fake->ny);
    zactor_t *actor = zactor_new (s_fake_actor, fake);
    client_conn_t *conn = client_conn_new (fake->endpoint, 60000, NULL, NULL);
    spec_t *spec = NULL;
    int rc = client_plot_load_broker (conn, 7, pse_p, &spec, err);
    client_conn_destroy (&conn);
    zactor_destroy (&actor);
    spec_destroy (&spec);
    free (fake->spec);
    fake->spec = NULL;
    return rc;
}

//  Every point as the fake has it; the plot's metrics are TVB's order.
static int
s_check_points (const s_fake_t *fake, const plot_pse_t *pse)
{
    const char *order[4] = {"GlobalVariance", "Metastability", "Synchrony", "VarianceNodeVariance"};
    size_t sent[4];
    for (size_t m = 0; m < 4; m++) {
        BSW_CHECK_INT (plot_pse_metric_index (pse, order[m]), m);
        for (size_t q = 0; q < 4; q++)
            if (strcmp (s_sent[q], order[m]) == 0)
                sent[m] = q;
    }
    for (uint64_t k = 0; k < plot_pse_points (pse); k++) {
        plot_point_status_t want = !s_has_result (fake, k) ? PLOT_POINT_PENDING
                                   : s_failed (k)          ? PLOT_POINT_FAILED
                                                           : PLOT_POINT_OK;
        BSW_CHECK_MSG (plot_pse_status (pse, k) == want, "point %llu: status %d, not %d",
                       (unsigned long long) k, (int) plot_pse_status (pse, k), (int) want);
        for (size_t m = 0; want == PLOT_POINT_OK && m < 4; m++)
            BSW_CHECK_MSG (plot_pse_value (pse, k, m) == s_metric (k, sent[m]),
                           "point %llu metric %s: %g", (unsigned long long) k, order[m],
                           plot_pse_value (pse, k, m));
    }
    return BSW_TEST_PASS;
}

static int
s_test_million (void)
{
    s_fake_t fake = {.nx = 1000, .ny = 1000, .cap = 50000};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (s_read (&fake, &pse, &err) == 0, "%s", err.text);
    BSW_CHECK_INT (plot_pse_points (pse), 1000000);
    BSW_CHECK_INT (fake.pages, 20);
    int rc = s_check_points (&fake, pse);
    plot_pse_destroy (&pse);
    return rc;
}

static int
s_test_short_pages (void)
{
    s_fake_t fake = {.nx = 100, .ny = 100, .cap = 7000, .gaps = true};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (s_read (&fake, &pse, &err) == 0, "%s", err.text);
    //  7,000 results, the remaining 1,143, then an empty page after 9,499.
    BSW_CHECK_INT (fake.pages, 3);
    int rc = s_check_points (&fake, pse);
    plot_pse_destroy (&pse);
    return rc;
}

static int
s_test_stuck (void)
{
    s_fake_t fake = {.nx = 100, .ny = 100, .cap = 5000, .stuck = true};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_INT (s_read (&fake, &pse, &err), BSW_EPROTO);
    BSW_CHECK_MSG (strstr (err.text, "the broker's page of sweep 7 from point 5000 ends at point "
                                     "4999: the pages do not move forward"),
                   "%s", err.text);
    BSW_CHECK (pse == NULL);
    BSW_CHECK_INT (fake.pages, 2);
    return BSW_TEST_PASS;
}

//  --------------------------------------------------------------------------
//  Export zips

//  A zip at path holding sweep.json and, unless csv is NULL, metrics.csv.
static bool
s_write_zip (const char *path, const char *spec, const char *csv, size_t csv_size)
{
    int zerr = 0;
    zip_t *za = zip_open (path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (!za)
        return false;
    zip_source_t *src = zip_source_buffer (za, spec, strlen (spec), 0);
    bool ok = src && zip_file_add (za, "sweep.json", src, ZIP_FL_OVERWRITE) >= 0;
    if (ok && csv) {
        src = zip_source_buffer (za, csv, csv_size, 0);
        ok = src && zip_file_add (za, "metrics.csv", src, ZIP_FL_OVERWRITE) >= 0;
    }
    return zip_close (za) == 0 && ok;
}

//  Where in s_sent each of the CSV's columns (TVB's order) is: the CSV
//  holds what the fake broker would send, so s_check_points applies.
static const size_t s_csv_sent[4] = {2, 3, 1, 0};

//  metrics.csv of the fake's rule for a 300 x 300 sweep, as rows in
//  CRLF lines with a blank line every 1000 rows.
static char *
s_csv (size_t *size_p)
{
    size_t size = 120 * 90000 + 256, used = 0;
    char *csv = bsw_malloc (size);
    used += (size_t) snprintf (csv, size,
                               "point,model.I,model.a,status,GlobalVariance,Metastability,"
                               "Synchrony,VarianceNodeVariance\r\n");
    s_fake_t rule = {.nx = 300, .ny = 300, .gaps = true};
    for (uint64_t k = 0; k < 90000; k++) {
        const char *status = !s_has_result (&rule, k) ? "pending" : s_failed (k) ? "failed" : "ok";
        used += (size_t) snprintf (csv + used, size - used, "%llu,%g,%g,%s", (unsigned long long) k,
                                   -5.0 + (double) (k / 300) / 64.0,
                                   -3.0 + (double) (k % 300) / 64.0, status);
        for (size_t m = 0; m < 4; m++)
            if (strcmp (status, "ok") == 0)
                used += (size_t) snprintf (csv + used, size - used, ",%.17g",
                                           s_metric (k, s_csv_sent[m]));
            else
                used += (size_t) snprintf (csv + used, size - used, ",");
        used += (size_t) snprintf (csv + used, size - used, k % 1000 == 999 ? "\r\n\r\n" : "\r\n");
    }
    *size_p = used;
    return csv;
}

static int
s_test_zip_lines (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "plot_source_test"));
    const char *path = bsw_test_dir_path (dir, "sweep.zip");
    char *spec = s_spec (300, 300);
    size_t size = 0;
    char *csv = s_csv (&size);
    BSW_CHECK_MSG (size > 4 * 1048576, "%zu bytes", size);
    BSW_CHECK (s_write_zip (path, spec, csv, size));
    free (csv);
    free (spec);
    plot_pse_t *pse = NULL;
    spec_t *parsed = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (client_plot_load_zip (path, &pse, &parsed, &err) == 0, "%s", err.text);
    BSW_CHECK_INT (plot_pse_points (pse), 90000);
    s_fake_t rule = {.nx = 300, .ny = 300, .gaps = true};
    int rc = s_check_points (&rule, pse);
    plot_pse_destroy (&pse);
    spec_destroy (&parsed);
    bsw_test_dir_remove (dir);
    return rc;
}

//  client_plot_load_zip's error on a zip of this spec and CSV text.
static int
s_zip_error (const char *dir, const char *csv, size_t csv_size, bsw_error_t *err)
{
    const char *path = bsw_test_dir_path (dir, "bad.zip");
    char *spec = s_spec (3, 2);
    bool written = s_write_zip (path, spec, csv, csv_size);
    free (spec);
    if (!written)
        return bsw_error_set (err, BSW_EIO, "cannot write %s", path);
    plot_pse_t *pse = NULL;
    spec_t *parsed = NULL;
    int rc = client_plot_load_zip (path, &pse, &parsed, err);
    if (rc == 0 || pse || parsed)
        rc = bsw_error_set (err, BSW_EINTERNAL, "read without an error (or left data behind)");
    plot_pse_destroy (&pse);
    spec_destroy (&parsed);
    return rc;
}

static int
s_test_zip_errors (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "plot_source_test"));
    const char *head = "point,model.I,model.a,status,GlobalVariance\n";
    char csv[256];
    bsw_error_t err;
    snprintf (csv, sizeof csv, "%s0,-5,-3,ok,1\n1,-5,-2.98,ok,2\n2,-5,ok,3\n", head);
    BSW_CHECK_INT (s_zip_error (dir, csv, strlen (csv), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "bad.zip: metrics.csv row 3 is malformed"), "%s", err.text);
    snprintf (csv, sizeof csv, "%s6,-5,-3,ok,1\n", head); // point 6 of 6 points
    BSW_CHECK_INT (s_zip_error (dir, csv, strlen (csv), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "metrics.csv row 1 is malformed"), "%s", err.text);
    snprintf (csv, sizeof csv, "point,model.a,model.I,status,GlobalVariance\n");
    BSW_CHECK_INT (s_zip_error (dir, csv, strlen (csv), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (
        strstr (err.text, "metrics.csv's header does not match the ranges of sweep.json"), "%s",
        err.text);
    BSW_CHECK_INT (s_zip_error (dir, "", 0, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "header does not match"), "%s", err.text);
    //  A row of 2 MB: over the reader's limit.
    size_t long_size = 2u << 20;
    char *long_csv = bsw_malloc (long_size);
    size_t used = (size_t) snprintf (long_csv, long_size, "%s0,-5,-3,ok,1\n1,-5,-2.98,ok,", head);
    memset (long_csv + used, '7', long_size - used);
    BSW_CHECK_INT (s_zip_error (dir, long_csv, long_size, &err), BSW_EFORMAT);
    free (long_csv);
    BSW_CHECK_MSG (strstr (err.text,
                           "cannot read metrics.csv after row 1 (a read failed, or a line "
                           "is over 1048576 bytes)"),
                   "%s", err.text);
    BSW_CHECK_INT (s_zip_error (dir, NULL, 0, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "no metrics.csv in the zip"), "%s", err.text);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  A refinement family's zip: metrics.csv has a level column after the
//  parameters, the grid's points at level 0 and the refinements' after:
//  a scatter, each point at its values and level.
static int
s_test_zip_family (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "plot_source_test"));
    const char *path = bsw_test_dir_path (dir, "family.zip");
    char *spec = s_spec (3, 2);
    static const char csv[] =
        "point,model.I,model.a,level,status,GlobalVariance,VarianceNodeVariance\n"
        "0,-5,-3,0,ok,1,0.5\n"
        "1,-5,-2.984375,0,ok,2,0.25\n"
        "2,-4.984375,-3,0,ok,3,0.125\n"
        "3,-4.984375,-2.984375,0,failed,,\n"
        "4,-4.96875,-3,0,ok,5,nan\n"
        "5,-4.96875,-2.984375,0,ok,6,1\n"
        "6,-4.9921875,-2.9921875,1,ok,7,2\n"
        "7,-4.9765625,-2.9921875,1,pending,,\n"
        "8,-4.98828125,-2.98828125,2,ok,9,3\n"
        "9,-5.5,-3,1,ok,10,4\n";
    BSW_CHECK (s_write_zip (path, spec, csv, strlen (csv)));
    free (spec);
    plot_pse_t *pse = NULL;
    spec_t *parsed = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (client_plot_load_zip (path, &pse, &parsed, &err) == 0, "%s", err.text);
    BSW_CHECK (plot_pse_is_scatter (pse));
    BSW_CHECK_INT (plot_pse_points (pse), 10);
    BSW_CHECK_INT (plot_pse_metric_index (pse, "VarianceNodeVariance"), 1);
    BSW_CHECK_INT (plot_pse_status (pse, 3), PLOT_POINT_FAILED);
    BSW_CHECK_INT (plot_pse_status (pse, 7), PLOT_POINT_PENDING);
    BSW_CHECK_INT (plot_pse_status (pse, 8), PLOT_POINT_OK);
    BSW_CHECK (plot_pse_value (pse, 8, 0) == 9.0 && plot_pse_value (pse, 9, 1) == 4.0);
    BSW_CHECK (isnan (plot_pse_value (pse, 4, 1)));
    const char *png = bsw_test_dir_path (dir, "family.png");
    plot_pse_stats_t stats;
    BSW_CHECK_MSG (plot_pse_write (pse, NULL, png, PLOT_FORMAT_PNG, &stats, &err) == 0, "%s",
                   err.text);
    BSW_CHECK (stats.scatter && !stats.dense);
    BSW_CHECK_INT (stats.drawn, 10);
    BSW_CHECK_INT (stats.discs, 7);
    BSW_CHECK_INT (stats.crosses, 2);
    BSW_CHECK_INT (stats.pending, 1);
    plot_pse_destroy (&pse);
    spec_destroy (&parsed);
    //  Rows out of order, a bad level, a value that is not a number.
    static const struct {
        const char *row, *says;
    } bad[] = {
        {"1,-5,-3,0,ok,1,1\n", "row 1 is malformed (points numbered 0, 1, ... in order"},
        {"0,-5,-3,x,ok,1,1\n", "row 1 is malformed"},
        {"0,-5,-3,17,ok,1,1\n", "a level of 0 to 16"},
        {"0,-5,-3,,ok,1,1\n", "row 1 is malformed"},
        {"0,nan,-3,0,ok,1,1\n", "finite parameter values"},
        {"0,-5,-3,0,ok,1\n", "row 1 is malformed"},
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        char text[256];
        snprintf (text, sizeof text,
                  "point,model.I,model.a,level,status,GlobalVariance,VarianceNodeVariance\n%s",
                  bad[b].row);
        BSW_CHECK_INT (s_zip_error (dir, text, strlen (text), &err), BSW_EFORMAT);
        BSW_CHECK_MSG (strstr (err.text, bad[b].says), "%s: %s", bad[b].row, err.text);
    }
    //  level anywhere but right after the parameters: no header of ours.
    static const char misplaced[] = "point,level,model.I,model.a,status,GlobalVariance\n";
    BSW_CHECK_INT (s_zip_error (dir, misplaced, strlen (misplaced), &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "header does not match"), "%s", err.text);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

//  A refined grid from a broker: STATUS lists its level sweeps; the plot
//  is a scatter of the grid's points (level 0) and each level's after
//  them, at their values (a level may list its parameters in another
//  order), each read from its own RESULTS pages.
static int
s_test_family (void)
{
    s_fake_t fake = {
        .nx = 3,
        .ny = 2,
        .cap = 2,
        .n_members = 2,
        .members = {"{\"points\": [{\"model.a\": -2.9921875, \"model.I\": -4.9921875}, "
                    "{\"model.a\": -2.9921875, \"model.I\": -4.9765625}]}",
                    "{\"points\": [{\"model.I\": -4.98828125, \"model.a\": "
                    "-2.98828125}]}"},
        .member_points = {2, 1}};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (s_read (&fake, &pse, &err) == 0, "%s", err.text);
    BSW_CHECK (plot_pse_is_scatter (pse));
    BSW_CHECK_INT (plot_pse_points (pse), 6 + 2 + 1);
    static const struct {
        double I, a;
        unsigned level;
        uint64_t k; /* in its own sweep */
    } want[] = {{-5.0, -3.0, 0, 0},
                {-5.0, -2.98438, 0, 1}, // s_spec writes 6 digits
                {-4.96875, -2.98438, 0, 5},
                {-4.9921875, -2.9921875, 1, 0},
                {-4.9765625, -2.9921875, 1, 1},
                {-4.98828125, -2.98828125, 2, 0}};
    static const uint64_t at[] = {0, 1, 5, 6, 7, 8};
    int gv = plot_pse_metric_index (pse, "GlobalVariance");
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        double values[2];
        unsigned level = 99;
        plot_pse_point_values (pse, at[i], values, &level);
        BSW_CHECK_MSG (values[0] == want[i].I && values[1] == want[i].a && level == want[i].level,
                       "point %llu: (%g, %g) level %u", (unsigned long long) at[i], values[0],
                       values[1], level);
        BSW_CHECK_INT (plot_pse_status (pse, at[i]), PLOT_POINT_OK);
        BSW_CHECK (plot_pse_value (pse, at[i], (size_t) gv) == s_metric (want[i].k, 2));
    }
    plot_pse_destroy (&pse);
    //  A level over other parameters: a sentence.
    fake.members[1] = "{\"points\": [{\"model.I\": -4.98828125, \"model.b\": 1.0}]}";
    BSW_CHECK_INT (s_read (&fake, &pse, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "a sweep of level 2 does not range over the parameters"), "%s",
                   err.text);
    BSW_CHECK (!pse);
    return BSW_TEST_PASS;
}

//  A sampled sweep from a broker: a scatter, point k at the spec's values
//  for k, its results as a grid's are read.
static int
s_test_sampled (void)
{
    s_fake_t fake = {.nx = 3000, .ny = 1, .cap = 1000, .gaps = true, .method = "sobol"};
    plot_pse_t *pse = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (s_read (&fake, &pse, &err) == 0, "%s", err.text);
    BSW_CHECK (plot_pse_is_scatter (pse));
    BSW_CHECK_INT (plot_pse_points (pse), 3000);
    int rc = s_check_points (&fake, pse);
    char *text = s_sampled_spec ("sobol", 3000);
    spec_t *spec = NULL;
    BSW_CHECK (spec_load_string (&spec, text, strlen (text), "fake", NULL, &err) == 0);
    free (text);
    for (uint64_t k = 0; rc == BSW_TEST_PASS && k < 3000; k += 7) {
        double want[2], got[2];
        unsigned level = 9;
        spec_point_values (spec, k, want);
        plot_pse_point_values (pse, k, got, &level);
        BSW_CHECK_MSG (got[0] == want[0] && got[1] == want[1] && level == 0,
                       "point %llu at (%g, %g), level %u", (unsigned long long) k, got[0], got[1],
                       level);
    }
    spec_destroy (&spec);
    plot_pse_destroy (&pse);
    return rc;
}

//  A sampled sweep's zip: metrics.csv without a level column, the values
//  in its parameter columns; no more rows than the spec has points.
static int
s_test_zip_sampled (void)
{
    char dir[BSW_TEST_DIR_MAX];
    BSW_CHECK (bsw_test_dir_new (dir, "plot_source_test"));
    const char *path = bsw_test_dir_path (dir, "sampled.zip");
    char *spec = s_sampled_spec ("random", 3);
    static const char csv[] = "point,model.I,model.a,status,GlobalVariance\n"
                              "0,4.5,-2.5,ok,1\n1,-4.75,0.125,failed,\n2,0.5,2.75,ok,3\n";
    BSW_CHECK (s_write_zip (path, spec, csv, strlen (csv)));
    plot_pse_t *pse = NULL;
    spec_t *parsed = NULL;
    bsw_error_t err;
    BSW_CHECK_MSG (client_plot_load_zip (path, &pse, &parsed, &err) == 0, "%s", err.text);
    BSW_CHECK (plot_pse_is_scatter (pse) && !spec_is_grid (parsed));
    BSW_CHECK_INT (plot_pse_points (pse), 3);
    double values[2];
    plot_pse_point_values (pse, 2, values, NULL);
    BSW_CHECK (values[0] == 0.5 && values[1] == 2.75);
    BSW_CHECK_INT (plot_pse_status (pse, 1), PLOT_POINT_FAILED);
    BSW_CHECK (plot_pse_value (pse, 2, 0) == 3.0);
    plot_pse_destroy (&pse);
    spec_destroy (&parsed);
    static const char extra[] = "point,model.I,model.a,status,GlobalVariance\n"
                                "0,4.5,-2.5,ok,1\n1,-4.75,0.125,ok,2\n2,0.5,2.75,ok,3\n"
                                "3,0,0,ok,4\n";
    BSW_CHECK (s_write_zip (path, spec, extra, strlen (extra)));
    free (spec);
    BSW_CHECK_INT (client_plot_load_zip (path, &pse, &parsed, &err), BSW_EFORMAT);
    BSW_CHECK_MSG (strstr (err.text, "metrics.csv row 4 is malformed"), "%s", err.text);
    bsw_test_dir_remove (dir);
    return BSW_TEST_PASS;
}

static const bsw_test_case_t s_cases[] = {{"million", s_test_million},
                                          {"short_pages", s_test_short_pages},
                                          {"stuck", s_test_stuck},
                                          {"zip_lines", s_test_zip_lines},
                                          {"zip_errors", s_test_zip_errors},
                                          {"zip_family", s_test_zip_family},
                                          {"sampled", s_test_sampled},
                                          {"family", s_test_family},
                                          {"zip_sampled", s_test_zip_sampled},
                                          {NULL, NULL}};

int
main (int argc, char **argv)
{
    zsys_set_logstream (NULL);
    return bsw_test_main (argc, argv, s_cases);
}
