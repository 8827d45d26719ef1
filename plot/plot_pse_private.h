/*  plot_pse_private.h - inside the PSE plot: the data's body and the
    resolved view, shared by the data and view code (plot_pse.c), the
    cairo drawing (plot_pse_draw.c, and plot_pse_raster.c for a dense
    view's cells) and the page (plot_html.c). */
#ifndef PLOT_PSE_PRIVATE_H_INCLUDED
#define PLOT_PSE_PRIVATE_H_INCLUDED

#include "plot_palette.h"
#include "plot_pse.h"

#define PLOT_PSE_NOTE_MAX 512 /* bytes of the view's note line */

/*  Layout, px, shared by plot_pse_draw.c and the page (plot_html.c hands
    them to its script). */
#define PLOT_PSE_MARGIN_PX         28.0   /* around everything */
#define PLOT_PSE_HEADER_PX         104.0  /* title and subtitle lines of an image */
#define PLOT_PSE_PAGE_HEADER_PX    30.0   /* the same in the page, which has its own <h1> */
#define PLOT_PSE_LEGEND_W_PX       300.0  /* legend column */
#define PLOT_PSE_LEGEND_H_PX       640.0  /* the legend's height: the image is at least this tall */
#define PLOT_PSE_PANEL_GAP_PX      36.0   /* between panels */
#define PLOT_PSE_PANEL_TITLE_PX    32.0   /* a small multiple's own title */
#define PLOT_PSE_AXIS_BOTTOM_PX    84.0   /* x tick labels and title under a plot area */
#define PLOT_PSE_MULTI_WIDTH_PX    1800.0 /* small multiples share about this width */
#define PLOT_PSE_MULTI_MIN_SIDE_PX 320.0  /* smallest panel side */
#define PLOT_PSE_ONE_ROW_MIN_PX    150.0  /* height of a 1-D view's plot area, at least */
#define PLOT_PSE_MIN_PITCH_PX      4.0    /* cells at least this far apart ... */
#define PLOT_PSE_MAX_SIDE_PX       6000.0 /* ... as long as a panel stays this small */

struct plot_pse_t {
    char *title;                           /* names the sweep */
    size_t n_ranges;                       /* >= 1 */
    char *parameters[PLOT_PSE_MAX_RANGES]; /* range names, owned */
    double *values[PLOT_PSE_MAX_RANGES];   /* range values, owned */
    size_t n_values[PLOT_PSE_MAX_RANGES];  /* values per range */
    size_t n_metrics;                      /* >= 1 */
    char *metrics[PLOT_PSE_MAX_METRICS];   /* metric names, TVB's order, owned */
    uint64_t points;                       /* product of n_values; a scatter's added */
    uint8_t *status;                       /* [points], plot_point_status_t */
    double *data;                          /* [points][n_metrics], NaN when unknown */
    bool scatter;                          /* points at their values (no values[], n_values) */
    double lo[PLOT_PSE_MAX_RANGES];        /* scatter: axis bounds, widened to every point */
    double hi[PLOT_PSE_MAX_RANGES];        /* ... */
    double *coords;                        /* scatter: [capacity][n_ranges] values */
    uint8_t *levels;                       /* scatter: [capacity] refinement levels */
    uint64_t capacity;                     /* scatter: points the arrays hold */
    unsigned max_level;                    /* scatter: the highest level added */
};

/*  The options resolved against the data: what goes where. */
typedef struct {
    int size_m;                        /* metric index of the radius */
    int colour_m;                      /* metric index of the colour */
    int x;                             /* range on the x axis */
    int y;                             /* range on the y axis, or -1 (one row) */
    long fixed[PLOT_PSE_MAX_RANGES];   /* value index fixed by a slice, or -1 */
    long given[PLOT_PSE_MAX_RANGES];   /* the same, by --slice only (not crowding) */
    size_t extra[PLOT_PSE_MAX_RANGES]; /* ranges that make the panels */
    size_t n_extra;                    /* how many */
    size_t panels;                     /* product of the extra ranges' sizes */
    size_t nx, ny;                     /* values on x and y (ny 1 without y) */
    size_t L;                          /* max (nx, ny): TVB's radius key */
    double rmin, rmax;                 /* TVB's radii for L, px at TVB's scale */
    plot_scale_t size;                 /* fitted on the points on view */
    plot_scale_t colour;               /* the same */
    size_t ok, failed, pending;        /* points on view by status */
    bool dense;                        /* one cell per point, not discs (plot_pse.h) */
    bool scatter;                      /* the data is a scatter: the fields below apply */
    double weight;                     /* scatter: points counted 4^-level (2^-level, 1 axis) */
    double xlo, xhi, ylo, yhi;         /* scatter: the axes' bounds (y: 0 without y) */
    char note[PLOT_PSE_NOTE_MAX];      /* slices in force, for the subtitle */
} plot_pse_view_t;

