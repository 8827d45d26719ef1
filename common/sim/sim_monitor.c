/*  sim_monitor.c - see sim_monitor.h for the sampling rules. */
#include "sim_monitor.h"
#include "bsw_util.h"

#include <stdlib.h>

void
sim_monitor_init (sim_monitor_t *self, sim_monitor_kind_t kind, uint64_t istep, double dt,
                  size_t width)
{
    self->kind = kind;
    self->istep = istep ? istep : 1;
    self->dt = dt;
    self->sum = NULL;
    if (kind == SIM_MONITOR_TEMPORAL_AVERAGE)
        self->sum = bsw_aligned_calloc (width * sizeof (double));
}

void
sim_monitor_fini (sim_monitor_t *self)
{
    free (self->sum);
    self->sum = NULL;
}

uint64_t
sim_monitor_every (const sim_monitor_t *self)
{
    return self->kind == SIM_MONITOR_RAW ? 1 : self->istep;
}

double
sim_monitor_time (const sim_monitor_t *self, uint64_t step)
{
    if (self->kind == SIM_MONITOR_TEMPORAL_AVERAGE)
        return ((double) step - (double) self->istep / 2.0) * self->dt;
    return (double) step * self->dt;
}

void
sim_monitor_times (const sim_setup_t *setup, double *times, size_t n)
{
    //  No sums: only the settings are used.
    sim_monitor_t monitor = {
        .kind = setup->monitor, .istep = sim_setup_istep (setup), .dt = setup->dt};
    if (monitor.istep == 0)
        monitor.istep = 1;
    uint64_t every = sim_monitor_every (&monitor);
    for (size_t k = 0; k < n; k++)
        times[k] = sim_monitor_time (&monitor, (uint64_t) (k + 1) * every);
}
