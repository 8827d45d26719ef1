/*  client_plot.c - `brainsweep plot`: the discrete PSE view of a sweep
    (SVG, PNG, PDF, or an interactive HTML page), or one point's time
    series, from an export zip or a running sweep on a broker.

    An argument that is a positive number is a sweep ID (asked of the
    broker, so a running sweep shows its progress: points without a result
    are drawn hollow); anything else is an export zip.
*/
#include "client.h"
#include "client_conn.h"
#include "client_plot.h"

#include "bsw_opts.h"
#include "bsw_util.h"
#include "plot_pse.h"
#include "plot_series.h"
#include "store_h5read.h"

#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char s_about[] =
    "Draws TVB's discrete PSE view of a sweep: one disc per parameter point, x = the\n"
    "first range, y = the second (or --x, --y), radius from one metric and colour\n"
    "from another. Failed points and NaN metrics are crosses; points without a\n"
    "result yet are hollow rings. Beyond 4096 points a panel, or discs under 3 px,\n"
    "the view is dense: one cell per point, coloured by the colour metric (the size\n"
    "metric is not drawn; show it with --colour); failed cells red, NaN dark grey,\n"
    "pending light grey. A sweep that is no grid (random, lhs, sobol, a points\n"
    "list) is a scatter: each point at its values on continuous axes, radii from\n"
    "the points' density, the axes not drawn projected; a refined grid (its ID, or\n"
    "its fetched zip, whose metrics.csv has a level column) draws the grid and its\n"
    "refinements together, a level-l point at 1/2^l of the size. A dense scatter\n"
    "is one square per point. ID asks the broker (a running sweep shows its\n"
    "progress); FILE.zip reads an export (brainsweep run / fetch). The format\n"
    "follows OUT's extension; .html is one self-contained interactive page (hover\n"
    "for values, choose the metrics, slices and axes).\n";

/*  What the command line asks for. */
typedef struct {
    const char *source;      /* operand: a sweep ID or an export zip */
    const char *output;      /* -o */
    plot_pse_options_t pse;  /* metrics, scales, slices */
    bsw_opts_list_t slices;  /* --slice values; pse.slices points into it */
    uint64_t point;          /* --point K, or S_NO_POINT */
    const char *broker;      /* --broker */
    proto_curve_keys_t keys; /* --broker-key, --key */
} s_opts_t;

/*  --point's "not given": one past its largest value. */
#define S_NO_POINT UINT64_MAX

static int
s_scale_mode (void *dest, const char *text)
{
    plot_scale_mode_t *mode = dest;
    if (strcmp (text, "auto") == 0)
        *mode = PLOT_SCALE_AUTO;
    else if (strcmp (text, "linear") == 0)
        *mode = PLOT_SCALE_LINEAR;
    else if (strcmp (text, "log") == 0)
        *mode = PLOT_SCALE_LOG;
    else
        return -1;
    return 0;
}

//  --log and --linear set both scales, in command-line order with the others.
static int
s_both_log (void *dest, const char *unused)
{
    plot_pse_options_t *pse = dest;
    pse->size_scale = pse->colour_scale = PLOT_SCALE_LOG;
    return 0;
}

static int
s_both_linear (void *dest, const char *unused)
{
    plot_pse_options_t *pse = dest;
    pse->size_scale = pse->colour_scale = PLOT_SCALE_LINEAR;
    return 0;
}

