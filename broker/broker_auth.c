/*  broker_auth.c - who may speak to the broker, and as what
    (broker_auth.h). */
#include "broker_auth.h"

#include "bsw_assert.h"
#include "bsw_util.h"
#include "proto_curve.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_POLL_MS  2000 /* how often the folders are looked at */
#define S_KEYS_MAX 4096 /* keys in all folders together, at most */

typedef struct {
    unsigned roles;
    char name[72];
} s_entry_t;

struct broker_auth_t {
    bool enabled;       /* CURVE on */
    zcert_t *cert;      /* the broker's secret certificate */
    char *folders[3];   /* workers, clients, admins (NULL when not given) */
    char *merged;       /* DATA/curve-allowed: what zauth reads */
    zactor_t *zauth;    /* the ZAP handler */
    zhashx_t *keys;     /* Z85 public key -> s_entry_t * */
    uint64_t signature; /* of the folders' listings at the last load */
    int64_t poll_at;    /* mono ms of the next look at the folders */
};

static const unsigned s_folder_role[3] = {BROKER_ROLE_WORKER, BROKER_ROLE_CLIENT,
                                          BROKER_ROLE_ADMIN | BROKER_ROLE_CLIENT};
static const char *const s_folder_option[3] = {"--allow-workers", "--allow-clients",
                                               "--allow-admins"};

const char *
broker_auth_roles_name (unsigned roles)
{
    static const char *const names[8] = {
        "none",  "worker",       "client",       "worker+client",
        "admin", "worker+admin", "client+admin", "worker+client+admin"};
    return names[roles & 7];
}

//  A file name as it may appear in a log: printable, at most 64 bytes.
static void
s_printable_name (const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; in[n] && n + 1 < size && n < 64; n++)
        out[n] = proto_curve_name_char (in[n]) ? in[n] : '?';
    out[n] = '\0';
}

//  Whether a folder entry is a public certificate to load.
static bool
s_is_candidate (const char *folder, const struct dirent *e, struct stat *st)
{
    size_t n = strlen (e->d_name);
    if (e->d_name[0] == '.' || (n >= 7 && streq (e->d_name + n - 7, "_secret")))
        return false;
    char path[4096];
    if (snprintf (path, sizeof path, "%s/%s", folder, e->d_name) >= (int) sizeof path)
        return false;
    return stat (path, st) == 0 && S_ISREG (st->st_mode);
}

//  FNV-1a over the folders' listings (names, sizes, times, inodes): what
//  a change of any key file changes.
static uint64_t
s_signature (broker_auth_t *self)
{
    uint64_t h = 1469598103934665603ULL;
    for (int f = 0; f < 3; f++) {
        DIR *d = self->folders[f] ? opendir (self->folders[f]) : NULL;
        if (!d) {
            h = (h ^ (uint64_t) (f + 1)) * 1099511628211ULL;
            continue;
        }
        for (struct dirent *e; (e = readdir (d));) {
            struct stat st;
            if (!s_is_candidate (self->folders[f], e, &st))
                continue;
            uint64_t item[5] = {(uint64_t) st.st_size, (uint64_t) st.st_mtim.tv_sec,
                                (uint64_t) st.st_mtim.tv_nsec, (uint64_t) st.st_ino, (uint64_t) f};
            //  Order-independent: readdir's order may change.
            uint64_t e_h = 1469598103934665603ULL;
            for (const char *c = e->d_name; *c; c++)
                e_h = (e_h ^ (uint8_t) *c) * 1099511628211ULL;
            for (size_t k = 0; k < 5 * sizeof (uint64_t); k++)
                e_h = (e_h ^ ((const uint8_t *) item)[k]) * 1099511628211ULL;
            h += e_h;
        }
        closedir (d);
    }
    return h;
}

static void
s_entry_free (void **item)
{
    free (*item);
    *item = NULL;
}

