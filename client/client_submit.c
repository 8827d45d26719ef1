/*  client_submit.c - turning a spec file (plus --range, --name, --keep) into a
    SUBMIT: the final spec JSON, and the connectivity file's bytes, since
    workers share no filesystem with the client.

    The client validates exactly as the broker and workers will (spec
    parsed, connectivity read, node counts checked) so that mistakes are
    reported with the file's own name before anything is sent.
*/
#include "client.h"
#include "client_sweep.h"

#include "bsw_util.h"
#include "spec.h"
#include "store_connectivity.h"

#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
s_read_file (const char *path, void **data_p, size_t *size_p, bsw_error_t *err)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return bsw_error_set (err, BSW_EIO, "%s: cannot read: %s", path, strerror (errno));
    size_t capacity = 1 << 16, size = 0;
    char *data = bsw_malloc (capacity);
    size_t got;
    while ((got = fread (data + size, 1, capacity - size, file)) > 0) {
        size += got;
        if (size == capacity)
            data = bsw_realloc (data, capacity *= 2);
    }
    bool failed = ferror (file);
    fclose (file);
    if (failed) {
        free (data);
        return bsw_error_set (err, BSW_EIO, "%s: read error", path);
    }
    *data_p = data;
    *size_p = size;
    return BSW_OK;
}

/*  Replaces (or appends) the range of the argument's parameter in the
    JSON "ranges" array; the text was validated by spec_add_range_arg. */
static void
s_json_set_range (json_t *root, const char *arg)
{
    const char *eq = strchr (arg, '=');
    char *parameter = strndup (arg, (size_t) (eq - arg));
    const char *value = eq + 1;
    json_t *range = json_object ();
    json_object_set_new (range, "parameter", json_string (parameter));
    if (strchr (value, ':')) {
        double lo, hi, step;
        sscanf (value, "%lf:%lf:%lf", &lo, &hi, &step);
        json_object_set_new (range, "lo", json_real (lo));
        json_object_set_new (range, "hi", json_real (hi));
        json_object_set_new (range, "step", json_real (step));
    } else {
        json_t *values = json_array ();
        char *copy = bsw_strdup (value), *save = NULL;
        for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
            json_array_append_new (values, json_real (strtod (tok, NULL)));
        free (copy);
        json_object_set_new (range, "values", values);
    }
    json_t *ranges = json_object_get (root, "ranges");
    if (!json_is_array (ranges)) {
        ranges = json_array ();
        json_object_set_new (root, "ranges", ranges);
    }
    size_t index;
    json_t *item;
    json_array_foreach (ranges, index, item)
    {
        if (json_equal (json_object_get (item, "parameter"), json_string (parameter))) {
            json_array_set_new (ranges, index, range);
            free (parameter);
            return;
        }
    }
    json_array_append_new (ranges, range);
    free (parameter);
}

int
client_keep_arg (void *dest, const char *value)
{
    if (!value || (strcmp (value, "all") != 0 && strcmp (value, "metrics") != 0))
        return -1;
    *(const char **) dest = value;
    return 0;
}

int
client_check_connectivity_path (const spec_t *spec, const char *spec_path, bool anywhere,
                                bsw_error_t *err)
{
    if (!spec->connectivity || !spec->connectivity_outside || anywhere)
        return BSW_OK;
    char *shown = bsw_text_escape (spec->connectivity);
    bsw_error_set (err, BSW_ESPEC,
                   "%s: connectivity: \"%.200s\" is outside the spec's folder (an absolute path "
                   "or one with ..); put the zip beside the spec, or give "
                   "--connectivity-anywhere to read it",
                   spec_path, shown);
    free (shown);
    return BSW_ESPEC;
}

//  The spec travels whole in the broker's messages (PROTO_MAX_SPEC): said
//  here, naming the file, rather than by the broker's decoder.
static int
s_check_size (const char *spec_path, const char *spec_json, bsw_error_t *err)
{
    size_t size = strlen (spec_json);
    if (size <= PROTO_MAX_SPEC)
        return BSW_OK;
    return bsw_error_set (err, BSW_ETOOBIG,
                          "%s: the spec is %zu bytes; a sweep's spec may have at most %u (a long "
                          "\"points\" list: sample the box instead, or split it)",
                          spec_path, size, PROTO_MAX_SPEC);
}

