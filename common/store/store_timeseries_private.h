/*  store_timeseries_private.h - shared by store_timeseries.c and
    store_timeseries_template.c only: one writer of a TimeSeriesRegion's
    content, so a template's images cannot drift from a fresh file. */
#ifndef STORE_TIMESERIES_PRIVATE_H_INCLUDED
#define STORE_TIMESERIES_PRIVATE_H_INCLUDED

#include "store_h5.h"
#include "store_timeseries.h"

/*  Checks ts as store_timeseries_image does, then writes every attribute
    and dataset of the file into h5, with the datasets' statistics
    attributes given (NULL: computed from the values). Returns 0, or
    BSW_EINVAL with err (nothing written). h5's sticky error is the
    caller's to check. */
int store_timeseries_fill (store_h5_t *h5, const store_timeseries_t *ts,
                           const store_h5_stats_t *data_stats, const store_h5_stats_t *time_stats,
                           bsw_error_t *err);

#endif
