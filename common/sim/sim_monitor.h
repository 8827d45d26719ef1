/*  sim_monitor.h - TVB's Raw, SubSample and TemporalAverage monitors
    (TVB.md section 6 and the reference README's sampling rules).

    A monitor sees the variables of interest after every step s = 1, 2, ...
    as one block of `width` values (nvoi * nodes * lanes) and says when a
    sample is ready:
      Raw              every step, time s*dt;
      SubSample        when s % istep == 0, time s*dt;
      TemporalAverage  when s % istep == 0, the mean of steps s-istep+1..s
                       (sequential sum, then divided by istep, as numpy's
                       mean over TVB's stock), time (s - istep/2)*dt.
    Embedded in the batch; buffers allocated at init, none in record.
*/
#ifndef SIM_MONITOR_H_INCLUDED
#define SIM_MONITOR_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#include "sim_setup.h"

typedef struct {
    sim_monitor_kind_t kind;
    uint64_t istep; /* steps per sample */
    double dt;      /* ms */
    size_t width;   /* values per step */
    double *sum;    /* TemporalAverage running sum [width], else NULL */
    double *sample; /* TemporalAverage emitted mean [width], else NULL */
} sim_monitor_t;

void sim_monitor_init (sim_monitor_t *self, sim_monitor_kind_t kind, uint64_t istep, double dt,
                       size_t width);
void sim_monitor_fini (sim_monitor_t *self);

/*  Feeds the VOIs after step `step`. Returns the sample when one is due
    (borrowed: valid until the next call), with *time set; NULL otherwise. */
const double *sim_monitor_record (sim_monitor_t *self, uint64_t step, const double *restrict obs,
                                  double *time);

#endif
