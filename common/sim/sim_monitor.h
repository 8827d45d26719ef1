/*  sim_monitor.h - TVB's Raw, SubSample and TemporalAverage monitors
    (TVB.md section 6 and the reference README's sampling rules).

    After every step s = 1, 2, ... a monitor sees the variables of interest
    (nvoi * nodes * lanes values, the `width` given to sim_monitor_init)
    and a sample may fall due:
      Raw              every step, time s*dt;
      SubSample        when s % istep == 0, time s*dt;
      TemporalAverage  when s % istep == 0, the mean of steps s-istep+1..s
                       (sequential sum, then divided by istep, as numpy's
                       mean over TVB's stock), time (s - istep/2)*dt.
    The batch feeds the values tile by tile (sim_tile_record in sim_tile.h
    applies these rules element by element); this holds the settings and
    the TemporalAverage window sums. Embedded in the batch.
*/
#ifndef SIM_MONITOR_H_INCLUDED
#define SIM_MONITOR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_setup.h"

typedef struct {
    sim_monitor_kind_t kind;
    uint64_t istep; /* steps per sample */
    double dt;      /* ms */
    double *sum;    /* TemporalAverage running sums, one per value of a step, else NULL */
} sim_monitor_t;

void sim_monitor_init (sim_monitor_t *self, sim_monitor_kind_t kind, uint64_t istep, double dt,
                       size_t width);
void sim_monitor_fini (sim_monitor_t *self);

/*  Samples fall due after every step that is a multiple of this (1 for
    Raw, istep otherwise); the time stamp of the sample of step `step`. */
uint64_t sim_monitor_every (const sim_monitor_t *self);
double sim_monitor_time (const sim_monitor_t *self, uint64_t step);

/*  The time stamps of the first n samples a run of `setup` records, the
    values a batch writes (sample k falls due after step (k + 1) * every):
    what an exported series' `time` holds, made without running it. */
void sim_monitor_times (const sim_setup_t *setup, double *times, size_t n);

#endif
