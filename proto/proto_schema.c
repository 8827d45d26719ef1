/*  proto_schema.c - the schema of every message type, as one static table.

    The table is the single source of truth for fields: the decoder
    validates against it and PROTOCOL.md's field tables are printed from
    it (and a test checks that they still match). Relations between fields that a table
    row cannot say (parallel arrays of equal length, a blob required by a
    status) are checked in proto_decode.c, s_check_relations, and listed
    in PROTOCOL.md beside each table.

    Field order is the order fields are written on the wire; decoders must
    not depend on it (msgpack maps are unordered).
*/
#include "proto_schema.h"
#include "proto.h"

#include <inttypes.h>
#include <string.h>

#define S_REQUIRED true
#define S_OPTIONAL false

//  One macro per kind keeps each row on one line and the defaults in one
//  place: an unbounded UINT is 0..UINT64_MAX, a plain string is at most
//  PROTO_MAX_STRING bytes, an array at most PROTO_MAX_ARRAY elements.
// clang-format off
#define S_FIELD(name_, kind_, req_, ...) \
    {.name = name_, .kind = kind_, .required = req_, __VA_ARGS__}
#define S_UINT_RANGE(name, req, lo, hi, doc_) S_FIELD (name, PROTO_KIND_UINT, req, .min = lo, .max = hi, .doc = doc_)
#define S_UINT(name, req, doc)                S_UINT_RANGE (name, req, 0, UINT64_MAX, doc)
#define S_INT_RANGE(name, req, lo, hi, doc_)  S_FIELD (name, PROTO_KIND_INT, req, .imin = lo, .imax = hi, .doc = doc_)
#define S_F64(name, req, doc_)                S_FIELD (name, PROTO_KIND_F64, req, .doc = doc_)
#define S_STR_RANGE(name, req, lo, hi, oneof_, doc_) \
    S_FIELD (name, PROTO_KIND_STR, req, .min = lo, .max = hi, .oneof = oneof_, .doc = doc_)
#define S_STR(name, req, doc)   S_STR_RANGE (name, req, 0, PROTO_MAX_STRING, NULL, doc)
#define S_TEXT(name, req, doc_) S_FIELD (name, PROTO_KIND_TEXT, req, .max = PROTO_MAX_TEXT, .doc = doc_)
#define S_UINTS_RANGE(name, req, lo, hi, doc_) \
    S_FIELD (name, PROTO_KIND_UINTS, req, .min = lo, .max = hi, .doc = doc_)
#define S_UINTS(name, req, doc) S_UINTS_RANGE (name, req, 0, PROTO_MAX_ARRAY, doc)
#define S_INTS_RANGE(name, req, lo, hi, doc_) \
    S_FIELD (name, PROTO_KIND_INTS, req, .max = PROTO_MAX_ARRAY, .imin = lo, .imax = hi, .doc = doc_)
#define S_F64S(name, req, doc_) S_FIELD (name, PROTO_KIND_F64S, req, .max = PROTO_MAX_ARRAY, .doc = doc_)
#define S_STRS(name, req, doc_) S_FIELD (name, PROTO_KIND_STRS, req, .max = PROTO_MAX_ARRAY, .doc = doc_)
//  An array of strings each of which is one of `oneof_`.
#define S_STRS_ONEOF(name, req, oneof_, doc_) \
    S_FIELD (name, PROTO_KIND_STRS, req, .max = PROTO_MAX_ARRAY, .oneof = oneof_, .doc = doc_)
//  An array of names (proto_field_t.names): at most `count`, each 1..bytes.
#define S_NAMES(name, req, count, bytes, doc_) \
    S_FIELD (name, PROTO_KIND_STRS, req, .max = count, .elem_max = bytes, .names = true, .doc = doc_)
#define S_BLOB(name, req, dtypes, doc_) S_FIELD (name, PROTO_KIND_BLOB, req, .oneof = dtypes, .doc = doc_)
#define S_BOOL(name, req, doc_) S_FIELD (name, PROTO_KIND_BOOL, req, .doc = doc_)
// clang-format on

