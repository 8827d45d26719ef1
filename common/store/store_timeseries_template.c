/*  store_timeseries_template.c - TimeSeriesRegion images by patching a
    template (store_timeseries_template.h).

    Why patching is safe here: store_h5 writes HDF5's earliest format
    (superblock 0, version 1 object headers, v1 B-trees, a global heap for
    the vlen strings), none of which carries a checksum, and without
    deflate every chunk of `data` and `time` is raw little-endian float64
    of a fixed size at a fixed address. A point changes only:
      - the raw values: each chunk's rows, found with H5Dget_chunk_info;
      - the six statistics attributes (TVB_Minimum/Maximum/Mean of both
        datasets): written in the template as float64 placeholders that
        occur once in the file;
      - TVB_gid and TVB_create_date: vlen strings in the global heap,
        written as placeholder strings of the same length;
      - the datasets' modification times (HDF5 records when each dataset
        was created, seconds, in a version 1 "modification time" message):
        found by their message header and the time the template was made.
    TVB_IsFinite is "bool:True" in the template, so only all-finite series
    are patched; the rest go through libhdf5 (a worker fails a diverged
    point anyway). Each placeholder must occur exactly once, and each
    modification time exactly twice, or the template is refused: then
    every image goes through libhdf5, slower but the same file.

    Cost: one libhdf5 write per template (per sweep, in practice), then per
    image a copy of the template and of the values. The template keeps its
    image (20 KB for a 4-region tiny point, ~620 KB for the tutorial's).
*/
#define _GNU_SOURCE // memmem
#include "store_timeseries_template.h"
#include "bsw_assert.h"
#include "store_timeseries_private.h"

#include "bsw_util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

//  Chunks of one dataset a template can patch: 64-row chunks, so series of
//  up to 262,144 samples.
#define S_MAX_CHUNKS 4096
//  Placeholders: a GID and a date of the lengths every real one has.
#define S_GID_PLACEHOLDER  "0badc0de-5e47-4e11-8a7e-7e3d1a7ef00d"
#define S_DATE_PLACEHOLDER "0000-00-00,00-00-00.000000"
#define S_DATE_LEN         26
#define S_URN              "urn:uuid:"

enum { S_DATA = 0, S_TIME = 1, S_DATASETS = 2 };

//  Where one dataset's per-point bytes lie in the image.
typedef struct {
    size_t n_chunks;    /* chunks of the dataset */
    uint64_t *rows;     /* [n_chunks] first row of each chunk */
    uint64_t *addrs;    /* [n_chunks] byte offset of each chunk in the image */
    uint64_t *sizes;    /* [n_chunks] bytes of each chunk (whole rows) */
    size_t n_rows;      /* rows of the dataset (T) */
    size_t row_bytes;   /* bytes of one row */
    size_t stats_at[3]; /* offsets of TVB_Minimum, TVB_Maximum, TVB_Mean */
} s_dataset_t;

struct _store_timeseries_template_t {
    char *connectivity_gid;          /* the key: what every image shares */
    char *monitor;                   /* ... */
    char **voi_names;                /* [n_voi] */
    size_t n_voi, n_time, n_nodes;   /* shape */
    double sample_period;            /* ms, compared bit for bit */
    unsigned char *image;            /* the template file */
    size_t size;                     /* its bytes */
    size_t gid_at;                   /* offset of the 36 UUID characters of TVB_gid */
    size_t date_at;                  /* offset of TVB_create_date's 26 characters */
    size_t mtime_at[S_DATASETS];     /* offsets of the datasets' uint32 seconds */
    s_dataset_t dataset[S_DATASETS]; /* data, time */
};

//  Float64 placeholders for the statistics: large finite values with bit
//  patterns nothing in a TimeSeriesRegion file has.
static double
s_placeholder (int dataset, int k)
{
    uint64_t bits = 0x7fe5a5c3e1f0d200ull + (uint64_t) (dataset * 16 + k);
    double value;
    memcpy (&value, &bits, sizeof value);
    return value;
}

