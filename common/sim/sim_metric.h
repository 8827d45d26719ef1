/*  sim_metric.h - TVB's PSE metrics of one time series (TVB.md section 8).

    Input is a monitor time series x[t][v][i] (mode 1), T samples of nvoi
    variables of interest on n nodes, with its sample period. GlobalVariance,
    VarianceNodeVariance, Metastability and Synchrony use the samples from
    TVB's start index on; KuramotoIndex uses all samples and needs nvoi >= 2.
    All statistics are population ones (divide by the count).
*/
#ifndef SIM_METRIC_H_INCLUDED
#define SIM_METRIC_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define SIM_METRIC_MAX 5

typedef struct {
    double global_variance;
    double kuramoto_index; /* meaningful only when has_kuramoto */
    double metastability;
    double synchrony;
    double variance_node_variance;
    bool has_kuramoto; /* nvoi >= 2 */
} sim_metrics_t;

/*  TVB's start index (TVB.md 8.2): start_point / sample_period, or
    (segment-1)*(T div segment) when that exceeds T; truncated. */
size_t sim_metric_start_index (size_t n_samples, double sample_period, double start_point,
                               int segment);

/*  Computes every metric. Empty retained data (start index == T, TVB quirk
    Q8) gives NaN, as TVB does. Allocates scratch internally (aborts on
    out-of-memory only). */
void sim_metrics_compute (const double *data, size_t n_samples, size_t n_voi, size_t n_nodes,
                          double sample_period, double start_point, int segment,
                          sim_metrics_t *out);

/*  The names of the metrics a series of n_voi variables of interest gets,
    in TVB's key order (GlobalVariance, KuramotoIndex when n_voi >= 2,
    Metastability, Synchrony, VarianceNodeVariance; TVB.md 8.1 and 8.4):
    the one list every part of brainsweep reads. Returns the count (4 or
    5); names are static strings. */
size_t sim_metric_names (size_t n_voi, const char *names[SIM_METRIC_MAX]);

/*  The metrics in TVB's key order (GlobalVariance, [KuramotoIndex],
    Metastability, Synchrony, VarianceNodeVariance): fills names and values,
    returns the count (4 or 5). Names are static strings. */
size_t sim_metrics_list (const sim_metrics_t *metrics, const char *names[SIM_METRIC_MAX],
                         double values[SIM_METRIC_MAX]);

#endif