//  Every client request may carry "req"; its reply echoes it.
#define S_REQ       S_UINT ("req", S_OPTIONAL, "request id, echoed in the reply")
#define S_REQ_ECHO  S_UINT ("req", S_OPTIONAL, "the request's `req`, echoed")
#define S_SWEEP     S_UINT ("sweep", S_REQUIRED, "sweep id")
#define S_UUID(doc) S_STR_RANGE ("uuid", S_OPTIONAL, 36, 36, NULL, doc)

static const proto_field_t s_hello[] = {
    S_STR_RANGE ("worker", S_REQUIRED, 1, 256, NULL, "the worker's name, for logs and status"),
    S_STR ("host", S_OPTIONAL, "host name"),
    S_UINT ("pid", S_OPTIONAL, "process id"),
    S_UINT_RANGE ("threads", S_REQUIRED, 1, 4096, "compute threads of the worker"),
    S_STR ("version", S_OPTIONAL, "brainsweep version of the worker"),
};
static const proto_field_t s_credit[] = {
    S_UINT_RANGE ("credit", S_REQUIRED, 1, 65536, "how many more points the worker can take"),
};
static const proto_field_t s_work[] = {
    S_SWEEP,
    S_UINTS_RANGE ("points", S_REQUIRED, 1, 65536, "indices of the points to run"),
    S_UUID ("the sweep's UUID"),
    S_TEXT ("spec", S_OPTIONAL,
            "the sweep's JSON spec; sent the first time this worker gets the sweep"),
    S_BLOB ("connectivity", S_OPTIONAL, "u1", "TVB connectivity zip; absent: the built-in default"),
    S_STR ("connectivity_name", S_OPTIONAL, "file name of the connectivity zip"),
    S_UINT ("max_message", S_OPTIONAL,
            "bytes of the largest blob the broker takes: a RESULT's `series` must fit"),
};
//  A batch of finished points of one sweep; the arrays run in parallel
//  with `points` (proto_decode.c, s_check_relations).
static const proto_field_t s_result[] = {
    S_SWEEP,
    S_UINTS_RANGE ("points", S_REQUIRED, 1, PROTO_MAX_BATCH, "the points, each at most once"),
    S_STRS_ONEOF ("statuses", S_REQUIRED, "ok|failed", "outcome of each point"),
    S_STRS ("errors", S_OPTIONAL, "why each failed point failed; empty for ok points"),
    S_F64S ("elapsed_ms", S_OPTIONAL, "wall time of each point's simulation, ms"),
    //  Bounded as the export takes them: they become JSON keys, CSV
    //  columns and HDF5 attribute text.
    S_NAMES ("metric_names", S_OPTIONAL, PROTO_MAX_METRICS, PROTO_MAX_METRIC_NAME,
             "names of the metrics, in TVB's order"),
    S_F64S ("metric_values", S_OPTIONAL, "row-major [point][metric]; NaN for a failed point"),
    S_STR_RANGE ("encoding", S_OPTIONAL, 0, PROTO_MAX_STRING, "f8|f8-shuffle-deflate",
                 "how `series` holds each series (default f8)"),
    S_UINTS ("series_sizes", S_OPTIONAL, "bytes of each point's series in `series`; 0: none"),
    S_BLOB ("series", S_OPTIONAL, "u1", "the points' time series, one after another"),
};
static const proto_field_t s_ack[] = {
    S_SWEEP,
    S_UINTS_RANGE ("points", S_REQUIRED, 1, PROTO_MAX_BATCH, "points whose results are committed"),
};
static const proto_field_t s_bye[] = {
    S_UINTS ("sweeps", S_OPTIONAL, "sweep of each point handed back"),
    S_UINTS ("points", S_OPTIONAL, "points handed back, pairwise with `sweeps`"),
};
static const proto_field_t s_drop[] = {
    S_SWEEP,
};
static const proto_field_t s_submit[] = {
    S_REQ,
    S_STR ("name", S_OPTIONAL, "a name for people"),
    S_FIELD ("spec", PROTO_KIND_TEXT, S_REQUIRED, .max = PROTO_MAX_SPEC,
             .doc = "the sweep's JSON spec, at most 2 MiB (PROTO_MAX_SPEC)"),
    S_BLOB ("connectivity", S_OPTIONAL, "u1", "TVB connectivity zip; absent: the built-in default"),
    S_STR ("connectivity_name", S_OPTIONAL, "file name of the connectivity zip"),
};
static const proto_field_t s_submitted[] = {
    S_REQ_ECHO,
    S_SWEEP,
    S_UINT ("points", S_REQUIRED, "number of points in the sweep"),
    S_UUID ("the sweep's UUID"),
};
static const proto_field_t s_list[] = {
    S_REQ,
    S_UINT_RANGE ("limit", S_OPTIONAL, 1, PROTO_MAX_LIST,
                  "most sweeps to list, the newest (default and most: 1000)"),
};
static const proto_field_t s_sweeps[] = {
    S_REQ_ECHO,
    S_UINTS ("ids", S_REQUIRED, "sweep ids"),
    S_STRS ("names", S_REQUIRED, "their names (empty when unnamed)"),
    S_STRS ("states", S_REQUIRED, "their states"),
    S_UINTS ("points", S_REQUIRED, "their numbers of points"),
    S_UINTS ("done", S_REQUIRED, "points finished"),
    S_UINTS ("failed", S_REQUIRED, "points failed"),
    S_UINTS ("parents", S_REQUIRED, "the grid each refinement level refines; 0: none"),
    S_UINTS ("levels", S_REQUIRED, "their refinement levels (0: a submitted sweep)"),
    S_UINT ("more", S_OPTIONAL, "older sweeps left out (the reply lists the newest)"),
};
static const proto_field_t s_status[] = {
    S_REQ,
    S_SWEEP,
};
static const proto_field_t s_sweep_status[] = {
    S_REQ_ECHO,
    S_SWEEP,
    S_STR ("name", S_OPTIONAL, "the sweep's name"),
    S_STR ("state", S_REQUIRED, "the sweep's state"),
    S_UINT ("points", S_REQUIRED, "points in the sweep"),
    S_UINT ("pending", S_REQUIRED, "points waiting for a worker"),
    S_UINT ("running", S_REQUIRED, "points on a worker"),
    S_UINT ("done", S_REQUIRED, "points finished"),
    S_UINT ("failed", S_REQUIRED, "points failed"),
    S_UINT ("cancelled", S_REQUIRED, "points cancelled"),
    S_UINT ("workers", S_OPTIONAL, "workers connected"),
    S_F64 ("rate", S_OPTIONAL, "points per second, recently"),
    S_F64 ("eta_s", S_OPTIONAL, "estimated seconds to completion"),
    S_F64 ("elapsed_s", S_OPTIONAL, "seconds since submission"),
    S_UINT ("parent", S_OPTIONAL, "the grid this refinement level refines"),
    S_UINT ("level", S_OPTIONAL, "its refinement level"),
    S_UINTS ("family", S_OPTIONAL, "a refined grid's level sweeps, level 1 first"),
    S_STR_RANGE ("refine_metric", S_OPTIONAL, 1, PROTO_MAX_METRIC_NAME, NULL,
                 "a refined grid's refinement: the metric it halves cells by"),
    S_F64 ("refine_threshold", S_OPTIONAL, "the refinement's threshold"),
    S_UINT ("refine_levels", S_OPTIONAL, "the refinement's levels asked for"),
    S_STR_RANGE ("refine_state", S_OPTIONAL, 0, PROTO_MAX_STRING, "running|done|cancelled|failed",
                 "the refinement's state"),
    S_STR ("refine_note", S_OPTIONAL, "why the refinement ended (when it has)"),
};
static const proto_field_t s_cancel[] = {
    S_REQ,
    S_SWEEP,
};
static const proto_field_t s_done[] = {
    S_REQ_ECHO,
    S_SWEEP,
    S_UINT ("count", S_REQUIRED, "points cancelled or requeued"),
};
static const proto_field_t s_fetch[] = {
    S_REQ,
    S_SWEEP,
    S_UINT ("offset", S_REQUIRED, "bytes of the zip received so far (0: start a download)"),
    S_UINT ("export", S_OPTIONAL, "the download's export id (from its first CHUNK); absent at 0"),
    S_UINT_RANGE ("max", S_OPTIONAL, 1, 64u << 20, "most bytes in one chunk (a new download)"),
};
static const proto_field_t s_chunk[] = {
    S_REQ_ECHO,
    S_SWEEP,
    S_UINT ("export", S_REQUIRED, "the export this download is of"),
    S_UINT ("offset", S_REQUIRED, "byte offset of `data` in the zip"),
    S_BLOB ("data", S_OPTIONAL, "u1", "the next bytes; absent: none yet, ask again"),
    S_BOOL ("last", S_REQUIRED, "the zip ends with these bytes"),
    S_F64 ("progress", S_OPTIONAL, "share of the sweep's points in the zip so far, 0..1"),
};
static const proto_field_t s_results[] = {
    S_REQ,
    S_SWEEP,
    S_UINT ("offset", S_OPTIONAL, "first point to list"),
    S_UINT ("limit", S_OPTIONAL, "most points to list"),
    S_BOOL ("with_spec", S_OPTIONAL, "also send the sweep's spec"),
    S_BOOL ("with_timeseries", S_OPTIONAL, "also send the time series of the first point listed"),
    S_UINT ("receipt", S_OPTIONAL, "the receipt of this connection's previous POINTS reply"),
};
static const proto_field_t s_points[] = {
    S_REQ_ECHO,
    S_SWEEP,
    S_UINT ("total", S_REQUIRED, "points in the sweep"),
    S_UINTS ("points", S_REQUIRED, "point indices listed"),
    S_STRS ("statuses", S_REQUIRED, "status of each point"),
    S_NAMES ("metric_names", S_REQUIRED, PROTO_MAX_METRICS, PROTO_MAX_METRIC_NAME,
             "names of the metrics"),
    S_F64S ("values", S_REQUIRED, "metrics, row-major [point][metric]"),
    S_TEXT ("spec", S_OPTIONAL, "the sweep's JSON spec, when asked (`with_spec`)"),
    S_BLOB ("timeseries", S_OPTIONAL, "u1",
            "TimeSeriesRegion HDF5 file of the first point listed, when asked and ok"),
    S_UINT ("receipt", S_OPTIONAL, "to bring back with the next RESULTS request"),
};
static const proto_field_t s_stats[] = {
    S_REQ,
};
//  Counters since the broker process started: they restart from 0 with it
//  (the durable state is the sweeps, not these).
static const proto_field_t s_broker_stats[] = {
    S_REQ_ECHO,
    S_STR ("version", S_REQUIRED, "brainsweep version of the broker"),
    S_F64 ("uptime_s", S_REQUIRED, "seconds since the broker started"),
    S_UINT ("sweeps_running", S_REQUIRED, "sweeps running"),
    S_UINT ("sweeps_finished", S_REQUIRED, "sweeps finished"),
    S_UINT ("sweeps_cancelled", S_REQUIRED, "sweeps cancelled"),
    S_UINT ("workers", S_REQUIRED, "workers connected"),
    S_UINT ("workers_joined", S_REQUIRED, "worker sessions started (HELLO) since start"),
    S_UINT ("workers_lost", S_REQUIRED, "workers dropped for falling silent since start"),
    S_UINT ("workers_left", S_REQUIRED, "workers gone after a BYE since start"),
    S_UINT ("points_running", S_REQUIRED, "points on a worker now"),
    S_UINT ("points_requeued", S_REQUIRED, "points put back in line since start"),
    S_UINT ("results_committed", S_REQUIRED, "results stored since start"),
    S_UINT ("results_duplicate", S_REQUIRED, "results for a point that had one, not stored again"),
    S_UINT ("results_unleased", S_REQUIRED,
            "results from a session not holding the point's lease, not stored"),
    S_INTS_RANGE ("error_codes", S_REQUIRED, INT32_MIN, -1,
                  "codes of the error replies sent since start"),
    S_UINTS ("error_counts", S_REQUIRED, "how many of each, pairwise with `error_codes`"),
};
static const proto_field_t s_refine[] = {
    S_REQ,
    S_SWEEP,
    S_STR_RANGE ("metric", S_REQUIRED, 1, PROTO_MAX_METRIC_NAME, NULL, "the metric to refine on"),
    S_F64 ("threshold", S_OPTIONAL, "share of the metric's range a cell must span (0..1]"),
    S_UINT_RANGE ("levels", S_OPTIONAL, 1, PROTO_MAX_REFINE_LEVELS, "levels to run (default 1)"),
};
static const proto_field_t s_refined[] = {
    S_REQ_ECHO,
    S_SWEEP,
    S_STR_RANGE ("metric", S_REQUIRED, 1, PROTO_MAX_METRIC_NAME, NULL, "the metric"),
    S_F64 ("threshold", S_REQUIRED, "the threshold in use"),
    S_UINT ("levels", S_REQUIRED, "levels to run"),
};
static const proto_field_t s_error[] = {
    S_REQ_ECHO,
    S_INT_RANGE ("code", S_REQUIRED, INT32_MIN, -1, "a negative error code (table below)"),
    S_STR ("text", S_REQUIRED, "one sentence saying what is wrong"),
    S_UINT ("to", S_OPTIONAL, "type of the message this answers"),
};