//  Reads the three folders into a new table. Returns 0 or an error.
static int
s_read_folders (broker_auth_t *self, zhashx_t **keys_p, bsw_error_t *err)
{
    zhashx_t *keys = zhashx_new ();
    zhashx_set_destructor (keys, s_entry_free);
    int rc = 0;
    for (int f = 0; rc == 0 && f < 3; f++) {
        if (!self->folders[f])
            continue;
        DIR *d = opendir (self->folders[f]);
        if (!d) {
            rc = bsw_error_set (err, BSW_EIO, "%s %s: %s", s_folder_option[f], self->folders[f],
                                strerror (errno));
            break;
        }
        for (struct dirent *e; rc == 0 && (e = readdir (d));) {
            struct stat st;
            if (!s_is_candidate (self->folders[f], e, &st))
                continue;
            char path[4096];
            snprintf (path, sizeof path, "%s/%s", self->folders[f], e->d_name);
            zcert_t *cert = NULL;
            bsw_error_t load_err;
            if (proto_curve_load_public (path, &cert, &load_err)) {
                zsys_warning ("%s: %s; skipped", s_folder_option[f], load_err.text);
                continue;
            }
            const char *key = zcert_public_txt (cert);
            s_entry_t *entry = zhashx_lookup (keys, key);
            if (!entry) {
                if (zhashx_size (keys) >= S_KEYS_MAX)
                    rc = bsw_error_set (err, BSW_ETOOBIG, "more than %d keys in the folders",
                                        S_KEYS_MAX);
                else {
                    entry = bsw_calloc (1, sizeof *entry);
                    s_printable_name (e->d_name, entry->name, sizeof entry->name);
                    zhashx_insert (keys, key, entry);
                }
            }
            if (entry)
                entry->roles |= s_folder_role[f];
            zcert_destroy (&cert);
        }
        closedir (d);
    }
    if (rc)
        zhashx_destroy (&keys);
    *keys_p = keys;
    return rc;
}

//  Removes a folder of files (not recursive: the merged folder is flat).
static void
s_remove_folder (const char *path)
{
    DIR *d = opendir (path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir (d));) {
        if (streq (e->d_name, ".") || streq (e->d_name, ".."))
            continue;
        char file[4096];
        if (snprintf (file, sizeof file, "%s/%s", path, e->d_name) < (int) sizeof file)
            unlink (file);
    }
    closedir (d);
    rmdir (path);
}

//  Writes the table as the folder zauth reads, replacing the old one by
//  renames (zauth sees the old set or the new, never a half-written
//  one), then has zauth read it again.
static int
s_write_merged (broker_auth_t *self, zhashx_t *keys, bsw_error_t *err)
{
    char fresh[4096], old[4096];
    snprintf (fresh, sizeof fresh, "%s.new", self->merged);
    snprintf (old, sizeof old, "%s.old", self->merged);
    s_remove_folder (fresh);
    s_remove_folder (old);
    if (mkdir (fresh, 0700))
        return bsw_error_set (err, BSW_EIO, "cannot make %s: %s", fresh, strerror (errno));
    size_t n = 0;
    for (s_entry_t *entry = zhashx_first (keys); entry; entry = zhashx_next (keys), n++) {
        const char *key = zhashx_cursor (keys);
        uint8_t public_key[32], no_secret[32] = {0};
        zmq_z85_decode (public_key, key);
        zcert_t *cert = zcert_new_from (public_key, no_secret);
        zcert_set_meta (cert, "name", "%s", entry->name);
        zcert_set_meta (cert, "roles", "%s", broker_auth_roles_name (entry->roles));
        char file[4200];
        snprintf (file, sizeof file, "%s/key-%zu", fresh, n);
        int rc = zcert_save_public (cert, file);
        zcert_destroy (&cert);
        if (rc)
            return bsw_error_set (err, BSW_EIO, "cannot write %s", file);
    }
    if (rename (self->merged, old) && errno != ENOENT)
        return bsw_error_set (err, BSW_EIO, "cannot move %s: %s", self->merged, strerror (errno));
    if (rename (fresh, self->merged))
        return bsw_error_set (err, BSW_EIO, "cannot move %s: %s", fresh, strerror (errno));
    s_remove_folder (old);
    //  zauth makes a new store from the folder at once.
    zstr_sendx (self->zauth, "CURVE", self->merged, NULL);
    zsock_wait (self->zauth);
    return 0;
}

//  Counts keys by role for logs.
static void
s_log_keys (broker_auth_t *self, const char *what)
{
    size_t workers = 0, clients = 0, admins = 0;
    for (s_entry_t *entry = zhashx_first (self->keys); entry; entry = zhashx_next (self->keys)) {
        workers += (entry->roles & BROKER_ROLE_WORKER) != 0;
        admins += (entry->roles & BROKER_ROLE_ADMIN) != 0;
        clients += (entry->roles & (BROKER_ROLE_CLIENT | BROKER_ROLE_ADMIN)) == BROKER_ROLE_CLIENT;
    }
    zsys_info ("keys %s: %zu worker, %zu client and %zu admin keys allowed", what, workers, clients,
               admins);
}

