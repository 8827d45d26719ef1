/*  client_refine.c - `brainsweep refine`: ask the broker to refine a
    finished grid (REFINE), then follow each level it makes, as `watch`
    does, until the last one ends; and the family lines of `status`.

    The broker makes the levels (broker_refine.h), so a refinement goes on
    without the client: --detach returns once the broker has taken it, and
    `status ID` shows it later.
*/
#include "client.h"
#include "client_sweep.h"

#include "bsw_opts.h"
#include "bsw_util.h"
#include "spec_refine.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
client_print_family (client_conn_t *conn, const proto_msg_t *st)
{
    if (proto_msg_has (st, "parent"))
        printf ("  %-10s level %" PRIu64 " of sweep %" PRIu64 "'s refinement\n", "family",
                proto_msg_uint (st, "level"), proto_msg_uint (st, "parent"));
    if (!proto_msg_has (st, "refine_metric"))
        return;
    char *metric = bsw_text_escape (proto_msg_str (st, "refine_metric"));
    printf ("  %-10s by %s, threshold %g, %" PRIu64 " level%s: %s\n", "refinement", metric,
            proto_msg_f64 (st, "refine_threshold"), proto_msg_uint (st, "refine_levels"),
            proto_msg_uint (st, "refine_levels") == 1 ? "" : "s",
            proto_msg_has (st, "refine_state") ? proto_msg_str (st, "refine_state")
                                               : "?"); //  one of four words (the decoder checks)
    free (metric);
    size_t count = 0;
    const uint64_t *family =
        proto_msg_has (st, "family") ? proto_msg_uints (st, "family", &count) : NULL;
    uint64_t total = proto_msg_uint (st, "points");
    for (size_t l = 0; l < count; l++) {
        proto_msg_t *m = NULL;
        bsw_error_t err;
        if (client_status (conn, family[l], &m, &err)) {
            printf ("  level %zu    sweep %" PRIu64 ": %s\n", l + 1, family[l], err.text);
            continue;
        }
        char *state = bsw_text_escape (proto_msg_str (m, "state"));
        printf ("  level %-4zu sweep %" PRIu64 ", %" PRIu64 " points, %" PRIu64 " done, %" PRIu64
                " failed, %s\n",
                l + 1, family[l], proto_msg_uint (m, "points"), proto_msg_uint (m, "done"),
                proto_msg_uint (m, "failed"), state);
        total += proto_msg_uint (m, "points");
        free (state);
        proto_msg_destroy (&m);
    }
    printf ("  %-10s %" PRIu64 " with the grid's\n", "all points", total);
    if (proto_msg_has (st, "refine_note")) {
        char *note = bsw_text_escape (proto_msg_str (st, "refine_note"));
        printf ("  %-10s %s\n", "ended", note);
        free (note);
    }
}

//  Follows the refinement of `grid`: each level as `watch` draws it, until
//  the plan ends. *status_p: the STATUS of the grid that said so.
static int
s_follow (client_conn_t *conn, uint64_t grid, bool quiet, proto_msg_t **status_p, bsw_error_t *err)
{
    size_t watched = 0;
    while (true) {
        proto_msg_t *st = NULL;
        int rc = client_status (conn, grid, &st, err);
        if (rc)
            return rc;
        size_t count = 0;
        const uint64_t *family =
            proto_msg_has (st, "family") ? proto_msg_uints (st, "family", &count) : NULL;
        bool running = proto_msg_has (st, "refine_state") &&
                       streq (proto_msg_str (st, "refine_state"), "running");
        if (count > watched) {
            uint64_t level = family[watched];
            proto_msg_destroy (&st);
            if (!quiet)
                fprintf (stderr, "level %zu: sweep %" PRIu64 "\n", watched + 1, level);
            client_status_t final;
            if ((rc = client_watch (conn, level, quiet, &final, err)))
                return rc;
            watched++;
            continue;
        }
        if (!running) {
            *status_p = st;
            return BSW_OK;
        }
        proto_msg_destroy (&st);
        for (int k = 0; k < 3 && !zsys_interrupted; k++)
            zclock_sleep (100);
        if (zsys_interrupted)
            return bsw_error_set (err, BSW_ESTATE, "interrupted (the refinement goes on)");
    }
}