// clang-format off
#define S_SCHEMA(type, fields) [PROTO_##type] = {#type, fields, sizeof fields / sizeof fields[0]}

static const proto_schema_t s_schemas[] = {
    S_SCHEMA (HELLO, s_hello),
    [PROTO_HEARTBEAT] = {"HEARTBEAT", NULL, 0},
    S_SCHEMA (CREDIT, s_credit),
    S_SCHEMA (WORK, s_work),
    S_SCHEMA (RESULT, s_result),
    S_SCHEMA (ACK, s_ack),
    S_SCHEMA (BYE, s_bye),
    S_SCHEMA (DROP, s_drop),
    S_SCHEMA (SUBMIT, s_submit),
    S_SCHEMA (SUBMITTED, s_submitted),
    S_SCHEMA (LIST, s_list),
    S_SCHEMA (SWEEPS, s_sweeps),
    S_SCHEMA (STATUS, s_status),
    S_SCHEMA (SWEEP_STATUS, s_sweep_status),
    S_SCHEMA (CANCEL, s_cancel),
    S_SCHEMA (RETRY, s_cancel),
    S_SCHEMA (DONE, s_done),
    S_SCHEMA (FETCH, s_fetch),
    S_SCHEMA (CHUNK, s_chunk),
    S_SCHEMA (RESULTS, s_results),
    S_SCHEMA (POINTS, s_points),
    S_SCHEMA (STATS, s_stats),
    S_SCHEMA (BROKER_STATS, s_broker_stats),
    S_SCHEMA (REFINE, s_refine),
    S_SCHEMA (REFINED, s_refined),
    S_SCHEMA (ERROR, s_error),
};
// clang-format on