//  Returns BSW_OPTS_GO to go on, or the exit status (0 after --help, 2 bad
//  usage).
static int
s_parse (int argc, char **argv, s_opts_t *opts)
{
    memset (opts, 0, sizeof *opts);
    opts->point = S_NO_POINT;
    plot_pse_options_t *pse = &opts->pse;
    const bsw_opt_t options[] = {
        {.name = "(ID | FILE.zip)",
         .kind = BSW_OPT_STRING,
         .dest = &opts->source,
         .positional = true,
         .required = true},
        {.name = "output",
         .letter = 'o',
         .kind = BSW_OPT_STRING,
         .dest = &opts->output,
         .arg = "OUT",
         .help = "the image to write (required): .svg, .png, .pdf\nor .html",
         .required = true},
        {.name = "size",
         .letter = 's',
         .kind = BSW_OPT_STRING,
         .dest = &pse->size_metric,
         .arg = "METRIC",
         .help = "metric of the disc radius (default GlobalVariance);\n"
                 "not drawn in a dense view"},
        {.name = "colour",
         .letter = 'c',
         .kind = BSW_OPT_STRING,
         .dest = &pse->colour_metric,
         .arg = "METRIC",
         .help = "metric of the colour (default VarianceNodeVariance)"},
        {.name = "color", .kind = BSW_OPT_STRING, .dest = &pse->colour_metric, .arg = "METRIC"},
        {.name = "slice",
         .kind = BSW_OPT_LIST,
         .dest = &opts->slices,
         .arg = "PARAM=VALUE",
         .help = "fix a range of a grid at one of its values;\n"
                 "repeatable. The axes are --x and --y, else the first\n"
                 "ranges not fixed; any others make one panel per\n"
                 "combination of values (at most 25)"},
        {.name = "x",
         .kind = BSW_OPT_STRING,
         .dest = &pse->x_axis,
         .arg = "PARAM",
         .help = "the parameter on the x axis (default the first)"},
        {.name = "y",
         .kind = BSW_OPT_STRING,
         .dest = &pse->y_axis,
         .arg = "PARAM",
         .help = "the parameter on the y axis (default the next)"},
        {.name = "size-scale",
         .kind = BSW_OPT_CALL,
         .dest = &pse->size_scale,
         .arg = "MODE",
         .help = "auto, linear or log for the radius (default linear,\nas TVB)",
         .call = s_scale_mode,
         .expect = "auto, linear or log"},
        {.name = "colour-scale",
         .kind = BSW_OPT_CALL,
         .dest = &pse->colour_scale,
         .arg = "MODE",
         .help = "auto, linear or log for the colour (default auto: log\n"
                 "when no value is negative and the positive ones span\n"
                 "3 decades or more; zeros then sit at the bottom)",
         .call = s_scale_mode,
         .expect = "auto, linear or log"},
        {.name = "color-scale",
         .kind = BSW_OPT_CALL,
         .dest = &pse->colour_scale,
         .arg = "MODE",
         .call = s_scale_mode,
         .expect = "auto, linear or log"},
        {.name = "log",
         .kind = BSW_OPT_CALL,
         .dest = pse,
         .help = "log scales for both",
         .call = s_both_log},
        {.name = "linear",
         .kind = BSW_OPT_CALL,
         .dest = pse,
         .help = "linear scales for both (TVB's look)",
         .call = s_both_linear},
        {.name = "point",
         .letter = 'p',
         .kind = BSW_OPT_U64,
         .dest = &opts->point,
         .arg = "K",
         .help = "instead, point K's time series (K as in metrics.csv's\n"
                 "point column): every region, one panel per variable",
         .max = S_NO_POINT - 1},
        {.name = "broker",
         .letter = 'b',
         .kind = BSW_OPT_STRING,
         .dest = &opts->broker,
         .arg = "ENDPOINT",
         .help = "the broker, for an ID (default: $BRAINSWEEP_BROKER)"},
        CLIENT_KEY_OPTIONS (&opts->keys),
        {NULL}};
    const bsw_opts_t cmd = {"brainsweep plot", s_about, options, NULL};
    int status = bsw_opts_main (&cmd, argc, argv);
    if (status != BSW_OPTS_GO)
        return status;
    pse->slices = opts->slices.items;
    pse->n_slices = opts->slices.count;
    bool series = opts->point != S_NO_POINT;
    plot_format_t format = plot_format_from_path (opts->output);
    if (format == PLOT_FORMAT_UNKNOWN || (series && format == PLOT_FORMAT_HTML))
        return bsw_opts_fail (&cmd, "%s: the output must end in %s", opts->output,
                              series ? ".svg, .png or .pdf" : ".svg, .png, .pdf or .html");
    return BSW_OPTS_GO;
}

//  --------------------------------------------------------------------------
//  A point's time series

