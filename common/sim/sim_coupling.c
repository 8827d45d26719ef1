/*  sim_coupling.c - the table of couplings (TVB's defaults and PSE domains,
    coupling.py) and what each needs of a model. */
#include "sim_coupling.h"

#include <string.h>

static const sim_param_desc_t s_linear[] = {
    {"a", 0.00390625, 0.0, 1.0, 0.01}, {"b", 0.0, 0.0, 0.0, 0.0}, /* TVB gives b no domain */
};
const sim_coupling_desc_t sim_coupling_linear = {"Linear", SIM_COUPLING_LINEAR, 2, s_linear};

static const sim_param_desc_t s_difference[] = {{"a", 0.1, 0.0, 10.0, 0.1}};
const sim_coupling_desc_t sim_coupling_difference = {"Difference", SIM_COUPLING_DIFFERENCE, 1,
                                                     s_difference};

static const sim_param_desc_t s_kuramoto[] = {{"a", 1.0, 0.0, 1.0, 0.01}};
const sim_coupling_desc_t sim_coupling_kuramoto = {"Kuramoto", SIM_COUPLING_KURAMOTO, 1,
                                                   s_kuramoto};

static const sim_param_desc_t s_sigmoidal_jr[] = {
    {"a", 1.0, 0.01, 1000.0, 10.0},         {"cmin", 0.0, -1000.0, 1000.0, 10.0},
    {"cmax", 0.005, -1000.0, 1000.0, 10.0}, {"midpoint", 6.0, -1000.0, 1000.0, 10.0},
    {"r", 0.56, 0.01, 1000.0, 10.0},
};
const sim_coupling_desc_t sim_coupling_sigmoidal_jr = {
    "SigmoidalJansenRit", SIM_COUPLING_SIGMOIDAL_JR, 5, s_sigmoidal_jr};

static const sim_coupling_desc_t *const s_couplings[] = {
    &sim_coupling_linear, &sim_coupling_difference, &sim_coupling_kuramoto,
    &sim_coupling_sigmoidal_jr, NULL};

const sim_coupling_desc_t *
sim_coupling_find (const char *name)
{
    for (size_t i = 0; s_couplings[i]; i++)
        if (strcmp (s_couplings[i]->name, name) == 0)
            return s_couplings[i];
    return NULL;
}

const sim_coupling_desc_t *
sim_coupling_at (size_t i)
{
    return i < sizeof s_couplings / sizeof s_couplings[0] ? s_couplings[i] : NULL;
}

int
sim_coupling_param_index (const sim_coupling_desc_t *coupling, const char *name)
{
    return sim_param_index (coupling->params, coupling->n_params, name);
}

size_t
sim_coupling_channels (const sim_coupling_desc_t *coupling, const sim_model_desc_t *model)
{
    switch (coupling->kind) {
    case SIM_COUPLING_KURAMOTO:
        return 2 * model->n_cvar;
    case SIM_COUPLING_SIGMOIDAL_JR:
        return 2;
    default:
        return model->n_cvar;
    }
}

size_t
sim_coupling_inputs (const sim_coupling_desc_t *coupling, const sim_model_desc_t *model)
{
    return coupling->kind == SIM_COUPLING_SIGMOIDAL_JR ? 1 : model->n_cvar;
}

int
sim_coupling_check (const sim_coupling_desc_t *coupling, const sim_model_desc_t *model,
                    bsw_error_t *err)
{
    //  TVB's SigmoidalJansenRit subtracts the second coupling variable
    //  from the first (y1 - y2 of JansenRit).
    if (coupling->kind == SIM_COUPLING_SIGMOIDAL_JR && model->n_cvar != 2)
        return bsw_error_set (err, BSW_ESPEC,
                              "SigmoidalJansenRit reads two coupling variables (the first minus "
                              "the second), but %s has %zu",
                              model->name, model->n_cvar);
    if (sim_coupling_channels (coupling, model) > SIM_MAX_CHAN)
        return bsw_error_set (err, BSW_ESPEC, "%s on %s needs %zu channels, at most %d",
                              coupling->name, model->name, sim_coupling_channels (coupling, model),
                              SIM_MAX_CHAN);
    return BSW_OK;
}
