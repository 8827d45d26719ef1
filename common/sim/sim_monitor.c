/*  sim_monitor.c - see sim_monitor.h for the sampling rules. */
#include "sim_monitor.h"
#include "bsw_util.h"
#include "sim_model.h" /* SIM_HOT */

#include <stdbool.h>

#include <stdlib.h>

void
sim_monitor_init (sim_monitor_t *self, sim_monitor_kind_t kind, uint64_t istep, double dt,
                  size_t width)
{
    self->kind = kind;
    self->istep = istep ? istep : 1;
    self->dt = dt;
    self->width = width;
    self->sum = NULL;
    self->sample = NULL;
    if (kind == SIM_MONITOR_TEMPORAL_AVERAGE) {
        self->sum = bsw_aligned_calloc (width * sizeof (double));
        self->sample = bsw_aligned_calloc (width * sizeof (double));
    }
}

void
sim_monitor_fini (sim_monitor_t *self)
{
    free (self->sum);
    free (self->sample);
    self->sum = self->sample = NULL;
}

/*  The window's running sum; its first step starts from the value itself,
    as numpy's reduction starts from the first slot. */
SIM_HOT static void
s_accumulate (double *restrict sum, const double *restrict obs, size_t width, bool first)
{
    if (first)
        for (size_t k = 0; k < width; k++)
            sum[k] = obs[k];
    else
        for (size_t k = 0; k < width; k++)
            sum[k] += obs[k];
}

SIM_HOT static void
s_average (double *restrict sample, const double *restrict sum, size_t width, double count)
{
    for (size_t k = 0; k < width; k++)
        sample[k] = sum[k] / count;
}

const double *
sim_monitor_record (sim_monitor_t *self, uint64_t step, const double *restrict obs, double *time)
{
    uint64_t phase = step % self->istep;
    switch (self->kind) {
    case SIM_MONITOR_RAW:
        *time = (double) step * self->dt;
        return obs;
    case SIM_MONITOR_SUBSAMPLE:
        if (phase != 0)
            return NULL;
        *time = (double) step * self->dt;
        return obs;
    case SIM_MONITOR_TEMPORAL_AVERAGE:
        break;
    }
    s_accumulate (self->sum, obs, self->width, phase == 1 || self->istep == 1);
    if (phase != 0)
        return NULL;
    double count = (double) self->istep;
    s_average (self->sample, self->sum, self->width, count);
    *time = ((double) step - count / 2.0) * self->dt;
    return self->sample;
}