//  The offset of the only occurrence of needle in the image, or SIZE_MAX
//  when it occurs zero or several times.
static size_t
s_find_once (const unsigned char *image, size_t size, const void *needle, size_t len)
{
    size_t at = SIZE_MAX;
    const unsigned char *p = image, *end = image + size;
    while ((size_t) (end - p) >= len) {
        const unsigned char *hit = memmem (p, (size_t) (end - p), needle, len);
        if (!hit)
            break;
        if (at != SIZE_MAX)
            return SIZE_MAX;
        at = (size_t) (hit - image);
        p = hit + 1;
    }
    return at;
}

//  The version 1 modification time messages (type 0x12, 8 bytes: version
//  1, three reserved bytes, uint32 seconds) whose time lies in [t0, t1]:
//  their seconds' offsets into at[], at most max. Returns how many.
static size_t
s_find_mtimes (const unsigned char *image, size_t size, uint32_t t0, uint32_t t1, size_t *at,
               size_t max)
{
    static const unsigned char header[4] = {0x12, 0x00, 0x08, 0x00};
    size_t found = 0;
    for (size_t i = 0; i + 16 <= size; i++) {
        const unsigned char *m = image + i;
        if (memcmp (m, header, 4) != 0 || m[5] || m[6] || m[7] || m[8] != 1 || m[9] || m[10] ||
            m[11])
            continue;
        uint32_t t = (uint32_t) m[12] | (uint32_t) m[13] << 8 | (uint32_t) m[14] << 16 |
                     (uint32_t) m[15] << 24;
        if (t < t0 || t > t1)
            continue;
        if (found < max)
            at[found] = i + 12;
        found++;
    }
    return found;
}

//  The template's key, copied from ts.
static void
s_key (store_timeseries_template_t *self, const store_timeseries_t *ts)
{
    self->connectivity_gid = bsw_strdup (ts->connectivity_gid);
    self->monitor = bsw_strdup (ts->monitor);
    self->voi_names = bsw_calloc (ts->n_voi, sizeof (char *));
    for (size_t v = 0; v < ts->n_voi; v++)
        self->voi_names[v] = bsw_strdup (ts->voi_names[v]);
    self->n_voi = ts->n_voi;
    self->n_time = ts->n_time;
    self->n_nodes = ts->n_nodes;
    self->sample_period = ts->sample_period;
}

//  Writes the placeholder file into self->image and finds its chunks.
static int
s_write (store_timeseries_template_t *self, const store_timeseries_t *ts, bsw_error_t *err)
{
    size_t count = ts->n_time * ts->n_voi * ts->n_nodes;
    double *zeros = bsw_calloc (count > ts->n_time ? count : ts->n_time, sizeof (double));
    store_timeseries_t t = *ts;
    t.gid = S_GID_PLACEHOLDER;
    t.create_date = S_DATE_PLACEHOLDER;
    t.data = zeros;
    t.time = zeros;
    store_h5_stats_t stats[S_DATASETS];
    for (int d = 0; d < S_DATASETS; d++)
        stats[d] = (store_h5_stats_t){s_placeholder (d, 0), s_placeholder (d, 1),
                                      s_placeholder (d, 2), true};
    store_h5_t *h5 = NULL;
    int rc = store_h5_create_memory (&h5, "TimeSeriesRegion template", err);
    if (rc == 0)
        rc = store_timeseries_fill (h5, &t, &stats[S_DATA], &stats[S_TIME], err);
    static const char *const names[S_DATASETS] = {"data", "time"};
    for (int d = 0; rc == 0 && d < S_DATASETS; d++) {
        s_dataset_t *ds = &self->dataset[d];
        ds->rows = bsw_calloc (S_MAX_CHUNKS, sizeof (uint64_t));
        ds->addrs = bsw_calloc (S_MAX_CHUNKS, sizeof (uint64_t));
        ds->sizes = bsw_calloc (S_MAX_CHUNKS, sizeof (uint64_t));
        ds->n_rows = ts->n_time;
        ds->row_bytes = d == S_DATA ? ts->n_voi * ts->n_nodes * sizeof (double) : sizeof (double);
        store_h5_chunks (h5, names[d], ds->rows, ds->addrs, ds->sizes, S_MAX_CHUNKS, &ds->n_chunks);
    }
    if (rc)
        store_h5_destroy (&h5);
    else
        rc = store_h5_commit_image (&h5, (void **) &self->image, &self->size, err);
    free (zeros);
    return rc;
}

