/* SPDX-License-Identifier: GPL-3.0-or-later */
/* planwright-cli's command-line grammar: global options anywhere, one command, its options. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PW_OPT_FLAG,
  PW_OPT_VALUE,     /* last one wins */
  PW_OPT_LIST,      /* repeatable, kept in order */
} PwOptKind;

typedef struct {
  const char         *name;      /* without the leading "--" */
  PwOptKind           kind;
  const char         *metavar;
  const char * const *choices;   /* NULL-terminated, or NULL for any value */
  const char         *help;
} PwOptSpec;

typedef struct _PwArgs PwArgs;

typedef struct {
  const char      *name;
  const char      *usage;       /* after "planwright-cli NAME " */
  const char      *summary;
  guint            min_positional;
  guint            max_positional;
  const PwOptSpec *options;     /* terminated by a { NULL } entry */
} PwCommandSpec;

struct _PwArgs {
  const PwCommandSpec *command;  /* NULL when none was given */
  GPtrArray           *positional;
  GHashTable          *values;   /* option name → GPtrArray of char* (flags: "1") */
  /* global options */
  char                *db_path;
  gboolean             verbose;
  gboolean             debug;
  gboolean             json;
  gboolean             help;
  gboolean             version;
};

void        pw_args_free        (PwArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwArgs, pw_args_free)

/* Parses argv against @commands (terminated by a { NULL } entry). On a
 * usage error returns NULL and sets @error to a message with a hint. */
PwArgs     *pw_args_parse       (int                   argc,
                                 char                **argv,
                                 const PwCommandSpec  *commands,
                                 GError              **error);
gboolean    pw_args_has         (PwArgs     *args,
                                 const char *name);
const char *pw_args_get         (PwArgs     *args,
                                 const char *name);
GPtrArray  *pw_args_get_list    (PwArgs     *args,
                                 const char *name);
const char *pw_args_positional  (PwArgs     *args,
                                 guint       index);
char       *pw_args_help_text   (const PwCommandSpec *command);
char       *pw_args_main_help   (const PwCommandSpec *commands);

G_END_DECLS