//  VOI names from TVB_labels_dimensions ({"State Variable": ["V", "W"]}).
static size_t
s_voi_names (const char *h5, char **names, size_t max)
{
    char *text = NULL;
    size_t n = 0;
    if (store_h5_read_attr (h5, "/", "TVB_labels_dimensions", &text, NULL, NULL) !=
        STORE_H5_ATTR_STRING_VLEN_UTF8)
        goto done;
    json_t *root = json_loads (text, 0, NULL);
    json_t *list = root ? json_object_get (root, "State Variable") : NULL;
    for (size_t i = 0; json_is_array (list) && i < json_array_size (list) && n < max; i++)
        if (json_is_string (json_array_get (list, i)))
            names[n++] = bsw_strdup (json_string_value (json_array_get (list, i)));
    json_decref (root);
done:
    free (text);
    return n;
}

static int
s_draw_series (const char *h5, const char *title, const char *out, bsw_error_t *err)
{
    double *data = NULL, *time = NULL;
    size_t dims[STORE_H5_MAX_RANK], tdims[STORE_H5_MAX_RANK];
    int rank = 0, trank = 0;
    int rc = store_h5_read_doubles (h5, "data", &data, dims, &rank, err);
    if (rc == 0)
        rc = store_h5_read_doubles (h5, "time", &time, tdims, &trank, err);
    if (rc == 0 && (rank != 4 || trank != 1 || tdims[0] != dims[0]))
        rc = bsw_error_set (err, BSW_EFORMAT,
                            "the time series is not TVB's (T, variables, regions, modes) layout");
    if (rc == 0) {
        char *names[PLOT_SERIES_MAX_VOI] = {NULL};
        size_t n_names = s_voi_names (h5, names, PLOT_SERIES_MAX_VOI);
        plot_series_t series = {.title = title,
                                .time = time,
                                .n_time = dims[0],
                                .data = data,
                                .n_voi = dims[1],
                                .n_regions = dims[2],
                                .n_modes = dims[3],
                                .voi_names =
                                    n_names == dims[1] ? (const char *const *) names : NULL};
        rc = plot_series_write (&series, out, plot_format_from_path (out), err);
        for (size_t i = 0; i < n_names; i++)
            free (names[i]);
    }
    free (data);
    free (time);
    return rc;
}

//  "tutorial: point 17 (model.I = -4.2, model.a = 1.5)"
static void
s_series_title (const spec_t *spec, const char *sweep, uint64_t k, char *out, size_t size)
{
    double values[64];
    int n = snprintf (out, size, "%s: point %" PRIu64, sweep, k);
    if (k >= spec_points (spec) || spec->n_ranges > 64)
        return;
    spec_point_values (spec, k, values);
    for (size_t r = 0; r < spec->n_ranges && n > 0 && (size_t) n < size; r++) {
        char value[PLOT_SCALE_LABEL_BUF];
        plot_scale_format_digits (values[r], 6, value);
        n += snprintf (out + n, size - (size_t) n, "%s%s = %s", r ? ", " : " (",
                       spec->ranges[r].parameter, value);
    }
    if (spec->n_ranges && n > 0 && (size_t) n < size)
        snprintf (out + n, size - (size_t) n, ")");
}

