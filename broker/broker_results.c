/*  broker_results.c - a RESULT's points checked and made into rows
    (broker_results.h).

    Cost: a raw series is checked by its size alone; a deflated one is
    inflated once into scratch memory to prove it decodes to the sweep's
    shape (~1 ms per tutorial point), so the broker never stores what its
    export could not read. Deflate is off by default.
*/
#include "broker_results.h"
#include "broker_export_files.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "store_series.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

//  Whether a new ok point's series is what its sweep's points make.
static int
s_check_series (const proto_msg_t *msg, size_t k, uint64_t at, uint64_t values,
                store_series_encoding_t encoding, bsw_error_t *err)
{
    size_t n_sizes = 0, blob_size = 0;
    const uint64_t *sizes = proto_msg_has (msg, "series_sizes")
                                ? proto_msg_uints (msg, "series_sizes", &n_sizes)
                                : NULL;
    uint64_t size = sizes ? sizes[k] : 0;
    if (values == 0)
        return size ? bsw_error_set (err, BSW_EPROTO,
                                     "a series of %" PRIu64 " bytes for a sweep that keeps "
                                     "metrics only",
                                     size)
                    : 0;
    if (size == 0)
        return bsw_error_set (err, BSW_EPROTO, "ok without its time series");
    if (values > BROKER_DB_SERIES_MAX / 8)
        return bsw_error_set (err, BSW_EPROTO, "the sweep's series are too large to store");
    if (encoding == STORE_SERIES_F8)
        return size == values * 8
                   ? 0
                   : bsw_error_set (err, BSW_EPROTO,
                                    "a series of %" PRIu64 " bytes where the sweep's %" PRIu64
                                    " values take %" PRIu64,
                                    size, values, values * 8);
    const uint8_t *blob = proto_msg_blob (msg, "series", &blob_size, NULL, NULL, NULL);
    double *scratch = bsw_malloc ((size_t) values * sizeof (double));
    int rc =
        store_series_decode (encoding, blob + at, (size_t) size, scratch, (size_t) values, err);
    free (scratch);
    //  The decoder's sentence stands; the peer sent it, so it is EPROTO.
    if (rc && err)
        err->code = BSW_EPROTO;
    return rc ? BSW_EPROTO : 0;
}

size_t
broker_results_check (const proto_msg_t *msg, broker_sweep_t *sweep, broker_db_t *db,
                      uint8_t *verdict, bsw_error_t *err)
{
    BSW_ASSERT (msg && sweep && verdict);
    size_t count = 0, invalid = 0;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    size_t n_sizes = 0;
    const uint64_t *sizes = proto_msg_has (msg, "series_sizes")
                                ? proto_msg_uints (msg, "series_sizes", &n_sizes)
                                : NULL;
    store_series_encoding_t encoding = STORE_SERIES_F8;
    bool known_encoding =
        !proto_msg_has (msg, "encoding") ||
        store_series_encoding_parse (proto_msg_str (msg, "encoding"), &encoding) == 0;
    uint64_t values = 0;
    bsw_error_t shape;
    bsw_error_clear (&shape);
    int shape_rc = broker_sweep_series_values (sweep, db, &values, &shape);
    uint64_t at = 0;
    for (size_t k = 0; k < count; k++) {
        uint64_t size = sizes ? sizes[k] : 0;
        bsw_error_t why;
        bsw_error_clear (&why);
        int rc = 0;
        bool ok = streq (proto_msg_strs_at (msg, "statuses", k), "ok");
        if (points[k] >= sweep->points)
            rc =
                bsw_error_set (&why, BSW_EPROTO, "the sweep has %" PRIu64 " points", sweep->points);
        else if (!broker_sweep_wants_result (sweep, points[k]))
            verdict[k] = BROKER_RESULT_DUPLICATE;
        else if (ok && shape_rc)
            rc = bsw_error_set (&why, shape_rc, "%s", shape.text);
        else if (ok && !known_encoding)
            rc = bsw_error_set (&why, BSW_EPROTO, "unknown encoding");
        else if (ok)
            rc = s_check_series (msg, k, at, values, encoding, &why);
        if (rc) {
            verdict[k] = BROKER_RESULT_INVALID;
            if (invalid++ == 0)
                bsw_error_set (err, rc, "RESULT sweep %" PRIu64 " point %" PRIu64 ": %s", sweep->id,
                               points[k], why.text);
        } else if (verdict[k] != BROKER_RESULT_DUPLICATE)
            verdict[k] = BROKER_RESULT_NEW;
        at += size;
    }
    return invalid;
}

size_t
broker_results_rows (const proto_msg_t *msg, const uint8_t *verdict, const char *worker,
                     broker_result_t *out, char **metrics)
{
    size_t count = 0, n_names = 0, n_values = 0, n_errors = 0, n_elapsed = 0, n_sizes = 0,
           blob_size = 0;
    const uint64_t *points = proto_msg_uints (msg, "points", &count);
    const double *values = proto_msg_has (msg, "metric_values")
                               ? proto_msg_f64s (msg, "metric_values", &n_values)
                               : NULL;
    n_names = proto_msg_has (msg, "metric_names") ? proto_msg_strs_count (msg, "metric_names") : 0;
    const char *names[PROTO_MAX_METRICS];
    BSW_ASSERT (n_names <= PROTO_MAX_METRICS);
    for (size_t m = 0; m < n_names; m++)
        names[m] = proto_msg_strs_at (msg, "metric_names", m);
    bool has_errors = proto_msg_has (msg, "errors");
    if (has_errors)
        n_errors = proto_msg_strs_count (msg, "errors");
    const double *elapsed =
        proto_msg_has (msg, "elapsed_ms") ? proto_msg_f64s (msg, "elapsed_ms", &n_elapsed) : NULL;
    const uint64_t *sizes = proto_msg_has (msg, "series_sizes")
                                ? proto_msg_uints (msg, "series_sizes", &n_sizes)
                                : NULL;
    const uint8_t *blob = proto_msg_has (msg, "series")
                              ? proto_msg_blob (msg, "series", &blob_size, NULL, NULL, NULL)
                              : NULL;
    store_series_encoding_t encoding = STORE_SERIES_F8;
    if (proto_msg_has (msg, "encoding"))
        store_series_encoding_parse (proto_msg_str (msg, "encoding"), &encoding);
    size_t n = 0;
    uint64_t at = 0;
    for (size_t k = 0; k < count; k++) {
        uint64_t size = sizes ? sizes[k] : 0;
        if (verdict[k] == BROKER_RESULT_NEW) {
            broker_result_t *r = &out[n];
            *r = (broker_result_t){.sweep = proto_msg_uint (msg, "sweep"),
                                   .point = points[k],
                                   .worker = worker,
                                   .elapsed_ms = elapsed ? elapsed[k] : 0.0};
            r->ok = streq (proto_msg_strs_at (msg, "statuses", k), "ok");
            metrics[n] = NULL;
            if (!r->ok) {
                const char *why = has_errors ? proto_msg_strs_at (msg, "errors", k) : NULL;
                metrics[n] = bsw_text_escape (why && *why ? why : "failed");
                r->error = metrics[n];
            } else {
                if (n_names)
                    metrics[n] = broker_export_metrics_json (names, values + k * n_names, n_names);
                r->metrics_json = metrics[n];
                if (size) {
                    r->series = blob + at;
                    r->series_size = (size_t) size;
                    r->series_encoding = (int) encoding;
                }
            }
            n++;
        }
        at += size;
    }
    (void) n_errors;
    return n;
}