int
client_prepare_submission (const char *spec_path, const client_overrides_t *changes,
                           client_submission_t *out, bsw_error_t *err)
{
    memset (out, 0, sizeof *out);
    const char *const *range_args = changes->ranges;
    size_t n_ranges = changes->n_ranges;
    const char *name = changes->name;
    //  Validate the file as it is, then with each --range applied.
    spec_t *spec = NULL;
    int rc = name ? spec_check_name (name, "--name", err) : 0;
    if (rc == 0)
        rc = spec_load_file (&spec, spec_path, err);
    for (size_t k = 0; rc == 0 && k < n_ranges; k++)
        rc = spec_add_range_arg (spec, range_args[k], err);
    if (rc == 0)
        rc = client_check_connectivity_path (spec, spec_path, changes->connectivity_anywhere, err);
    sim_connectivity_t *conn = NULL;
    if (rc == 0)
        rc = client_load_connectivity (spec, &conn, err);
    if (rc == 0)
        rc = spec_check_connectivity (spec, conn, spec_path, err);
    if (rc == 0) {
        out->points = spec_points (spec);
        out->metrics_only = changes->keep ? strcmp (changes->keep, "metrics") == 0
                                          : spec->keep == SPEC_KEEP_METRICS;
        if (spec->connectivity) {
            rc = s_read_file (spec->connectivity, &out->connectivity, &out->connectivity_size, err);
            char *copy = bsw_strdup (spec->connectivity);
            out->connectivity_name = bsw_strdup (basename (copy));
            free (copy);
        }
        out->name = bsw_strdup (name ? name : spec->name ? spec->name : "");
    }
    sim_connectivity_destroy (&conn);
    spec_destroy (&spec);
    if (rc)
        return rc;
    //  The text sent: the file itself when nothing changes, so sweep.json
    //  keeps the user's layout; else the file with the changes applied.
    void *text = NULL;
    size_t size = 0;
    rc = s_read_file (spec_path, &text, &size, err);
    if (rc)
        return rc;
    bool rewrite = n_ranges > 0 || out->connectivity_name || name || changes->keep;
    if (!rewrite) {
        out->spec_json = bsw_realloc (text, size + 1);
        out->spec_json[size] = '\0';
        return s_check_size (spec_path, out->spec_json, err);
    }
    json_error_t jerr;
    json_t *root = json_loadb (text, size, 0, &jerr);
    free (text);
    if (!root)
        return bsw_error_set (err, BSW_ESPEC, "%s: %s", spec_path, jerr.text);
    for (size_t k = 0; k < n_ranges; k++)
        s_json_set_range (root, range_args[k]);
    if (out->connectivity_name)
        json_object_set_new (root, "connectivity", json_string (out->connectivity_name));
    if (name)
        json_object_set_new (root, "name", json_string (name));
    if (changes->keep)
        json_object_set_new (root, "keep", json_string (changes->keep));
    out->spec_json = json_dumps (root, JSON_INDENT (2) | JSON_REAL_PRECISION (17));
    json_decref (root);
    return s_check_size (spec_path, out->spec_json, err);
}

void
client_submission_fini (client_submission_t *sub)
{
    free (sub->spec_json);
    free (sub->connectivity);
    free (sub->connectivity_name);
    free (sub->name);
    memset (sub, 0, sizeof *sub);
}

int
client_submit (client_conn_t *conn, client_submission_t *sub, uint64_t *sweep_id, bsw_error_t *err)
{
    proto_msg_t *request = proto_msg_new (PROTO_SUBMIT);
    proto_msg_set_str (request, "spec", sub->spec_json);
    if (sub->name && *sub->name)
        proto_msg_set_str (request, "name", sub->name);
    if (sub->connectivity) {
        uint64_t shape[1] = {sub->connectivity_size};
        proto_msg_set_blob (request, "connectivity", "u1", shape, 1, &sub->connectivity,
                            sub->connectivity_size);
        proto_msg_set_str (request, "connectivity_name", sub->connectivity_name);
    }
    proto_msg_t *reply = NULL;
    int rc = client_conn_request (conn, &request, PROTO_SUBMITTED, &reply, err);
    if (rc)
        return rc;
    *sweep_id = proto_msg_uint (reply, "sweep");
    sub->points = proto_msg_uint (reply, "points");
    proto_msg_destroy (&reply);
    return BSW_OK;
}