const proto_schema_t *
proto_schema (int type)
{
    //  Gaps in the numbering (9..19, 37..39) have no name: unknown.
    if (type < 0 || (size_t) type >= sizeof s_schemas / sizeof s_schemas[0])
        return NULL;
    return s_schemas[type].name ? &s_schemas[type] : NULL;
}

int
proto_schema_field_index (const proto_schema_t *schema, const char *name, size_t length)
{
    //  A linear search: schemas have at most 16 fields, and a hash would
    //  cost more than the compares it saves.
    for (size_t i = 0; i < schema->count; i++) {
        const char *candidate = schema->fields[i].name;
        if (strlen (candidate) == length && memcmp (candidate, name, length) == 0)
            return (int) i;
    }
    return -1;
}

bool
proto_schema_oneof (const char *oneof, const char *value, size_t length)
{
    const char *word = oneof;
    while (*word) {
        const char *end = strchr (word, '|');
        size_t word_length = end ? (size_t) (end - word) : strlen (word);
        if (word_length == length && memcmp (word, value, length) == 0)
            return true;
        if (!end)
            break;
        word = end + 1;
    }
    return false;
}

const char *
proto_kind_name (proto_kind_t kind)
{
    switch (kind) {
    case PROTO_KIND_UINT:
        return "uint";
    case PROTO_KIND_INT:
        return "int";
    case PROTO_KIND_F64:
        return "f64";
    case PROTO_KIND_BOOL:
        return "bool";
    case PROTO_KIND_STR:
        return "str";
    case PROTO_KIND_TEXT:
        return "text";
    case PROTO_KIND_UINTS:
        return "uints";
    case PROTO_KIND_F64S:
        return "f64s";
    case PROTO_KIND_STRS:
        return "strs";
    case PROTO_KIND_BLOB:
        return "blob";
    case PROTO_KIND_INTS:
        return "ints";
    }
    return "?";
}