//  The bytes go through a temporary file: the HDF5 readers take a path.
static int
s_series (const void *bytes, size_t size, const spec_t *spec, const char *sweep, uint64_t k,
          const char *out, bsw_error_t *err)
{
    const char *tmpdir = getenv ("TMPDIR");
    char path[4096];
    snprintf (path, sizeof path, "%s/brainsweep-plot-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp (path);
    if (fd < 0)
        return bsw_error_set (err, BSW_EIO, "%s: cannot make a temporary file: %s", path,
                              strerror (errno));
    bool written = write (fd, bytes, size) == (ssize_t) size;
    close (fd);
    int rc = written ? 0 : bsw_error_set (err, BSW_EIO, "%s: cannot write", path);
    char title[1024];
    s_series_title (spec, sweep, k, title, sizeof title);
    if (rc == 0)
        rc = s_draw_series (path, title, out, err);
    unlink (path);
    return rc;
}

//  --------------------------------------------------------------------------

//  The PSE view in the output's format, and a line saying what was drawn.
static int
s_pse (const plot_pse_t *pse, const s_opts_t *opts, bsw_error_t *err)
{
    plot_format_t format = plot_format_from_path (opts->output);
    if (format == PLOT_FORMAT_HTML) {
        int rc = plot_pse_write_html (pse, &opts->pse, opts->output, err);
        if (rc == 0)
            fprintf (stderr, "brainsweep plot: %s: %" PRIu64 " points (interactive page)\n",
                     opts->output, plot_pse_points (pse));
        return rc;
    }
    plot_pse_stats_t stats = {0};
    int rc = plot_pse_write (pse, &opts->pse, opts->output, format, &stats, err);
    if (rc == 0 && stats.dense)
        fprintf (stderr,
                 "brainsweep plot: %s: %zu points in %zu panel%s, dense: one %s per point "
                 "(%zu coloured, %zu failed or NaN, %zu pending; size not drawn), colour scale "
                 "%s\n",
                 opts->output, stats.drawn, stats.panels, stats.panels == 1 ? "" : "s",
                 stats.scatter ? "square" : "cell", stats.cells, stats.crosses, stats.pending,
                 stats.colour_log ? "log" : "linear");
    else if (rc == 0)
        fprintf (stderr,
                 "brainsweep plot: %s: %zu points in %zu panel%s (%zu discs, %zu crosses, "
                 "%zu pending), size scale %s, colour scale %s\n",
                 opts->output, stats.drawn, stats.panels, stats.panels == 1 ? "" : "s", stats.discs,
                 stats.crosses, stats.pending, stats.size_log ? "log" : "linear",
                 stats.colour_log ? "log" : "linear");
    if (rc == 0 && stats.scatter)
        fprintf (stderr, "brainsweep plot: %s: a scatter: each point at its values\n",
                 opts->output);
    return rc;
}

static int
s_fail (const bsw_error_t *err)
{
    fprintf (stderr, "brainsweep plot: %s\n", err->text[0] ? err->text : bsw_strerror (err->code));
    return 1;
}

int
client_plot_main (int argc, char **argv)
{
    s_opts_t opts;
    int status = s_parse (argc, argv, &opts);
    if (status != BSW_OPTS_GO)
        return status;
    const char *source = opts.source;
    uint64_t sweep = 0;
    bool from_broker = bsw_parse_u64 (source, 1, UINT64_MAX, &sweep) == 0;
    client_conn_t *conn = NULL;
    if (from_broker) {
        const char *endpoint = client_broker_endpoint (opts.broker);
        if (!endpoint) {
            fprintf (stderr,
                     "brainsweep plot: %s is a sweep ID but there is no broker: give "
                     "--broker ENDPOINT or set BRAINSWEEP_BROKER (or plot an export "
                     "zip)\n",
                     source);
            return 2;
        }
        bsw_error_t key_err;
        conn = client_conn_new (endpoint, 0, &opts.keys, &key_err);
        if (!conn) {
            fprintf (stderr, "brainsweep plot: %s\n", key_err.text);
            return 2;
        }
    }
    bsw_error_t err;
    bsw_error_clear (&err);
    plot_pse_t *pse = NULL;
    spec_t *spec = NULL;
    int rc = 0;
    if (opts.point != S_NO_POINT) {
        void *bytes = NULL;
        size_t size = 0;
        rc = from_broker
                 ? client_plot_series_broker (conn, sweep, opts.point, &bytes, &size, &spec, &err)
                 : client_plot_series_zip (source, opts.point, &bytes, &size, &spec, &err);
        char name[64];
        snprintf (name, sizeof name, "sweep %" PRIu64, sweep);
        if (rc == 0)
            rc = s_series (bytes, size, spec,
                           spec->name && *spec->name ? spec->name
                           : from_broker             ? name
                                                     : source,
                           opts.point, opts.output, &err);
        free (bytes);
        if (rc == 0)
            fprintf (stderr, "brainsweep plot: %s: point %" PRIu64 "'s time series\n", opts.output,
                     opts.point);
    } else {
        rc = from_broker ? client_plot_load_broker (conn, sweep, &pse, &spec, &err)
                         : client_plot_load_zip (source, &pse, &spec, &err);
        if (rc == 0)
            rc = s_pse (pse, &opts, &err);
    }
    plot_pse_destroy (&pse);
    spec_destroy (&spec);
    client_conn_destroy (&conn);
    return rc ? s_fail (&err) : 0;
}
