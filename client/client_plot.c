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

#include "bsw_util.h"
#include "plot_pse.h"
#include "plot_series.h"
#include "store_h5read.h"

#include <jansson.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char s_usage[] =
    "usage: brainsweep plot (ID | FILE.zip) -o OUT.(svg|png|pdf|html) [options]\n"
    "\n"
    "Draws TVB's discrete PSE view of a sweep: one disc per parameter point, x = the\n"
    "first range, y = the second, radius from one metric and colour from another.\n"
    "Failed points and NaN metrics are crosses; points without a result yet are\n"
    "hollow rings. ID asks the broker (a running sweep shows its progress);\n"
    "FILE.zip reads an export (brainsweep run / fetch). The format follows OUT's\n"
    "extension; .html is one self-contained interactive page (hover for values,\n"
    "choose the metrics and slices).\n"
    "\n"
    "  -o, --output FILE          the image to write (required)\n"
    "  -s, --size METRIC          metric of the disc radius (default GlobalVariance)\n"
    "  -c, --colour METRIC        metric of the colour (default VarianceNodeVariance)\n"
    "      --slice PARAM=VALUE    fix a range at one of its values; repeatable. The\n"
    "                             first two ranges not fixed are the axes; any others\n"
    "                             make one panel per combination of values (at most 25)\n"
    "      --size-scale MODE      auto, linear or log for the radius (default linear,\n"
    "                             as TVB)\n"
    "      --colour-scale MODE    auto, linear or log for the colour (default auto: log\n"
    "                             when no value is negative and the positive ones span\n"
    "                             3 decades or more; zeros then sit at the bottom)\n"
    "      --log                  log scales for both\n"
    "      --linear               linear scales for both (TVB's look)\n"
    "  -p, --point K              instead, point K's time series (K as in metrics.csv's\n"
    "                             point column): every region, one panel per variable\n"
    "  -b, --broker ENDPOINT      the broker, for an ID (default: $BRAINSWEEP_BROKER)\n";

typedef struct {
    const char *output;     /* -o */
    plot_pse_options_t pse; /* metrics, scales, slices */
    const char **slices;    /* owned array, borrowed strings */
    bool point_given;       /* --point */
    uint64_t point;         /* its K */
    const char *broker;     /* --broker */
} s_opts_t;

static int
s_scale_mode (const char *text, plot_scale_mode_t *mode)
{
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

static int
s_parse_uint (const char *text, uint64_t *value)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull (text, &end, 10);
    if (errno || end == text || *end || text[0] == '-')
        return -1;
    *value = v;
    return 0;
}

