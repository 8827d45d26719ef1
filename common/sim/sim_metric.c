/*  sim_metric.c - GlobalVariance, VarianceNodeVariance, KuramotoIndex and
    ProxyMetastabilitySynchrony after TVB.md 8.2-8.4.

    Sums are plain sequential double sums. numpy sums pairwise, so the last
    bits can differ; over the few thousand terms a metric takes the relative
    difference stays near 1e-14, far inside the reference tolerance
    (1e-6 relative). Means of centred data are computed exactly as numpy's
    var does: mean first, then the mean of squared deviations.
*/
#include "sim_metric.h"
#include "bsw_assert.h"
#include "bsw_util.h"

#include <math.h>
#include <stdlib.h>

size_t
sim_metric_start_index (size_t n_samples, double sample_period, double start_point, int segment)
{
    double st = start_point != 0.0 ? start_point / sample_period : 0.0;
    if (st > (double) n_samples)
        st = (double) ((size_t) (segment - 1) * (n_samples / (size_t) segment));
    if (!(st >= 0.0))
        st = 0.0;
    size_t index = (size_t) st; /* trunc, as Python's int() */
    return index > n_samples ? n_samples : index;
}

/*  Population variance of count values read with a stride. */
static double
s_variance (const double *values, size_t count)
{
    double sum = 0.0;
    for (size_t k = 0; k < count; k++)
        sum += values[k];
    double mean = sum / (double) count;
    double squares = 0.0;
    for (size_t k = 0; k < count; k++) {
        double dev = values[k] - mean;
        squares += dev * dev;
    }
    return squares / (double) count;
}

/*  z[t][v][i] = y[t][v][i] - mean_t y[.][v][i] over the retained samples. */
static double *
s_centre_in_time (const double *y, size_t T, size_t nvoi, size_t n)
{
    size_t width = nvoi * n;
    double *mean = bsw_calloc (width, sizeof (double));
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < width; k++)
            mean[k] += y[t * width + k];
    for (size_t k = 0; k < width; k++)
        mean[k] /= (double) T;
    double *z = bsw_malloc (T * width * sizeof (double));
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < width; k++)
            z[t * width + k] = y[t * width + k] - mean[k];
    free (mean);
    return z;
}

static double
s_variance_node_variance (const double *z, size_t T, size_t nvoi, size_t n)
{
    double *node_var = bsw_malloc (n * sizeof (double));
    double *gathered = bsw_malloc (T * nvoi * sizeof (double));
    for (size_t i = 0; i < n; i++) {
        //  Node i's values over (time, voi), in numpy's C order.
        for (size_t t = 0; t < T; t++)
            for (size_t v = 0; v < nvoi; v++)
                gathered[t * nvoi + v] = z[(t * nvoi + v) * n + i];
        node_var[i] = s_variance (gathered, T * nvoi);
    }
    double result = s_variance (node_var, n);
    free (gathered);
    free (node_var);
    return result;
}

/*  D[t][v] = mean_i |y - mean_k y|; Metastability = std(D), Synchrony = 1/mean(D). */
static void
s_metastability_synchrony (const double *y, size_t T, size_t nvoi, size_t n, double *meta,
                           double *sync)
{
    size_t count = T * nvoi;
    double *D = bsw_malloc (count * sizeof (double));
    for (size_t r = 0; r < count; r++) {
        const double *row = y + r * n;
        double sum = 0.0;
        for (size_t i = 0; i < n; i++)
            sum += row[i];
        double mean = sum / (double) n;
        double dev = 0.0;
        for (size_t i = 0; i < n; i++)
            dev += fabs (row[i] - mean);
        D[r] = dev / (double) n;
    }
    double sum = 0.0;
    for (size_t r = 0; r < count; r++)
        sum += D[r];
    *meta = sqrt (s_variance (D, count));
    *sync = 1.0 / (sum / (double) count);
    free (D);
}

static double
s_kuramoto (const double *x, size_t T, size_t nvoi, size_t n)
{
    double total = 0.0;
    for (size_t t = 0; t < T; t++) {
        const double *v0 = x + (t * nvoi + 0) * n;
        const double *v1 = x + (t * nvoi + 1) * n;
        double re = 0.0, im = 0.0;
        for (size_t i = 0; i < n; i++) {
            double theta = atan2 (v1[i], v0[i]);
            re += cos (theta);
            im += sin (theta);
        }
        total += hypot (re, im) / (double) n;
    }
    return total / (double) T;
}

void
sim_metrics_compute (const double *data, size_t n_samples, size_t n_voi, size_t n_nodes,
                     double sample_period, double start_point, int segment, sim_metrics_t *out)
{
    size_t st = sim_metric_start_index (n_samples, sample_period, start_point, segment);
    size_t T = n_samples - st;
    const double *y = data + st * n_voi * n_nodes;
    out->has_kuramoto = n_voi >= 2;
    out->kuramoto_index =
        out->has_kuramoto && n_samples > 0 ? s_kuramoto (data, n_samples, n_voi, n_nodes) : NAN;
    if (T == 0 || n_nodes == 0 || n_voi == 0) {
        out->global_variance = out->metastability = out->synchrony = NAN;
        out->variance_node_variance = NAN;
        return;
    }
    double *z = s_centre_in_time (y, T, n_voi, n_nodes);
    out->global_variance = s_variance (z, T * n_voi * n_nodes);
    out->variance_node_variance = s_variance_node_variance (z, T, n_voi, n_nodes);
    free (z);
    s_metastability_synchrony (y, T, n_voi, n_nodes, &out->metastability, &out->synchrony);
}

size_t
sim_metric_names (size_t n_voi, const char *names[SIM_METRIC_MAX])
{
    size_t k = 0;
    names[k++] = "GlobalVariance";
    //  TVB skips KuramotoIndex with fewer than two VOIs (TVB.md 8.1).
    if (n_voi >= 2)
        names[k++] = "KuramotoIndex";
    names[k++] = "Metastability";
    names[k++] = "Synchrony";
    names[k++] = "VarianceNodeVariance";
    return k;
}

size_t
sim_metrics_list (const sim_metrics_t *metrics, const char *names[SIM_METRIC_MAX],
                  double values[SIM_METRIC_MAX])
{
    size_t count = sim_metric_names (metrics->has_kuramoto ? 2 : 1, names);
    size_t k = 0;
    values[k++] = metrics->global_variance;
    if (metrics->has_kuramoto)
        values[k++] = metrics->kuramoto_index;
    values[k++] = metrics->metastability;
    values[k++] = metrics->synchrony;
    values[k++] = metrics->variance_node_variance;
    BSW_ASSERT (k == count);
    return count;
}
