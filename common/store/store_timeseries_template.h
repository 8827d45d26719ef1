/*  store_timeseries_template.h - TimeSeriesRegion images made by patching a
    copy of one template file instead of running libhdf5 for each.

    A sweep's points share everything in their file but the numbers, the
    GID and the creation date. A template is that file written once by
    libhdf5 (store_timeseries_image) with placeholders, plus where each
    per-point byte lies in it; an image for a point is a copy of it with the
    point's bytes written over those places. It is byte for byte the file
    store_timeseries_image would write for the point in the same second
    (store_timeseries_test proves it), at the cost of a memcpy rather than
    a libhdf5 write (its cost per tiny point: bench/README.md, "Tiny
    points, workers (before)"), which in Debian's thread-safe build also
    runs one thread at a time.

    Threads: a template is immutable once made; any number of threads may
    make images from it at once.
*/
#ifndef STORE_TIMESERIES_TEMPLATE_H_INCLUDED
#define STORE_TIMESERIES_TEMPLATE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#include "bsw_error.h"
#include "store_timeseries.h"

typedef struct _store_timeseries_template_t store_timeseries_template_t;

/*  A template for series shaped like ts (its numbers, gid and date do not
    matter). Caller owns *self_p (store_timeseries_template_destroy).
    Returns 0, BSW_EINVAL for a series no template can serve (bad input,
    deflate on: compressed chunks change size with the data) or BSW_EFORMAT
    when libhdf5 wrote a file whose per-point bytes could not be told
    apart; either way store_timeseries_image still works. */
int store_timeseries_template_new (store_timeseries_template_t **self_p,
                                   const store_timeseries_t *ts, bsw_error_t *err);
void store_timeseries_template_destroy (store_timeseries_template_t **self_p);

/*  True when images of ts can come from this template: same shape, names,
    monitor, sample period and connectivity, no deflate. */
bool store_timeseries_template_fits (const store_timeseries_template_t *self,
                                     const store_timeseries_t *ts);

/*  store_timeseries_image for ts, by patching the template when it fits
    and ts's values are all finite (TVB_IsFinite is part of the template),
    else by store_timeseries_image itself. Same contract. */
int store_timeseries_template_image (const store_timeseries_template_t *self,
                                     const store_timeseries_t *ts, void **image_p, size_t *size_p,
                                     bsw_error_t *err);

#endif