//  The "limits" column: only what differs from the kind's defaults, so the
//  table stays readable.
static void
s_print_limits (FILE *out, const proto_field_t *f)
{
    switch (f->kind) {
    case PROTO_KIND_UINT:
        if (f->min != 0 || f->max != UINT64_MAX)
            fprintf (out, "%" PRIu64 "..%" PRIu64, f->min, f->max);
        break;
    case PROTO_KIND_INT:
        fprintf (out, "%" PRId64 "..%" PRId64, f->imin, f->imax);
        break;
    case PROTO_KIND_INTS:
        fprintf (out, "each %" PRId64 "..%" PRId64, f->imin, f->imax);
        break;
    case PROTO_KIND_STR:
        if (f->oneof) {
            for (const char *c = f->oneof; *c; c++) {
                if (*c == '|')
                    fputs ("` or `", out);
                else
                    fputc (*c, out);
            }
        } else if (f->min == f->max)
            fprintf (out, "%" PRIu64 " bytes", f->min);
        else if (f->min != 0 || f->max != PROTO_MAX_STRING)
            fprintf (out, "%" PRIu64 "..%" PRIu64 " bytes", f->min, f->max);
        break;
    case PROTO_KIND_UINTS:
        if (f->min != 0 || f->max != PROTO_MAX_ARRAY)
            fprintf (out, "%" PRIu64 "..%" PRIu64 " elements", f->min, f->max);
        break;
    case PROTO_KIND_STRS:
        if (f->min != 0 || f->max != PROTO_MAX_ARRAY)
            fprintf (out, "%" PRIu64 "..%" PRIu64 " elements", f->min, f->max);
        if (f->names)
            fprintf (out, " of 1..%" PRIu64 " bytes, `[A-Za-z_][A-Za-z0-9_]*`, distinct",
                     f->elem_max ? f->elem_max : PROTO_MAX_STRING);
        if (f->oneof) {
            fputs ("each `", out);
            for (const char *c = f->oneof; *c; c++)
                fputs (*c == '|' ? "` or `" : (char[2]){*c, 0}, out);
            fputc ('`', out);
        }
        break;
    case PROTO_KIND_BLOB:
        fprintf (out, "dtype %s", f->oneof);
        break;
    default:
        break;
    }
}

int
proto_schema_print_markdown (FILE *out, int type)
{
    const proto_schema_t *schema = proto_schema (type);
    if (!schema)
        return -1;
    fprintf (out, "#### %s (%d)\n\n", schema->name, type);
    if (schema->count == 0) {
        fprintf (out, "No fields.\n");
        return 0;
    }
    fprintf (out, "| field | kind | required | limits | meaning |\n");
    fprintf (out, "|---|---|---|---|---|\n");
    for (size_t i = 0; i < schema->count; i++) {
        const proto_field_t *f = &schema->fields[i];
        fprintf (out, "| `%s` | %s | %s | ", f->name, proto_kind_name (f->kind),
                 f->required ? "yes" : "no");
        if (f->kind == PROTO_KIND_STR && f->oneof)
            fputc ('`', out);
        s_print_limits (out, f);
        if (f->kind == PROTO_KIND_STR && f->oneof)
            fputc ('`', out);
        fprintf (out, " | %s |\n", f->doc);
    }
    return 0;
}
