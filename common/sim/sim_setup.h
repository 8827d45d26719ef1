/*  sim_setup.h - everything one simulation needs besides its connectivity.

    A setup is plain data, filled by the spec parser (common/spec) or by a
    worker from a message. A sweep point is the sweep's base setup with its
    ranged values applied. Setups that agree on everything but the per-lane
    values (model and coupling parameters, noise, seed/point index) can
    run together in one batch (sim_batch.h).
*/
#ifndef SIM_SETUP_H_INCLUDED
#define SIM_SETUP_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_coupling.h"
#include "sim_model.h"

typedef enum {
    SIM_INTEGRATOR_HEUN_DETERMINISTIC = 0,
    SIM_INTEGRATOR_HEUN_STOCHASTIC = 1,
} sim_integrator_kind_t;

typedef enum {
    SIM_MONITOR_TEMPORAL_AVERAGE = 0,
    SIM_MONITOR_SUBSAMPLE = 1,
    SIM_MONITOR_RAW = 2,
} sim_monitor_kind_t;

typedef struct {
    const sim_model_desc_t *model; /* &sim_g2d_model */
    double params[SIM_MAX_PARAMS]; /* model parameters, model->params order */
    int voi[SIM_MAX_VOI];          /* recorded VOIs, indices into model->voi_names */
    size_t n_voi;
    const sim_coupling_desc_t *coupling;             /* &sim_coupling_linear */
    double coupling_params[SIM_MAX_COUPLING_PARAMS]; /* coupling->params order */
    double conduction_speed;                         /* mm/ms */
    sim_integrator_kind_t integrator;
    double dt;                  /* ms */
    double nsig[SIM_MAX_STATE]; /* additive noise per state variable (stochastic) */
    sim_monitor_kind_t monitor;
    double period;             /* ms; ignored by Raw (which uses dt) */
    double simulation_length;  /* ms */
    const double *initial;     /* NULL: random; else [n_state][n_nodes], borrowed */
    uint32_t seed;             /* random ICs and noise */
    uint64_t point_index;      /* which point of the sweep: keys the random stream */
    double metric_start_point; /* ms */
    int metric_segment;
} sim_setup_t;

/*  TVB's defaults (TVB.md 7.1) for the Generic2dOscillator. */
void sim_setup_defaults (sim_setup_t *setup);

/*  Makes `model` the setup's model with TVB's parameter defaults and
    default variables of interest. */
void sim_setup_set_model (sim_setup_t *setup, const sim_model_desc_t *model);

/*  Makes `coupling` the setup's coupling with TVB's parameter defaults. */
void sim_setup_set_coupling (sim_setup_t *setup, const sim_coupling_desc_t *coupling);

/*  Steps to run: ceil(simulation_length / dt), in double (TVB.md 3.1). */
uint64_t sim_setup_steps (const sim_setup_t *setup);

/*  Monitor step interval: round-half-even(period / dt); 1 for Raw. */
uint64_t sim_setup_istep (const sim_setup_t *setup);

/*  Number of monitor samples the run produces. */
uint64_t sim_setup_samples (const sim_setup_t *setup);

/*  The time series' sample period in ms: period, or dt for Raw. */
double sim_setup_sample_period (const sim_setup_t *setup);

/*  TVB's monitor class name: "TemporalAverage", "SubSample", "Raw". */
const char *sim_monitor_name (sim_monitor_kind_t kind);

/*  True when two setups may share one batch (same model, coupling, VOIs, dt,
    conduction speed, integrator kind, monitor, length, initial conditions,
    and metric settings); only per-lane values may differ. */
bool sim_setup_batchable (const sim_setup_t *a, const sim_setup_t *b);

#endif
