/*  sim_setup.c - defaults and derived counts of a simulation setup
    (TVB.md 3.1, 6.1, 7.1). */
#include "sim_setup.h"

#include <math.h>
#include <string.h>

void
sim_setup_defaults (sim_setup_t *setup)
{
    memset (setup, 0, sizeof *setup);
    sim_setup_set_model (setup, &sim_g2d_model);
    sim_setup_set_coupling (setup, &sim_coupling_linear);
    setup->conduction_speed = 3.0;
    setup->integrator = SIM_INTEGRATOR_HEUN_DETERMINISTIC;
    setup->dt = 0.01220703125;
    for (size_t i = 0; i < SIM_MAX_STATE; i++)
        setup->nsig[i] = 1.0;
    setup->monitor = SIM_MONITOR_TEMPORAL_AVERAGE;
    setup->period = 0.9765625;
    setup->simulation_length = 1000.0;
    setup->initial = NULL;
    setup->seed = 42;
    setup->point_index = 0;
    setup->metric_start_point = 500.0;
    setup->metric_segment = 4;
}

void
sim_setup_set_model (sim_setup_t *setup, const sim_model_desc_t *model)
{
    setup->model = model;
    for (size_t i = 0; i < model->n_params; i++)
        setup->params[i] = model->params[i].default_value;
    for (size_t i = 0; i < model->n_default_voi; i++)
        setup->voi[i] = model->default_voi[i];
    setup->n_voi = model->n_default_voi;
}

void
sim_setup_set_coupling (sim_setup_t *setup, const sim_coupling_desc_t *coupling)
{
    setup->coupling = coupling;
    for (size_t i = 0; i < SIM_MAX_COUPLING_PARAMS; i++)
        setup->coupling_params[i] =
            i < coupling->n_params ? coupling->params[i].default_value : 0.0;
}

uint64_t
sim_setup_steps (const sim_setup_t *setup)
{
    return (uint64_t) ceil (setup->simulation_length / setup->dt);
}

uint64_t
sim_setup_istep (const sim_setup_t *setup)
{
    if (setup->monitor == SIM_MONITOR_RAW)
        return 1;
    //  TVB's iround: round half to even, as rint does in the default mode.
    double r = rint (setup->period / setup->dt);
    return r < 1.0 ? 1 : (uint64_t) r;
}

uint64_t
sim_setup_samples (const sim_setup_t *setup)
{
    return sim_setup_steps (setup) / sim_setup_istep (setup);
}

double
sim_setup_sample_period (const sim_setup_t *setup)
{
    return setup->monitor == SIM_MONITOR_RAW ? setup->dt : setup->period;
}

const char *
sim_monitor_name (sim_monitor_kind_t kind)
{
    switch (kind) {
    case SIM_MONITOR_TEMPORAL_AVERAGE:
        return "TemporalAverage";
    case SIM_MONITOR_SUBSAMPLE:
        return "SubSample";
    case SIM_MONITOR_RAW:
        return "Raw";
    }
    return "TemporalAverage";
}

bool
sim_setup_batchable (const sim_setup_t *a, const sim_setup_t *b)
{
    if (a->model != b->model || a->coupling != b->coupling || a->n_voi != b->n_voi)
        return false;
    for (size_t i = 0; i < a->n_voi; i++)
        if (a->voi[i] != b->voi[i])
            return false;
    //  Bitwise comparisons on purpose: "equal" here means "the same run".
    return a->dt == b->dt && a->conduction_speed == b->conduction_speed &&
           a->integrator == b->integrator && a->monitor == b->monitor && a->period == b->period &&
           a->simulation_length == b->simulation_length && a->initial == b->initial &&
           a->metric_start_point == b->metric_start_point &&
           a->metric_segment == b->metric_segment && a->seed == b->seed;
}