int
broker_auth_new (broker_auth_t **self_p, const broker_auth_config_t *config, const char *data_dir,
                 bsw_error_t *err)
{
    broker_auth_t *self = bsw_calloc (1, sizeof *self);
    *self_p = self;
    if (!config->key)
        return 0;
    if (!config->allow_workers || !config->allow_clients)
        return bsw_error_set (err, BSW_EINVAL,
                              "--key needs --allow-workers DIR and --allow-clients DIR (the "
                              "public certificates of the workers and clients it accepts)");
    self->enabled = true;
    int rc = proto_curve_load_secret (config->key, &self->cert, err);
    if (rc)
        return rc;
    const char *folders[3] = {config->allow_workers, config->allow_clients, config->allow_admins};
    for (int f = 0; f < 3; f++)
        self->folders[f] = folders[f] ? bsw_strdup (folders[f]) : NULL;
    char merged[4096];
    snprintf (merged, sizeof merged, "%s/curve-allowed", data_dir);
    self->merged = bsw_strdup (merged);
    self->signature = s_signature (self);
    rc = s_read_folders (self, &self->keys, err);
    if (rc)
        return rc;
    self->zauth = zactor_new (zauth, NULL);
    if (!self->zauth)
        return bsw_error_set (err, BSW_EINTERNAL, "cannot start the ZAP handler (zauth)");
    rc = s_write_merged (self, self->keys, err);
    if (rc == 0)
        s_log_keys (self, "loaded");
    self->poll_at = bsw_clock_mono_ms () + S_POLL_MS;
    return rc;
}

void
broker_auth_destroy (broker_auth_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_auth_t *self = *self_p;
    zactor_destroy (&self->zauth);
    zcert_destroy (&self->cert);
    zhashx_destroy (&self->keys);
    for (int f = 0; f < 3; f++)
        free (self->folders[f]);
    free (self->merged);
    free (self);
    *self_p = NULL;
}

bool
broker_auth_enabled (const broker_auth_t *self)
{
    return self && self->enabled;
}

void
broker_auth_apply (broker_auth_t *self, zsock_t *router)
{
    if (!broker_auth_enabled (self))
        return;
    zcert_apply (self->cert, router);
    zsock_set_curve_server (router, 1);
    zsock_set_zap_domain (router, "brainsweep");
}

void
broker_auth_peer (broker_auth_t *self, const char *user_id, broker_peer_t *peer)
{
    memset (peer, 0, sizeof *peer);
    if (!broker_auth_enabled (self)) {
        peer->roles = BROKER_ROLE_ALL;
        return;
    }
    const char *key = user_id;
    if (!key || strlen (key) != 40)
        return;
    memcpy (peer->key, key, 41);
    s_entry_t *entry = zhashx_lookup (self->keys, key);
    if (entry) {
        peer->roles = entry->roles;
        memcpy (peer->name, entry->name, sizeof peer->name);
    } else
        snprintf (peer->name, sizeof peer->name, "revoked key %.8s...", key);
}

int
broker_auth_reload (broker_auth_t *self, bool *changed, bsw_error_t *err)
{
    *changed = false;
    if (!broker_auth_enabled (self))
        return 0;
    uint64_t signature = s_signature (self);
    zhashx_t *keys = NULL;
    int rc = s_read_folders (self, &keys, err);
    if (rc)
        return rc;
    bool same = zhashx_size (keys) == zhashx_size (self->keys);
    for (s_entry_t *entry = zhashx_first (keys); same && entry; entry = zhashx_next (keys)) {
        s_entry_t *old = zhashx_lookup (self->keys, zhashx_cursor (keys));
        same = old && old->roles == entry->roles;
    }
    self->signature = signature;
    if (same) {
        zhashx_destroy (&keys);
        return 0;
    }
    rc = s_write_merged (self, keys, err);
    if (rc) {
        zhashx_destroy (&keys);
        return rc;
    }
    zhashx_destroy (&self->keys);
    self->keys = keys;
    *changed = true;
    s_log_keys (self, "reloaded");
    return 0;
}

void
broker_auth_poll (broker_auth_t *self, int64_t now_ms)
{
    if (!broker_auth_enabled (self) || now_ms < self->poll_at)
        return;
    self->poll_at = now_ms + S_POLL_MS;
    if (s_signature (self) == self->signature)
        return;
    bool changed = false;
    bsw_error_t err;
    if (broker_auth_reload (self, &changed, &err))
        zsys_error ("keys not reloaded (the keys in force stay): %s", err.text);
}