//  Finds every per-point place in the image; BSW_EFORMAT naming the first
//  that is not there exactly once.
static int
s_locate (store_timeseries_template_t *self, uint32_t t0, uint32_t t1, bsw_error_t *err)
{
    const char *what = NULL;
    size_t at = s_find_once (self->image, self->size, S_URN S_GID_PLACEHOLDER,
                             strlen (S_URN S_GID_PLACEHOLDER));
    self->gid_at = at == SIZE_MAX ? at : at + strlen (S_URN);
    self->date_at = s_find_once (self->image, self->size, S_DATE_PLACEHOLDER, S_DATE_LEN);
    if (self->gid_at == SIZE_MAX)
        what = "TVB_gid";
    else if (self->date_at == SIZE_MAX)
        what = "TVB_create_date";
    else if (s_find_mtimes (self->image, self->size, t0, t1, self->mtime_at, S_DATASETS) !=
             S_DATASETS)
        what = "the datasets' modification times";
    for (int d = 0; !what && d < S_DATASETS; d++) {
        s_dataset_t *ds = &self->dataset[d];
        for (int k = 0; !what && k < 3; k++) {
            double placeholder = s_placeholder (d, k);
            ds->stats_at[k] = s_find_once (self->image, self->size, &placeholder, sizeof (double));
            if (ds->stats_at[k] == SIZE_MAX)
                what = "a statistics attribute";
        }
        uint64_t covered = 0;
        for (size_t c = 0; !what && c < ds->n_chunks; c++) {
            if (ds->sizes[c] % ds->row_bytes || ds->addrs[c] > self->size ||
                ds->sizes[c] > self->size - ds->addrs[c] || ds->rows[c] >= ds->n_rows)
                what = "a chunk";
            covered += ds->sizes[c] / ds->row_bytes;
        }
        if (!what && covered < ds->n_rows)
            what = "the chunks' rows";
    }
    if (what)
        return bsw_error_set (err, BSW_EFORMAT,
                              "TimeSeriesRegion template: cannot locate %s in the file", what);
    return 0;
}

int
store_timeseries_template_new (store_timeseries_template_t **self_p, const store_timeseries_t *ts,
                               bsw_error_t *err)
{
    BSW_ASSERT (self_p && ts);
    *self_p = NULL;
    //  Values are copied as they lie in memory into a little-endian file.
    if (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__ || ts->deflate)
        return bsw_error_set (err, BSW_EINVAL,
                              "TimeSeriesRegion template: only for uncompressed series on a "
                              "little-endian machine");
    if (!ts->voi_names || !ts->monitor || !ts->connectivity_gid)
        return bsw_error_set (err, BSW_EINVAL, "TimeSeriesRegion template: incomplete series");
    store_timeseries_template_t *self = bsw_calloc (1, sizeof *self);
    s_key (self, ts);
    uint32_t t0 = (uint32_t) bsw_clock_wall_s ();
    int rc = s_write (self, ts, err);
    uint32_t t1 = (uint32_t) bsw_clock_wall_s ();
    if (rc == 0)
        rc = s_locate (self, t0, t1, err);
    if (rc)
        store_timeseries_template_destroy (&self);
    *self_p = self;
    return rc;
}

void
store_timeseries_template_destroy (store_timeseries_template_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_timeseries_template_t *self = *self_p;
    for (size_t v = 0; self->voi_names && v < self->n_voi; v++)
        free (self->voi_names[v]);
    free (self->voi_names);
    free (self->connectivity_gid);
    free (self->monitor);
    for (int d = 0; d < S_DATASETS; d++) {
        free (self->dataset[d].rows);
        free (self->dataset[d].addrs);
        free (self->dataset[d].sizes);
    }
    free (self->image);
    free (self);
    *self_p = NULL;
}

