/*  sim_model.c - the table of models and lookups by name. */
#include "sim_model.h"

#include <string.h>

static const sim_model_desc_t *const s_models[] = {&sim_g2d_model,
                                                   &sim_kuramoto_model,
                                                   &sim_suphopf_model,
                                                   &sim_rww_model,
                                                   &sim_mpr_model,
                                                   &sim_jansenrit_model,
                                                   NULL};

const sim_model_desc_t *
sim_model_find (const char *name)
{
    for (size_t i = 0; s_models[i]; i++)
        if (strcmp (s_models[i]->name, name) == 0)
            return s_models[i];
    return NULL;
}

const sim_model_desc_t *
sim_model_at (size_t i)
{
    return i < sizeof s_models / sizeof s_models[0] ? s_models[i] : NULL;
}

int
sim_param_index (const sim_param_desc_t *params, size_t n_params, const char *name)
{
    for (size_t i = 0; i < n_params; i++)
        if (strcmp (params[i].name, name) == 0)
            return (int) i;
    return -1;
}

int
sim_model_param_index (const sim_model_desc_t *model, const char *name)
{
    return sim_param_index (model->params, model->n_params, name);
}

int
sim_model_state_index (const sim_model_desc_t *model, const char *name)
{
    for (size_t i = 0; i < model->n_state; i++)
        if (strcmp (model->state_names[i], name) == 0)
            return (int) i;
    return -1;
}

int
sim_model_voi_index (const sim_model_desc_t *model, const char *name)
{
    for (size_t i = 0; i < model->n_voi; i++)
        if (strcmp (model->voi_names[i], name) == 0)
            return (int) i;
    return -1;
}

int
sim_avx512_usable (void)
{
#if SIM_HAVE_AVX512
    __builtin_cpu_init ();
    return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("fma");
#else
    return 0;
#endif
}