/*  A disc view's panel geometry, px: what plot_pse_draw.c lays out and
    what the dense rule reads (the page's script has the same rule). */
typedef struct {
    size_t cols, rows; /* panel grid */
    double side;       /* a panel's plot area, longer side, before growing for many values */
    double grown;      /* the same, grown to keep PLOT_PSE_MIN_PITCH_PX between cells */
    double pitch;      /* cell size */
    double scale;      /* px per TVB px for radii */
    double rmin, rmax; /* disc radii */
} plot_pse_discs_t;

void plot_pse_view_discs (const plot_pse_view_t *view, plot_pse_discs_t *discs);

/*  Resolves options (NULL: defaults) into view. Returns 0 or BSW_EINVAL
    with the sentences of plot_pse_write. */
int plot_pse_view_resolve (const plot_pse_t *self, const plot_pse_options_t *options,
                           plot_pse_view_t *view, bsw_error_t *err);

/*  The point at column i, row j of panel p. */
uint64_t plot_pse_view_point (const plot_pse_t *self, const plot_pse_view_t *view, size_t panel,
                              size_t i, size_t j);

/*  "model.b = 0.5, coupling.a = 0.1": the extra ranges' values of a panel. */
void plot_pse_view_panel_label (const plot_pse_t *self, const plot_pse_view_t *view, size_t panel,
                                char *out, size_t size);

/*  What a dense view draws for a point, by precedence: a cell that covers
    several points shows the highest. */
typedef enum {
    PLOT_PSE_MARK_VALUE = 0, /* ok, colour metric valid: the palette's colour */
    PLOT_PSE_MARK_PENDING,   /* no result yet */
    PLOT_PSE_MARK_NAN,       /* ok, but the colour metric is NaN or infinite */
    PLOT_PSE_MARK_FAILED,    /* the simulation failed */
} plot_pse_mark_t;

/*  The fixed colour of a mark (not of PLOT_PSE_MARK_VALUE). */
plot_rgb_t plot_pse_mark_colour (plot_pse_mark_t mark);

/*  How point k is marked in a view: pending, failed, NaN on the colour
    scale, or a value (then *value is its colour metric). */
plot_pse_mark_t plot_pse_mark (const plot_pse_t *self, const plot_pse_view_t *view, uint64_t k,
                               double *value);

/*  Panel p's cells as one RGB24 image of cells_x x cells_y cells, each
    fx x fy px, row 0 at the top (the largest y value). An axis with more
    values than cells shares a cell between neighbours (plot_pse.h).
    Counts every point of the panel into stats (drawn, cells, crosses,
    pending). Caller owns the surface (cairo_surface_destroy); without
    memory it is cairo's error surface, which makes drawing with it fail
    at plot_canvas_finish. */
cairo_surface_t *plot_pse_raster_new (const plot_pse_t *self, const plot_pse_view_t *view,
                                      size_t panel, size_t cells_x, size_t cells_y, size_t fx,
                                      size_t fy, const plot_palette_t *palette,
                                      plot_pse_stats_t *stats);

/*  Scatter (plot_pse_scatter.c). A point's place in a plot area of w x
    h px with `pad` px kept clear inside each edge: *px from the left,
    *py from the top. A degenerate axis (lo == hi) puts every point in
    its middle; one axis puts every point on the middle row. */
void plot_pse_scatter_place (const plot_pse_t *self, const plot_pse_view_t *view, uint64_t k,
                             double w, double h, double pad, double *px, double *py);

/*  A linear scale over an axis' bounds, for its ticks and labels. */
void plot_pse_scatter_axis_scale (double lo, double hi, plot_scale_t *scale);

/*  Side of a dense scatter's square for level 0, px (plot_pse.h). */
size_t plot_pse_scatter_square (const plot_pse_view_t *view, double side);

/*  A dense scatter's image of w x h px (ARGB32, transparent where no point
    is), each point a square of `square` px (halved per level, at least 1;
    on one axis a bar h / 3 tall), drawn in plot_pse.h's order. Counts
    every point into stats (drawn, cells, crosses, pending). Caller owns
    the surface; without memory it is cairo's error surface. */
cairo_surface_t *plot_pse_scatter_raster_new (const plot_pse_t *self, const plot_pse_view_t *view,
                                              size_t w, size_t h, double pad, size_t square,
                                              const plot_palette_t *palette,
                                              plot_pse_stats_t *stats);

/*  A range value as a tick label (6 significant digits). */
void plot_pse_value_label (double value, char out[PLOT_SCALE_LABEL_BUF]);

#endif
