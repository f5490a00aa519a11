/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The in-process harness of the ui tests: a hermetic app, main-loop waits, widget lookup, actions, screenshots. */
#pragma once

#include <adwaita.h>

#include "pw-application.h"
#include "pw-fake-server.h"
#include "pw-window.h"

G_BEGIN_DECLS

typedef struct {
  char          *dir;      /* temporary; removed by pw_test_app_free */
  char          *db_path;
  PwFakeServer  *server;   /* what the providers talk to */
  PwApplication *app;      /* registered and activated */
  PwWindow      *window;   /* the window activate presented (weak) */
} PwTestApp;

/* When set, called by pw_test_app_new with the database path before the
 * application opens it (a test of an older database writes one there) */
extern void (*pw_test_app_prepare_db) (const char *path);

/* Writes fast network settings into the (isolated) config dir, starts a
 * PwFakeServer and points the provider environment at it, sets
 * PLANWRIGHT_DB to a fresh database and GSETTINGS_SCHEMA_DIR at the
 * build's data/ when a compiled schema is there, then registers
 * (non-unique) and activates the application and waits for the window to
 * map. @width/@height: the default size of the window (0: the template's). */
PwTestApp  *pw_test_app_new               (int          width,
                                           int          height);
/* Destroys the window, asserts it and the application were freed. */
void        pw_test_app_free              (PwTestApp   *self);
PwStore    *pw_test_app_get_store         (PwTestApp   *self);
/* Creates a session through the store (project @project, phase @phase)
 * and tells the views (session-changed), then waits for the sidebar to
 * have read it; returns its id. */
/* Emits session-changed for @id (may be NULL) and waits until the
 * sidebar's list has read the sessions again (it reads on a worker) */
void        pw_test_app_session_changed   (PwTestApp   *self,
                                           const char  *id);
char       *pw_test_app_add_session       (PwTestApp   *self,
                                           const char  *project,
                                           PwPhase      phase);
/* Makes the window show @id through the sidebar's list (selects and
 * activates its row); FALSE when the window has no session list yet. */
gboolean    pw_test_app_select_session    (PwTestApp   *self,
                                           const char  *id);

typedef gboolean (*PwTestCondition) (gpointer user_data);

/* How many times longer every wait may last than the test says: the
 * waits end as soon as their condition holds, so a generous limit costs
 * a passing test nothing and spares a loaded CI machine a false failure.
 * PW_TEST_TIMEOUT_SCALE overrides it (default 4). */
double      pw_test_timeout_scale         (void);
/* Iterates the default main context until @cond holds or @timeout_ms
 * (times the scale) passes; FALSE on timeout. */
gboolean    pw_test_wait_for              (PwTestCondition cond,
                                           gpointer     user_data,
                                           guint        timeout_ms);
/* What a failed wait leaves for whoever reads the log: the text of every
 * window (its start and end) as test messages, and a screenshot of each
 * (failure-N.png) in the screenshot directory */
void        pw_test_dump_windows          (void);
/* Iterates for @ms whatever happens (frames, idles, sockets) */
void        pw_test_spin                  (guint        ms);
/* Fails the test (with the expression) when @expr stays false for @ms */
#define PW_TEST_WAIT_UNTIL(expr, ms) G_STMT_START {                         \
    gint64 pw_deadline__ = g_get_monotonic_time ()                          \
                           + (gint64) ((ms) * 1000 * pw_test_timeout_scale ()); \
    while (!(expr) && g_get_monotonic_time () < pw_deadline__)              \
      pw_test_spin (5);                                                     \
    if (!(expr))                                                            \
      {                                                                     \
        pw_test_dump_windows ();                                            \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,   \
                             "timed out waiting for: " #expr);              \
      }                                                                     \
  } G_STMT_END

/* The first widget under @root (depth first, @root included) whose widget
 * name, buildable id, accessible label, button/label text (mnemonics
 * ignored) or tooltip is @key. Also looks into popovers of menu buttons
 * when they exist. NULL when none. */
GtkWidget  *pw_test_find_widget           (GtkWidget   *root,
                                           const char  *key);
/* The first widget of @type under @root, or NULL */
GtkWidget  *pw_test_find_by_type          (GtkWidget   *root,
                                           GType        type);
/* Every widget of @type under @root (the array does not own them) */
GPtrArray  *pw_test_find_all_by_type      (GtkWidget   *root,
                                           GType        type);
/* The first visible toplevel other than @except (a dialog), or NULL */
GtkWindow  *pw_test_find_other_toplevel   (GtkWindow   *except);

/* The first GtkActionable under @root bound to @action_name, or NULL */
GtkWidget  *pw_test_find_actionable       (GtkWidget   *root,
                                           const char  *action_name);
/* Whether @name ("group.action") resolves from @widget (widget-class
 * actions of it and its ancestors, the window's and the application's
 * actions), else from a button under @widget bound to it; *enabled gets
 * the enabled state (what a button bound to it there would show). */
gboolean    pw_test_action_lookup         (GtkWidget   *widget,
                                           const char  *name,
                                           gboolean    *enabled);
/* gtk_widget_activate_action with a GVariant (NULL: none); FALSE when the
 * action does not resolve from @widget. */
gboolean    pw_test_activate_action       (GtkWidget   *widget,
                                           const char  *name,
                                           GVariant    *parameter);

/* All the text of the GtkLabels and GtkTextViews under @root joined with
 * newlines, for "does the window show X" checks. */
char       *pw_test_collect_text          (GtkWidget   *root);

/* Renders @window through its own GskRenderer and saves
 * <build>/tests/app/screenshots/@name.png; returns the path. */
/* Saves @texture as NAME.png in the screenshot directory; returns the path */
char       *pw_test_save_texture          (GdkTexture  *texture,
                                           const char  *name);
char       *pw_test_save_screenshot       (GtkWindow   *window,
                                           const char  *name);

G_END_DECLS