//  Returns -1 to go on, or the exit status (0 after --help, 2 bad usage).
static int
s_parse (int argc, char **argv, s_opts_t *opts, int *first)
{
    enum { O_SLICE = 256, O_LOG, O_LINEAR, O_SIZE_SCALE, O_COLOUR_SCALE };
    static const struct option options[] = {
        {"output", required_argument, NULL, 'o'},
        {"size", required_argument, NULL, 's'},
        {"colour", required_argument, NULL, 'c'},
        {"color", required_argument, NULL, 'c'},
        {"slice", required_argument, NULL, O_SLICE},
        {"log", no_argument, NULL, O_LOG},
        {"linear", no_argument, NULL, O_LINEAR},
        {"size-scale", required_argument, NULL, O_SIZE_SCALE},
        {"colour-scale", required_argument, NULL, O_COLOUR_SCALE},
        {"color-scale", required_argument, NULL, O_COLOUR_SCALE},
        {"point", required_argument, NULL, 'p'},
        {"broker", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    memset (opts, 0, sizeof *opts);
    opts->slices = bsw_calloc ((size_t) argc + 1, sizeof (char *));
    opts->pse.slices = opts->slices;
    optind = 1;
    int opt;
    while ((opt = getopt_long (argc, argv, "o:s:c:p:b:h", options, NULL)) != -1) {
        switch (opt) {
        case 'o':
            opts->output = optarg;
            break;
        case 's':
            opts->pse.size_metric = optarg;
            break;
        case 'c':
            opts->pse.colour_metric = optarg;
            break;
        case O_SLICE:
            opts->slices[opts->pse.n_slices++] = optarg;
            break;
        case O_LOG:
            opts->pse.size_scale = opts->pse.colour_scale = PLOT_SCALE_LOG;
            break;
        case O_LINEAR:
            opts->pse.size_scale = opts->pse.colour_scale = PLOT_SCALE_LINEAR;
            break;
        case O_SIZE_SCALE:
        case O_COLOUR_SCALE:
            if (s_scale_mode (optarg, opt == O_SIZE_SCALE ? &opts->pse.size_scale
                                                          : &opts->pse.colour_scale)) {
                fprintf (stderr, "brainsweep plot: scale '%s': expected auto, linear or log\n",
                         optarg);
                return 2;
            }
            break;
        case 'p':
            if (s_parse_uint (optarg, &opts->point)) {
                fprintf (stderr,
                         "brainsweep plot: --point '%s': expected a point index (0, 1, ...)\n",
                         optarg);
                return 2;
            }
            opts->point_given = true;
            break;
        case 'b':
            opts->broker = optarg;
            break;
        case 'h':
            fputs (s_usage, stdout);
            return 0;
        default:
            fputs (s_usage, stderr);
            return 2;
        }
    }
    *first = optind;
    if (optind != argc - 1) {
        fprintf (stderr, "brainsweep plot: expected one sweep ID or FILE.zip\n%s", s_usage);
        return 2;
    }
    if (!opts->output) {
        fprintf (stderr, "brainsweep plot: give the output with -o OUT.svg|png|pdf|html\n");
        return 2;
    }
    plot_format_t format = plot_format_from_path (opts->output);
    if (format == PLOT_FORMAT_UNKNOWN || (opts->point_given && format == PLOT_FORMAT_HTML)) {
        fprintf (stderr, "brainsweep plot: %s: the output must end in %s\n", opts->output,
                 opts->point_given ? ".svg, .png or .pdf" : ".svg, .png, .pdf or .html");
        return 2;
    }
    return -1;
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
    size_t coords[64] = {0};
    int n = snprintf (out, size, "%s: point %" PRIu64, sweep, k);
    if (k >= spec_points (spec) || spec->n_ranges > 64)
        return;
    spec_point_coords (spec, k, coords);
    for (size_t r = 0; r < spec->n_ranges && n > 0 && (size_t) n < size; r++) {
        char value[PLOT_SCALE_LABEL_BUF];
        plot_scale_format_digits (spec->ranges[r].values[coords[r]], 6, value);
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
    if (rc == 0)
        fprintf (stderr,
                 "brainsweep plot: %s: %zu points in %zu panel%s (%zu discs, %zu crosses, "
                 "%zu pending), size scale %s, colour scale %s\n",
                 opts->output, stats.drawn, stats.panels, stats.panels == 1 ? "" : "s", stats.discs,
                 stats.crosses, stats.pending, stats.size_log ? "log" : "linear",
                 stats.colour_log ? "log" : "linear");
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
    int first = 0, status = s_parse (argc, argv, &opts, &first);
    if (status >= 0) {
        free (opts.slices);
        return status;
    }
    const char *source = argv[first];
    uint64_t sweep = 0;
    bool from_broker = s_parse_uint (source, &sweep) == 0 && sweep > 0;
    client_conn_t *conn = NULL;
    if (from_broker) {
        const char *endpoint = client_broker_endpoint (opts.broker);
        if (!endpoint) {
            fprintf (stderr,
                     "brainsweep plot: %s is a sweep ID but there is no broker: give "
                     "--broker ENDPOINT or set BRAINSWEEP_BROKER (or plot an export "
                     "zip)\n",
                     source);
            free (opts.slices);
            return 2;
        }
        conn = client_conn_new (endpoint, 0);
    }
    bsw_error_t err;
    bsw_error_clear (&err);
    plot_pse_t *pse = NULL;
    spec_t *spec = NULL;
    int rc = 0;
    if (opts.point_given) {
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
    free (opts.slices);
    return rc ? s_fail (&err) : 0;
}