int
client_refine_main (int argc, char **argv)
{
    const char *broker = NULL, *metric = NULL;
    uint64_t id = 0, levels = 1;
    double threshold = SPEC_REFINE_DEFAULT_THRESHOLD;
    bool detach = false, quiet = false;
    const bsw_opt_t options[] = {
        client_id_row (&id),
        {.name = "metric",
         .letter = 'm',
         .kind = BSW_OPT_STRING,
         .dest = &metric,
         .arg = "NAME",
         .help = "the metric whose sharp changes to refine\n(e.g. GlobalVariance)",
         .required = true},
        {.name = "threshold",
         .letter = 't',
         .kind = BSW_OPT_DOUBLE,
         .dest = &threshold,
         .arg = "T",
         .help = "halve a cell when the metric changes across it\nby more than T of its "
                 "range, on the plot's scale\n(default 0.05)",
         .lo = 1e-9,
         .hi = 1.0},
        {.name = "levels",
         .letter = 'l',
         .kind = BSW_OPT_U64,
         .dest = &levels,
         .arg = "L",
         .help = "refine the result again, L levels in all\n(1 to 8; default 1)",
         .min = 1,
         .max = PROTO_MAX_REFINE_LEVELS},
        {.name = "detach",
         .kind = BSW_OPT_FLAG,
         .dest = &detach,
         .help = "return once the broker has the refinement;\n`brainsweep status ID` follows "
                 "it"},
        {.name = "quiet",
         .letter = 'q',
         .kind = BSW_OPT_FLAG,
         .dest = &quiet,
         .help = "no progress bars"},
        client_broker_row (&broker),
        CLIENT_KEY_OPTIONS (&client_keys),
        {NULL}};
    const bsw_opts_t cmd = {
        "brainsweep refine",
        "Refines a finished grid sweep where METRIC changes sharply: the cells of\n"
        "the grid across which it changes by more than T of its range (on the scale\n"
        "the plot draws it) are halved along every swept parameter, and their new\n"
        "points run as a new sweep, level 1, linked to the grid; --levels repeats\n"
        "it on the result. The broker makes each level when the one before ends.\n"
        "Shows each level's progress as `watch` does and prints the family when\n"
        "the last level is done. `status ID` and `list` show the family, `fetch ID`\n"
        "writes it in one zip, `plot ID` draws it.\n"
        "Exit status 0 when the refinement ran to its end, 1 when a level was\n"
        "cancelled or could not be made.\n",
        options, NULL};
    int rc = bsw_opts_main (&cmd, argc, argv);
    if (rc != BSW_OPTS_GO)
        return rc;
    client_conn_t *conn = client_connect ("refine", broker);
    if (!conn)
        return 2;
    bsw_error_t err;
    proto_msg_t *request = proto_msg_new (PROTO_REFINE), *reply = NULL;
    proto_msg_set_uint (request, "sweep", id);
    proto_msg_set_str (request, "metric", metric);
    proto_msg_set_f64 (request, "threshold", threshold);
    proto_msg_set_uint (request, "levels", levels);
    rc = client_conn_request (conn, &request, PROTO_REFINED, &reply, &err);
    if (rc) {
        client_conn_destroy (&conn);
        return client_fail ("refine", &err);
    }
    if (!quiet)
        fprintf (stderr, "sweep %" PRIu64 ": refining by %s, threshold %g, %" PRIu64 " level%s\n",
                 id, metric, proto_msg_f64 (reply, "threshold"), levels, levels == 1 ? "" : "s");
    proto_msg_destroy (&reply);
    if (detach) {
        client_conn_destroy (&conn);
        printf ("%" PRIu64 "\n", id);
        return 0;
    }
    proto_msg_t *st = NULL;
    rc = s_follow (conn, id, quiet, &st, &err);
    if (rc) {
        client_conn_destroy (&conn);
        return client_fail ("refine", &err);
    }
    char *name = bsw_text_escape (proto_msg_str (st, "name"));
    char *state = bsw_text_escape (proto_msg_str (st, "state"));
    printf ("sweep %" PRIu64 " '%s': %s\n", id, name, state);
    free (name);
    free (state);
    client_print_family (conn, st);
    bool done =
        proto_msg_has (st, "refine_state") && streq (proto_msg_str (st, "refine_state"), "done");
    proto_msg_destroy (&st);
    client_conn_destroy (&conn);
    return done ? 0 : 1;
}
