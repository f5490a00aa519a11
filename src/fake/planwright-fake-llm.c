/* SPDX-License-Identifier: GPL-3.0-or-later */
/* planwright-fake-llm: the scripted LLM server as a program, for the offline demo and trying things by hand. */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>

#include "pw-fake-server.h"

static const char description[] =
  "Serves the Anthropic Messages (POST /v1/messages), OpenAI Responses\n"
  "(POST /v1/responses) and Chat Completions (POST /v1/chat/completions)\n"
  "APIs on 127.0.0.1, without keys. The first line on stdout is the base URL:\n"
  "\n"
  "  ANTHROPIC_BASE_URL=http://127.0.0.1:PORT planwright-cli …\n"
  "  OPENAI_BASE_URL=http://127.0.0.1:PORT planwright-cli …\n"
  "\n"
  "Without --script (or with --echo), every request gets a streamed answer in\n"
  "its endpoint's format that quotes the last user message, in 20 deltas,\n"
  "one every 30 ms. A \"stream\": false request gets a plain JSON answer.\n"
  "\n"
  "A script is a JSON array of replies, served in order. Each reply is one of\n"
  "  {\"fixture\": \"anthropic/messages-stream-text.sse\"}\n"
  "      a file under --fixtures, with the status and headers of its\n"
  "      index.json entry\n"
  "  {\"text\": \"…\", \"thinking\": \"…\", \"provider\": \"anthropic\", \"deltas\": 8}\n"
  "      a generated stream; provider is anthropic, openai-responses or\n"
  "      openai-chat (default: from \"path\"); thinking is optional\n"
  "  {\"status\": 429, \"headers\": {\"retry-after\": \"1\"}, \"body\": \"…\",\n"
  "   \"content_type\": \"application/json\"}\n"
  "      any status, headers and body (content_type text/event-stream\n"
  "      for a hand-written stream)\n"
  "with, on any of them:\n"
  "  \"path\": \"/v1/messages\"    only for requests to this path (default: any)\n"
  "  \"headers\": {…}            extra headers (replace those of a fixture)\n"
  "  \"chunk\": [min, max]       body in random pieces of min..max bytes;\n"
  "                            [0, 0]: one SSE event a piece\n"
  "  \"interval_ms\": N          pause between pieces (alone: one event a piece)\n"
  "  \"delay_ms\": N             wait before the headers\n"
  "  \"fault\": {\"kind\": \"reset\"}              close before any response\n"
  "  \"fault\": {\"kind\": \"truncate\", \"at\": N}  N body bytes, then close mid-chunk\n"
  "                                          (the client gets an I/O error)\n"
  "  \"fault\": {\"kind\": \"eof\", \"at\": N}       N body bytes, then close between\n"
  "                                          chunks (looks like a clean end)\n"
  "  \"fault\": {\"kind\": \"stall\", \"at\": N}     N body bytes, then silence\n"
  "  \"repeat\": N               queue the reply N times\n"
  "When the script runs out, requests get a 500 error naming the path, or\n"
  "the echo answer with --echo.\n";

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static void
request_cb (PwFakeServer  *server,
            PwFakeRequest *request,
            gpointer       data)
{
  g_printerr ("planwright-fake-llm: %s %s (%u scripted repl%s left)\n",
              request->method, request->path, pw_fake_server_get_pending (server),
              pw_fake_server_get_pending (server) == 1 ? "y" : "ies");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PwFakeServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *fixtures = NULL;
  gboolean echo = FALSE;
  gboolean quiet = FALSE;
  int port = 0;
  guint sigint_id;
  guint sigterm_id;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port on 127.0.0.1 (default: any free one)", "N" },
    { "script", 's', 0, G_OPTION_ARG_FILENAME, &script, "Replies to serve, in order", "FILE" },
    { "fixtures", 'f', 0, G_OPTION_ARG_FILENAME, &fixtures,
      "The wire fixtures folder, with index.json (default: $PW_FIXTURES_DIR)", "DIR" },
    { "echo", 'e', 0, G_OPTION_ARG_NONE, &echo, "Echo when no scripted reply is left (the default without --script)", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not log requests on stderr", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  /* A client that hangs up mid-stream must not kill us */
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("— a scripted LLM server on 127.0.0.1");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("planwright-fake-llm: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > G_MAXUINT16)
    {
      g_printerr ("planwright-fake-llm: --port must be from 0 to 65535\n");
      return 2;
    }

  server = pw_fake_server_new_on_port ((guint) port, &error);
  if (!server)
    {
      g_printerr ("planwright-fake-llm: cannot listen on 127.0.0.1:%d: %s\n", port, error->message);
      return 1;
    }
  if (script && !pw_fake_server_load_script (server, script, fixtures, &error))
    {
      g_printerr ("planwright-fake-llm: %s\n", error->message);
      return 1;
    }
  pw_fake_server_set_echo (server, echo || !script);
  if (!quiet)
    g_signal_connect (server, "request", G_CALLBACK (request_cb), NULL);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);

  g_print ("%s\n", pw_fake_server_get_url (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_object (&server);
  /* Let the closed connections' sources run down before exit */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
