/*  client_plot.h - where `brainsweep plot` gets its data: an export zip
    (metrics.csv, sweep.json, <k+1>/TimeSeriesRegion_<hex>.h5) or a broker
    (RESULTS pages with the spec; one point's series on request).

    Both give the same thing: the sweep's plot data (plot_pse.h) with
    every point's status and metrics, points without a result pending,
    and its parsed spec for the ranges and titles.
*/
#ifndef CLIENT_PLOT_H_INCLUDED
#define CLIENT_PLOT_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "bsw_error.h"
#include "client_conn.h"
#include "plot_pse.h"
#include "spec.h"

#define CLIENT_PLOT_PAGE_POINTS                                                                    \
    50000 /* points per RESULTS page asked: the broker's most, ~2.6 MB */

/*  A sweep's data from an export zip. Caller owns *pse_p and *spec_p
    (plot_pse_destroy, spec_destroy). Returns 0, or BSW_EIO (the zip),
    BSW_EFORMAT (metrics.csv or sweep.json missing or unreadable),
    BSW_EINVAL (no ranges) with err's sentence naming the file. */
int client_plot_load_zip (const char *zip_path, plot_pse_t **pse_p, spec_t **spec_p,
                          bsw_error_t *err);

/*  The same from a broker: every finished point of sweep `sweep`; the
    others are pending. Returns 0, or the broker's error, BSW_EFORMAT (no
    spec in the reply: a broker too old for plots) or BSW_EINVAL. */
int client_plot_load_broker (client_conn_t *conn, uint64_t sweep, plot_pse_t **pse_p,
                             spec_t **spec_p, bsw_error_t *err);

/*  Point k's TimeSeriesRegion HDF5 file and the sweep's spec (for the
    title): from the zip's folder <k+1> and sweep.json, or from the broker
    in one RESULTS (with_spec, with_timeseries). *bytes_p is caller-owned
    (free), *spec_p too (spec_destroy). Works for a sweep without ranges.
    Returns 0, or BSW_ENOTFOUND (no such point, no result yet, or failed:
    the sentence says which), BSW_EIO, BSW_EFORMAT. */
int client_plot_series_zip (const char *zip_path, uint64_t k, void **bytes_p, size_t *size,
                            spec_t **spec_p, bsw_error_t *err);
int client_plot_series_broker (client_conn_t *conn, uint64_t sweep, uint64_t k, void **bytes_p,
                               size_t *size, spec_t **spec_p, bsw_error_t *err);

/*  Metric names a sweep records, in TVB's key order (TVB.md 8.4):
    KuramotoIndex only with two or more variables of interest. Returns
    the count (4 or 5); names are static strings. */
size_t client_plot_metric_names (const spec_t *spec, const char *names[5]);

#endif
