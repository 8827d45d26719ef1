/*  sim_model.h - what a neural mass model is to the core: a description
    (state variables, parameters, variables of interest), its derivatives
    for a whole block of nodes and lanes (after SUNDIALS' CVRhsFn; the
    reference the tests integrate slowly), and its tile kernel, the same
    equations integrated with Heun over many steps at once (what the batch
    runs). The batch calls only the tile kernel, through its pointer, and
    never knows which model it steps; dfun is what the tests integrate to
    check it. Layout everywhere: [state variable][node][lane], lane
    fastest.
*/
#ifndef SIM_MODEL_H_INCLUDED
#define SIM_MODEL_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

/*  Hot loops are compiled for several instruction sets and picked at load
    time (GCC target_clones), so one binary runs everywhere and uses
    AVX-512 where present. Compiler FMA contraction is off for the whole
    core (-ffp-contract=off); where the core wants a fused multiply-add it
    calls fma() explicitly, which every clone computes the same way (x86-64-v3
    and v4 in hardware, the baseline clone through libm, slowly), so every
    clone and machine gives the same bits. */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define SIM_HOT __attribute__ ((target_clones ("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define SIM_HOT
#endif

/*  Helpers called from a SIM_HOT function must be forced inline: otherwise
    GCC keeps them as calls compiled for the baseline instruction set, and
    the loops around them are not vectorised. */
#define SIM_INLINE static inline __attribute__ ((always_inline))

/*  Kernels written with AVX-512 intrinsics (next to portable ones that give
    the same bits) exist on x86-64 GCC and Clang builds; they run where
    sim_avx512_usable () says the CPU has AVX-512F and FMA. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIM_HAVE_AVX512 1
#else
#define SIM_HAVE_AVX512 0
#endif
int sim_avx512_usable (void);

#define SIM_MAX_STATE  6  /* state variables of the largest model (JansenRit) */
#define SIM_MAX_PARAMS 16 /* parameters of the largest model */
#define SIM_MAX_VOI    6  /* variables of interest one run may record */
#define SIM_MAX_CVAR   2  /* coupling variables of a model */

/*  One model parameter, with TVB's default and UI domain (TVB.md 1.3). */
typedef struct {
    const char *name; /* TVB's field name: "tau", "I", ... */
    double default_value;
    double lo, hi, step; /* the UI's PSE domain */
} sim_param_desc_t;

/*  Derivatives of `count` points (nodes * lanes, in [node][lane] order).
    state: [n_state][count]; coupling: [n_cvar][count] (the coupling's
    inputs to the model, sim_coupling_inputs of them; any further rows are
    ignored); deriv out: [n_state][count]. params: [n_params][period];
    point k uses params[p * period + k % period]. A batch whose lane count
    divides 8 passes period 8 (the lanes' values repeated; 1 for one lane),
    so the model's loop keeps its parameters in vector registers; otherwise
    period = count (one value per point). Returns 0 (ok), > 0 (recoverable) or < 0
    (fatal), after CVRhsFn. */
typedef int (*sim_dfun_t) (size_t count, size_t period, const double *restrict state,
                           const double *restrict coupling, const double *restrict params,
                           double *restrict deriv);

/*  Integrates one tile of a batch over steps of one coupling block
    (sim_tile.h): the coupling, a Heun step, the float32 history value and
    the monitor, per step, with the tile's state kept in registers. Heun (TVB.md 3.2-3.4) with k1 = f(X, c), predictor
    Xp = X + dt*k1 (+ noise), k2 = f(Xp, c), X = X + (k1 + k2)*dt/2
    (+ noise), every x*y + z of it one fma, and f exactly as dfun. */
typedef struct sim_tile_t sim_tile_t;
typedef void (*sim_tile_fun_t) (const sim_tile_t *tile);

typedef struct {
    const char *name;       /* TVB class name */
    const char *tvb_module; /* TVB's module of the class, e.g. "tvb.simulator.models.oscillator" */
    size_t n_state;
    const char *state_names[SIM_MAX_STATE];
    double state_lo[SIM_MAX_STATE]; /* state_variable_range, for random ICs */
    double state_hi[SIM_MAX_STATE];
    /*  state_variable_boundaries: a state is clamped to [lo, hi] after
        each Heun stage and in every initial-history slot (TVB.md 3.5);
        -INFINITY / INFINITY where a side is free. Only read when bounded. */
    bool bounded;
    double bound_lo[SIM_MAX_STATE];
    double bound_hi[SIM_MAX_STATE];
    size_t n_cvar;             /* coupled (and delayed) state variables, TVB's cvar */
    size_t cvar[SIM_MAX_CVAR]; /* their state indices, in TVB's order */
    size_t n_params;
    const sim_param_desc_t *params;
    size_t n_voi;                       /* number of VOIs offered */
    const char *voi_names[SIM_MAX_VOI]; /* "V", "W", "V + W", "V - W"; else the state names */
    size_t n_default_voi;               /* TVB's default variables_of_interest */
    int default_voi[SIM_MAX_VOI];
    /*  Further attributes TVB's class declares (Final or List traits with
        defaults) that its view-model loader reads back, so an export must
        carry them: pairs of "TVB_<name>" and its JSON value, ending with
        NULL; or NULL. */
    const char *const *tvb_attrs;
    sim_dfun_t dfun;            /* the derivatives: the reference the tests integrate */
    sim_tile_fun_t tile;        /* the tile kernel for any coupling: what the batch runs */
    sim_tile_fun_t tile_linear; /* a faster kernel for Linear coupling only, or NULL */
} sim_model_desc_t;

/*  TVB's Generic2dOscillator (TVB.md section 1), and the others, one
    file each (sim_<model>.c). */
extern const sim_model_desc_t sim_g2d_model;
extern const sim_model_desc_t sim_kuramoto_model;
extern const sim_model_desc_t sim_suphopf_model;
extern const sim_model_desc_t sim_rww_model;
extern const sim_model_desc_t sim_mpr_model;
extern const sim_model_desc_t sim_jansenrit_model;

/*  The model of that TVB class name, or NULL. */
const sim_model_desc_t *sim_model_find (const char *name);

/*  The i-th registered model, or NULL past the last (for lists of them). */
const sim_model_desc_t *sim_model_at (size_t i);

/*  Index of a parameter by name in a table of n_params, or -1 (models'
    and couplings' tables alike). */
int sim_param_index (const sim_param_desc_t *params, size_t n_params, const char *name);

/*  Index of a parameter by name, or -1. */
int sim_model_param_index (const sim_model_desc_t *model, const char *name);

/*  Index of a state variable by name, or -1. */
int sim_model_state_index (const sim_model_desc_t *model, const char *name);

/*  Index of a VOI expression by name ("V + W"), or -1. */
int sim_model_voi_index (const sim_model_desc_t *model, const char *name);

#endif
