/*  client_plot.h - where `brainsweep plot` gets its data: an export zip
    (metrics.csv, sweep.json, <k+1>/TimeSeriesRegion_<hex>.h5) or a broker
    (RESULTS pages with the spec; one point's series on request).

    Both give the same thing: the sweep's plot data (plot_pse.h) with
    every point's status and metrics, points without a result pending,
    and its parsed spec for the ranges and titles. A sweep that is no
    grid, or a zip of a refinement family (metrics.csv with a `level`
    column), gives a scatter (plot_pse_new_scatter).
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
    others are pending. A refined grid (STATUS lists its `family`) is a
    scatter of the grid at level 0 and each level's sweep after it.
    Returns 0, or the broker's error, BSW_EFORMAT (no spec in the reply:
    a broker too old for plots) or BSW_EINVAL. */
int client_plot_load_broker (client_conn_t *conn, uint64_t sweep, plot_pse_t **pse_p,
                             spec_t **spec_p, bsw_error_t *err);

/*  A scatter (plot_pse_new_scatter) over spec's parameters: axis r is
    ranges[r], bounded by its lo and hi (a grid's: its smallest and
    largest value). No points yet. Same returns as plot_pse_new_scatter. */
int client_plot_new_scatter (const spec_t *spec, const char *title, const char *const *metrics,
                             size_t n_metrics, plot_pse_t **pse_p, bsw_error_t *err);

/*  Appends every point of spec (grid or not, spec_point_values) to a
    scatter made from `axes` (client_plot_new_scatter; spec's parameters
    matched to its by name) at refinement level `level`, pending; the
    sweep's point k is the plot's (points before) + k. For a family: the
    parent at level 0 (axes = spec), then each refinement at its level.
    Returns 0, BSW_EFORMAT (spec ranges over other parameters), or
    plot_pse_add_point's errors. */
int client_plot_add_sweep (plot_pse_t *pse, const spec_t *axes, const spec_t *spec, unsigned level,
                           bsw_error_t *err);

/*  Reads a sweep's RESULTS pages into pse, the sweep's point k (of
    `points`) being the plot's base + k: *page_p is the first page (taken),
    the others are asked from the broker. Returns 0, or the broker's
    error, BSW_EPROTO (pages that do not move forward), BSW_ESTATE
    (interrupted). */
int client_plot_read_pages (client_conn_t *conn, uint64_t sweep, proto_msg_t **page_p,
                            const char *const *names, size_t n_names, uint64_t base,
                            uint64_t points, plot_pse_t *pse, bsw_error_t *err);

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
