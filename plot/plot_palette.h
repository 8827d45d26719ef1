/*  plot_palette.h - the 256-entry perceptual colour palette of the plots.

    TVB's viewer looks a normalised value up in a 256-entry palette
    (shared/spec/TVB.md 9.3). Ours runs from dark purple through blue, teal
    and green to yellow (the hues of the viridis family) and is built in
    OKLab, a perceptual colour space: lightness rises linearly from the
    first entry to the last and hue and chroma are interpolated between
    five anchors, so equal steps of value look like equal steps of colour,
    also in grey scale and to most colour-blind readers. The table is
    computed, not stored: a few hundred flops per plot.
*/
#ifndef PLOT_PALETTE_H_INCLUDED
#define PLOT_PALETTE_H_INCLUDED

#include <stddef.h>

#define PLOT_PALETTE_SIZE 256

typedef struct {
    double r, g, b; /* sRGB components, 0..1 */
} plot_rgb_t;

typedef struct {
    plot_rgb_t colours[PLOT_PALETTE_SIZE]; /* entry 0 = the lowest value */
} plot_palette_t;

/*  Fills the table. Pure; embed the struct and call this once. */
void plot_palette_init (plot_palette_t *self);

/*  The entry index of a normalised value, TVB's rule: unit is clamped to
    [0, 1] and scaled to 0..255 (truncated); NaN gives entry 0. */
size_t plot_palette_index (double unit);

/*  The colour of a normalised value (plot_palette_index's entry). */
plot_rgb_t plot_palette_colour (const plot_palette_t *self, double unit);

/*  "#rrggbb" of a colour into out[8]. */
void plot_rgb_hex (plot_rgb_t colour, char out[8]);

#endif