bool
store_timeseries_template_fits (const store_timeseries_template_t *self,
                                const store_timeseries_t *ts)
{
    BSW_ASSERT (self && ts);
    if (ts->deflate || ts->n_time != self->n_time || ts->n_voi != self->n_voi ||
        ts->n_nodes != self->n_nodes || !ts->monitor || !ts->connectivity_gid || !ts->voi_names ||
        memcmp (&ts->sample_period, &self->sample_period, sizeof (double)) != 0 ||
        strcmp (ts->monitor, self->monitor) != 0 ||
        strcmp (ts->connectivity_gid, self->connectivity_gid) != 0)
        return false;
    for (size_t v = 0; v < ts->n_voi; v++)
        if (!ts->voi_names[v] || strcmp (ts->voi_names[v], self->voi_names[v]) != 0)
            return false;
    return true;
}

//  One dataset's values and statistics into the copy.
static void
s_patch_dataset (unsigned char *image, const s_dataset_t *ds, const double *values,
                 const store_h5_stats_t *stats)
{
    for (size_t c = 0; c < ds->n_chunks; c++) {
        size_t rows = (size_t) (ds->sizes[c] / ds->row_bytes);
        if (rows > ds->n_rows - ds->rows[c])
            rows = ds->n_rows - (size_t) ds->rows[c]; // the last chunk's tail stays fill
        memcpy (image + ds->addrs[c], (const char *) values + ds->rows[c] * ds->row_bytes,
                rows * ds->row_bytes);
    }
    memcpy (image + ds->stats_at[0], &stats->min, sizeof (double));
    memcpy (image + ds->stats_at[1], &stats->max, sizeof (double));
    memcpy (image + ds->stats_at[2], &stats->mean, sizeof (double));
}

int
store_timeseries_template_image (const store_timeseries_template_t *self,
                                 const store_timeseries_t *ts, void **image_p, size_t *size_p,
                                 bsw_error_t *err)
{
    BSW_ASSERT (self && ts && image_p && size_p);
    if (!store_timeseries_template_fits (self, ts) || !ts->data || !ts->time || !ts->gid ||
        !store_h5_uuid_valid (ts->gid) || !store_h5_uuid_valid (ts->connectivity_gid))
        return store_timeseries_image (ts, image_p, size_p, err);
    char now[STORE_H5_DATE_BUF];
    const char *date = ts->create_date;
    if (!date) {
        store_h5_date_now (now);
        date = now;
    }
    store_h5_stats_t data = store_h5_stats_f64 (ts->data, ts->n_time * ts->n_voi * ts->n_nodes);
    store_h5_stats_t time_stats = store_h5_stats_f64 (ts->time, ts->n_time);
    if (!data.finite || !time_stats.finite || strlen (date) != S_DATE_LEN)
        return store_timeseries_image (ts, image_p, size_p, err);
    unsigned char *image = bsw_malloc (self->size);
    memcpy (image, self->image, self->size);
    s_patch_dataset (image, &self->dataset[S_DATA], ts->data, &data);
    s_patch_dataset (image, &self->dataset[S_TIME], ts->time, &time_stats);
    memcpy (image + self->gid_at, ts->gid, STORE_H5_UUID_LEN);
    memcpy (image + self->date_at, date, S_DATE_LEN);
    //  libhdf5 stamps each dataset when it creates it: now, for a fresh file.
    uint32_t seconds = (uint32_t) bsw_clock_wall_s ();
    for (int d = 0; d < S_DATASETS; d++)
        for (int b = 0; b < 4; b++)
            image[self->mtime_at[d] + (size_t) b] = (unsigned char) (seconds >> (8 * b));
    *image_p = image;
    *size_p = self->size;
    return 0;
}
