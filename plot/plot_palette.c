/*  plot_palette.c - the perceptual palette (plot_palette.h).

    Five anchors in OKLab (L, a, b) (Ottosson 2020): the sRGB colours
    #440154, #3b528b, #21918c, #5ec962 and #fde725 converted by us. Their
    lightness is already close to evenly spaced (0.285 .. 0.918); we make
    it exactly linear over the table and interpolate a and b piecewise
    linearly between the anchors. Conversion back to sRGB clamps to the
    gamut (the path stays inside it; the clamp only absorbs rounding).
*/
#include "plot_palette.h"

#include <math.h>
#include <stdio.h>

#define S_ANCHORS 5

static const double s_anchor[S_ANCHORS][3] = {
    {0.2850, 0.1017, -0.0912},  /* purple #440154 */
    {0.4484, -0.0068, -0.0977}, /* blue   #3b528b */
    {0.5965, -0.0935, -0.0170}, /* teal   #21918c */
    {0.7490, -0.1405, 0.1010},  /* green  #5ec962 */
    {0.9177, -0.0390, 0.1817},  /* yellow #fde725 */
};

//  Linear light to sRGB's transfer curve, clamped to [0, 1].
static double
s_encode (double c)
{
    if (!(c > 0.0))
        return 0.0;
    double v = c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1.0 / 2.4) - 0.055;
    return v > 1.0 ? 1.0 : v;
}

//  OKLab to sRGB (Ottosson's published matrices).
static plot_rgb_t
s_from_oklab (double L, double a, double b)
{
    double l = L + 0.3963377774 * a + 0.2158037573 * b;
    double m = L - 0.1055613458 * a - 0.0638541728 * b;
    double s = L - 0.0894841775 * a - 1.2914855480 * b;
    l = l * l * l;
    m = m * m * m;
    s = s * s * s;
    plot_rgb_t rgb;
    rgb.r = s_encode (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s);
    rgb.g = s_encode (-1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s);
    rgb.b = s_encode (-0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s);
    return rgb;
}

void
plot_palette_init (plot_palette_t *self)
{
    for (size_t i = 0; i < PLOT_PALETTE_SIZE; i++) {
        double t = (double) i / (PLOT_PALETTE_SIZE - 1);
        double x = t * (S_ANCHORS - 1);
        size_t k = (size_t) x;
        if (k >= S_ANCHORS - 1)
            k = S_ANCHORS - 2;
        double f = x - (double) k;
        double L = s_anchor[0][0] + t * (s_anchor[S_ANCHORS - 1][0] - s_anchor[0][0]);
        double a = s_anchor[k][1] + f * (s_anchor[k + 1][1] - s_anchor[k][1]);
        double b = s_anchor[k][2] + f * (s_anchor[k + 1][2] - s_anchor[k][2]);
        self->colours[i] = s_from_oklab (L, a, b);
    }
}

size_t
plot_palette_index (double unit)
{
    if (!(unit > 0.0))
        return 0;
    if (unit >= 1.0)
        return PLOT_PALETTE_SIZE - 1;
    return (size_t) (unit * (PLOT_PALETTE_SIZE - 1));
}

plot_rgb_t
plot_palette_colour (const plot_palette_t *self, double unit)
{
    return self->colours[plot_palette_index (unit)];
}

void
plot_rgb_hex (plot_rgb_t colour, char out[8])
{
    snprintf (out, 8, "#%02x%02x%02x", (unsigned) lround (colour.r * 255.0),
              (unsigned) lround (colour.g * 255.0), (unsigned) lround (colour.b * 255.0));
}
