/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fake LLM server: a SoupServer on 127.0.0.1 that records requests and plays queued replies. */

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "pw-fake-private.h"

#define DEFAULT_SEED 0x5eed

/* One reply being served to one request by libsoup. Lives from the
 * handler until the message finishes or its connection is taken over. */
typedef struct {
  PwFakeServer      *self;
  SoupServerMessage *msg;
  PwFakeReply       *reply;
  GSource           *source;
  gsize              offset;   /* body bytes handed to libsoup so far */
  gboolean           completed;
} Stream;

/* A body that must stop short, written by us on the stolen connection:
 * libsoup, when it lets go of a message, ends its chunked body properly,
 * which would hide the very fault we want the client to see. */
typedef struct {
  PwFakeServer *self;
  PwFakeReply  *reply;
  GIOStream    *io;
  GSocket      *socket;        /* under @io, to reset it at dispose */
  GSource      *source;
  GBytes       *frame;         /* being written */
  gsize         frame_written;
  gsize         frame_body;    /* body bytes it carries */
  gsize         offset;        /* body bytes written */
  gsize         limit;
  gboolean      cut_sent;
} Writer;

struct _PwFakeServer
{
  GObject         parent_instance;

  SoupServer     *soup;
  GSocketService *service;
  GHashTable     *sockets;     /* client port → GSocket, to reset at will */
  GMainContext   *context;
  char           *url;
  guint           port;

  GQueue          queue;       /* PwFakeQueued */
  GPtrArray      *requests;    /* PwFakeRequest */
  GList          *streams;     /* Stream */
  GList          *writers;     /* Writer, stalled ones until dispose */
  GRand          *rand;
  gboolean        echo;
};

G_DEFINE_FINAL_TYPE (PwFakeServer, pw_fake_server, G_TYPE_OBJECT)

enum {
  SIGNAL_REQUEST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pw_fake_request_free (gpointer data)
{
  PwFakeRequest *request = data;

  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

static GSource *
attach_timeout (PwFakeServer *self,
                guint         delay_ms,
                GSourceFunc   func,
                gpointer      data)
{
  GSource *source = g_timeout_source_new (delay_ms);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Linger 0: closing sends a real RST, as from a crashed proxy. */
static void
set_reset_on_close (GSocket *socket)
{
  struct linger linger = { 1, 0 };

  if (G_IS_SOCKET (socket))
    (void) setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
}

static gboolean
socket_is_closed (gpointer key,
                  gpointer value,
                  gpointer data)
{
  return g_socket_is_closed (value);
}

static void
remember_socket (PwFakeServer      *self,
                 GSocketConnection *connection,
                 GSocketAddress    *remote)
{
  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return;

  g_hash_table_foreach_remove (self->sockets, socket_is_closed, NULL);
  g_hash_table_replace (self->sockets,
                        GUINT_TO_POINTER (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote))),
                        g_object_ref (g_socket_connection_get_socket (connection)));
}

/* libsoup 3.2 gives no socket for connections handed to it as streams:
 * find it by the client's port (all clients are on 127.0.0.1). */
static GSocket *
message_socket (PwFakeServer      *self,
                SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  if (soup_server_message_get_socket (msg))
    return soup_server_message_get_socket (msg);
  if (!G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  return g_hash_table_lookup (self->sockets,
                              GUINT_TO_POINTER (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote))));
}

/* Piece sizes, for libsoup's chunks and ours alike */

/* End of the next SSE event at or after @from: after "\n\n", "\r\r" or
 * "\r\n\r\n"; @length when the rest holds no complete event. */
static gsize
event_end (const guchar *data,
           gsize         from,
           gsize         length)
{
  for (gsize i = from; i + 1 < length; i++)
    {
      if (data[i] == '\n' && data[i + 1] == '\n')
        return i + 2;
      if (data[i] == '\r' && data[i + 1] == '\r')
        return i + 2;
      if (data[i] == '\r' && data[i + 1] == '\n' && i + 3 < length
          && data[i + 2] == '\r' && data[i + 3] == '\n')
        return i + 4;
    }
  return length;
}

static gsize
next_piece (PwFakeServer *self,
            PwFakeReply  *reply,
            gsize         offset,
            gsize         limit)
{
  gsize size;

  if (!reply->chunking_set)
    return limit - offset;

  if (reply->chunk_max == 0)
    {
      gsize length;
      const guchar *data = g_bytes_get_data (reply->body, &length);

      size = event_end (data, offset, length) - offset;
    }
  else
    size = (gsize) g_rand_int_range (self->rand,
                                     (gint32) MIN (reply->chunk_min, G_MAXINT32 - 1),
                                     (gint32) MIN (reply->chunk_max, G_MAXINT32 - 1) + 1);
  return MIN (MAX (size, 1), limit - offset);
}

/* Writer */

static void
writer_free (Writer *writer)
{
  writer->self->writers = g_list_remove (writer->self->writers, writer);
  clear_source (&writer->source);
  g_io_stream_close (writer->io, NULL, NULL);
  g_object_unref (writer->io);
  g_clear_object (&writer->socket);
  g_clear_pointer (&writer->frame, g_bytes_unref);
  pw_fake_reply_free (writer->reply);
  g_free (writer);
}

static void writer_next (Writer *writer);

static gboolean
writer_writable_cb (GObject  *stream,
                    gpointer  data)
{
  Writer *writer = data;

  g_clear_pointer (&writer->source, g_source_unref);
  writer_next (writer);
  return G_SOURCE_REMOVE;
}

/* Writes what is left of the frame without blocking (the client may
 * be on this very main loop); TRUE when it is all out. */
static gboolean
writer_flush (Writer *writer)
{
  GOutputStream *out = g_io_stream_get_output_stream (writer->io);
  gsize length;
  const guint8 *data = g_bytes_get_data (writer->frame, &length);

  while (writer->frame_written < length)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (G_IS_POLLABLE_OUTPUT_STREAM (out) && g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (out)))
        n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out),
                                                        data + writer->frame_written,
                                                        length - writer->frame_written,
                                                        NULL, &error);
      else
        n = g_output_stream_write (out, data + writer->frame_written,
                                   length - writer->frame_written, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          writer->source = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (out), NULL);
          g_source_set_callback (writer->source, G_SOURCE_FUNC (writer_writable_cb), writer, NULL);
          g_source_attach (writer->source, writer->self->context);
          return FALSE;
        }
      if (n < 0)
        {
          /* The client went away: nothing left to serve */
          writer_free (writer);
          return FALSE;
        }
      writer->frame_written += (gsize) n;
    }

  g_clear_pointer (&writer->frame, g_bytes_unref);
  writer->offset += writer->frame_body;
  return TRUE;
}

static gboolean
writer_piece_cb (gpointer data)
{
  Writer *writer = data;

  g_clear_pointer (&writer->source, g_source_unref);
  writer_next (writer);
  return G_SOURCE_REMOVE;
}

static gboolean
writer_needs_frame (Writer *writer)
{
  return writer->offset < writer->limit
         || (writer->reply->fault == PW_FAKE_FAULT_TRUNCATE && !writer->cut_sent);
}

/* The frame for the next piece. The truncating one announces more bytes
 * than it carries, so the client is cut off inside a chunk and sees an
 * error; a cut at a chunk boundary reads as a clean end in libsoup. */
static void
writer_frame (Writer *writer)
{
  g_autoptr(GString) frame = g_string_new (NULL);
  gsize length = g_bytes_get_size (writer->reply->body);
  const char *body = g_bytes_get_data (writer->reply->body, NULL);
  gsize size = writer->offset < writer->limit
               ? next_piece (writer->self, writer->reply, writer->offset, writer->limit)
               : 0;
  gboolean cut = writer->reply->fault == PW_FAKE_FAULT_TRUNCATE && writer->offset + size == writer->limit;
  gsize announced = size;

  if (cut)
    {
      announced += writer->limit < length ? length - writer->limit : 1;
      writer->cut_sent = TRUE;
    }

  g_string_append_printf (frame, "%" G_GSIZE_MODIFIER "x\r\n", announced);
  if (size > 0)
    g_string_append_len (frame, body + writer->offset, (gssize) size);
  if (!cut)
    g_string_append (frame, "\r\n");

  writer->frame = g_string_free_to_bytes (g_steal_pointer (&frame));
  writer->frame_written = 0;
  writer->frame_body = size;
}

static void
writer_next (Writer *writer)
{
  for (;;)
    {
      if (!writer->frame)
        {
          if (!writer_needs_frame (writer))
            break;
          writer_frame (writer);
        }
      if (!writer_flush (writer))
        return;  /* waiting for the socket, or the client is gone */
      if (writer_needs_frame (writer) && writer->reply->interval_ms > 0)
        {
          writer->source = attach_timeout (writer->self, writer->reply->interval_ms, writer_piece_cb, writer);
          return;
        }
    }

  if (writer->reply->fault == PW_FAKE_FAULT_STALL)
    return;  /* silence; the connection stays open until dispose */
  writer_free (writer);
}

/* Stream */

static void
stream_free (Stream *stream)
{
  PwFakeServer *self = stream->self;

  self->streams = g_list_remove (self->streams, stream);
  clear_source (&stream->source);
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_object_unref (stream->msg);
  pw_fake_reply_free (stream->reply);
  g_free (stream);
}

static void
stream_schedule (Stream      *stream,
                 guint        delay_ms,
                 GSourceFunc  func)
{
  g_return_if_fail (stream->source == NULL);

  stream->source = attach_timeout (stream->self, delay_ms, func, stream);
}

/* Our reference only; the context keeps the source alive while it runs. */
static void
stream_source_done (Stream *stream)
{
  g_clear_pointer (&stream->source, g_source_unref);
}

static gboolean
stream_piece_cb (gpointer data)
{
  Stream *stream = data;
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);
  gsize length = g_bytes_get_size (stream->reply->body);

  stream_source_done (stream);
  if (stream->offset < length)
    {
      gsize size = next_piece (stream->self, stream->reply, stream->offset, length);
      g_autoptr(GBytes) piece = g_bytes_new_from_bytes (stream->reply->body, stream->offset, size);

      soup_message_body_append_bytes (body, piece);
      stream->offset += size;
    }
  else
    {
      stream->completed = TRUE;
      soup_message_body_complete (body);
    }
  soup_server_message_unpause (stream->msg);
  return G_SOURCE_REMOVE;
}

/* libsoup has written the headers or a piece, and pauses itself for
 * want of the next one: plan it, or the end. */
static void
stream_wrote_headers_cb (SoupServerMessage *msg,
                         Stream            *stream)
{
  if (!stream->source && !stream->completed)
    stream_schedule (stream, 0, stream_piece_cb);
}

static void
stream_wrote_chunk_cb (SoupServerMessage *msg,
                       Stream            *stream)
{
  if (!stream->source && !stream->completed)
    stream_schedule (stream, stream->reply->interval_ms, stream_piece_cb);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    Stream            *stream)
{
  stream_free (stream);
}

/* Right after the headers, before libsoup opens its body stream (which
 * would end the chunked body on the way out): take the connection and
 * write the body ourselves. libsoup 3.2 checks after each step of its
 * I/O loop whether the message still owns the connection. */
static void
stream_hand_over_cb (SoupServerMessage *msg,
                     Stream            *stream)
{
  PwFakeServer *self = stream->self;
  GSocket *socket = message_socket (self, msg);
  Writer *writer;
  GIOStream *io;

  io = soup_server_message_steal_connection (msg);
  if (!io)
    {
      stream_free (stream);
      return;
    }

  writer = g_new0 (Writer, 1);
  writer->self = self;
  writer->reply = g_steal_pointer (&stream->reply);
  writer->limit = MIN (writer->reply->fault_at, g_bytes_get_size (writer->reply->body));
  writer->io = io;
  writer->socket = socket ? g_object_ref (socket) : NULL;
  stream_free (stream);
  self->writers = g_list_prepend (self->writers, writer);
  writer->source = attach_timeout (self, 0, writer_piece_cb, writer);
}

static void
apply_headers (SoupServerMessage *msg,
               PwFakeReply       *reply)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  for (guint i = 0; i < reply->headers->len; i++)
    {
      const PwFakeHeader *header = g_ptr_array_index (reply->headers, i);

      /* libsoup frames the body itself */
      if (g_ascii_strcasecmp (header->name, "content-length") == 0
          || g_ascii_strcasecmp (header->name, "transfer-encoding") == 0)
        continue;
      soup_message_headers_append (headers, header->name, header->value);
    }
}

static gboolean
stream_begin_cb (gpointer data)
{
  Stream *stream = data;
  PwFakeReply *reply = stream->reply;
  SoupServerMessage *msg = stream->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  gsize length = g_bytes_get_size (reply->body);

  stream_source_done (stream);

  if (reply->fault == PW_FAKE_FAULT_RESET_BEFORE_HEADERS)
    {
      g_autoptr(SoupServerMessage) keep = g_object_ref (msg);
      PwFakeServer *self = stream->self;
      GSocket *socket = message_socket (self, msg);
      g_autoptr(GIOStream) io = NULL;

      stream_free (stream);
      io = soup_server_message_steal_connection (keep);
      if (socket)
        {
          set_reset_on_close (socket);
          g_socket_close (socket, NULL);
        }
      if (io)
        g_io_stream_close (io, NULL, NULL);
      return G_SOURCE_REMOVE;
    }

  soup_server_message_set_status (msg, reply->status, NULL);
  apply_headers (msg, reply);

  if (!pw_fake_reply_is_streaming (reply) && !reply->chunking_set && reply->fault == PW_FAKE_FAULT_NONE)
    {
      soup_message_headers_set_content_length (headers, (goffset) length);
      if (length > 0)
        soup_message_body_append_bytes (body, reply->body);
      soup_message_body_complete (body);
      soup_server_message_unpause (msg);
      return G_SOURCE_REMOVE;
    }

  /* Streams are chunked like the real APIs'; so are the faults, whose
   * body we write ourselves once the headers are out. */
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (body, FALSE);
  if (reply->fault != PW_FAKE_FAULT_NONE)
    g_signal_connect (msg, "wrote-headers", G_CALLBACK (stream_hand_over_cb), stream);
  else
    {
      g_signal_connect (msg, "wrote-headers", G_CALLBACK (stream_wrote_headers_cb), stream);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (stream_wrote_chunk_cb), stream);
    }
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static PwFakeReply *
take_reply (PwFakeServer *self,
            const char   *path)
{
  for (GList *l = self->queue.head; l; l = l->next)
    {
      PwFakeQueued *queued = l->data;

      if (!queued->path || g_strcmp0 (queued->path, path) == 0)
        {
          PwFakeReply *reply = g_steal_pointer (&queued->reply);

          g_queue_delete_link (&self->queue, l);
          pw_fake_queued_free (queued);
          return reply;
        }
    }
  return NULL;
}

static PwFakeRequest *
record_request (PwFakeServer      *self,
                SoupServerMessage *msg,
                const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  PwFakeRequest *request = g_new0 (PwFakeRequest, 1);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    soup_message_headers_append (request->headers, name, value);
  request->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_ptr_array_add (self->requests, request);
  return request;
}

static void
handle_request_cb (SoupServer        *soup,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  PwFakeServer *self = user_data;
  PwFakeRequest *request = record_request (self, msg, path);
  PwFakeReply *reply = NULL;
  PwProviderKind kind;
  Stream *stream;

  if (!pw_fake_path_get_kind (path, &kind))
    {
      g_autofree char *message = g_strdup_printf ("planwright-fake-llm: no endpoint %s (it serves "
                                                  "/v1/messages, /v1/responses, /v1/chat/completions)",
                                                  path);
      reply = pw_fake_reply_new_error (path, SOUP_STATUS_NOT_FOUND, message);
    }
  else if (strcmp (request->method, "POST") != 0)
    {
      g_autofree char *message = g_strdup_printf ("planwright-fake-llm: %s takes POST, not %s",
                                                  path, request->method);
      reply = pw_fake_reply_new_error (path, SOUP_STATUS_METHOD_NOT_ALLOWED, message);
    }
  else
    {
      reply = take_reply (self, path);
      if (!reply && self->echo)
        reply = pw_fake_reply_new_echo (kind, request->body);
      if (!reply)
        {
          g_autofree char *message = g_strdup_printf ("planwright-fake-llm: no reply queued for POST %s "
                                                      "(%u request(s) so far)",
                                                      path, self->requests->len);
          reply = pw_fake_reply_new_error (path, SOUP_STATUS_INTERNAL_SERVER_ERROR, message);
        }
    }

  g_debug ("%s %s → %s", request->method, path, reply->label);
  g_signal_emit (self, signals[SIGNAL_REQUEST], 0, request);

  stream = g_new0 (Stream, 1);
  stream->self = self;
  stream->msg = g_object_ref (msg);
  stream->reply = reply;
  self->streams = g_list_prepend (self->streams, stream);
  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), stream);

  /* Even without a delay: the reset fault must not steal the connection
   * from inside libsoup's own I/O for this message. */
  soup_server_message_pause (msg);
  stream_schedule (stream, reply->delay_ms, stream_begin_cb);
}

static void
pw_fake_server_dispose (GObject *object)
{
  PwFakeServer *self = PW_FAKE_SERVER (object);

  /* Whatever is still being served ends with a reset, so no client can
   * take a cut-off stream for a finished one. */
  while (self->streams)
    {
      Stream *stream = self->streams->data;

      set_reset_on_close (message_socket (self, stream->msg));
      stream_free (stream);
    }
  while (self->writers)
    {
      Writer *writer = self->writers->data;

      set_reset_on_close (writer->socket);
      writer_free (writer);
    }

  if (self->service)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }
  if (self->soup)
    {
      soup_server_disconnect (self->soup);
      g_clear_object (&self->soup);
    }

  g_queue_clear_full (&self->queue, (GDestroyNotify) pw_fake_queued_free);
  g_hash_table_remove_all (self->sockets);

  G_OBJECT_CLASS (pw_fake_server_parent_class)->dispose (object);
}

static void
pw_fake_server_finalize (GObject *object)
{
  PwFakeServer *self = PW_FAKE_SERVER (object);

  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->sockets, g_hash_table_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->url);

  G_OBJECT_CLASS (pw_fake_server_parent_class)->finalize (object);
}

static void
pw_fake_server_class_init (PwFakeServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_fake_server_dispose;
  object_class->finalize = pw_fake_server_finalize;

  /**
   * PwFakeServer::request:
   * @request: (type gpointer): the PwFakeRequest just recorded
   *
   * A request arrived and was recorded; its reply is about to start.
   */
  signals[SIGNAL_REQUEST] =
    g_signal_new ("request",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
pw_fake_server_init (PwFakeServer *self)
{
  g_queue_init (&self->queue);
  self->requests = g_ptr_array_new_with_free_func (pw_fake_request_free);
  self->sockets = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  self->rand = g_rand_new_with_seed (DEFAULT_SEED);
  self->context = g_main_context_ref_thread_default ();
}

/* libsoup 3.2's own listener leaks a socket per connection and an
 * address per listen (fixed upstream in 3.3); a GSocketService handing
 * connections to the server leaks nothing, which ASan runs can check. */
static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           data)
{
  PwFakeServer *self = data;
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GError) error = NULL;

  remember_socket (self, connection, remote);
  if (!soup_server_accept_iostream (self->soup, G_IO_STREAM (connection), local, remote, &error))
    g_warning ("The fake server could not take a connection: %s", error->message);
  return TRUE;
}

PwFakeServer *
pw_fake_server_new_on_port (guint    port,
                            GError **error)
{
  g_autoptr(PwFakeServer) self = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (port <= G_MAXUINT16, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (PW_TYPE_FAKE_SERVER, NULL);
  self->soup = soup_server_new ("server-header", "planwright-fake-llm ", NULL);
  soup_server_add_handler (self->soup, NULL, handle_request_cb, self, NULL);

  self->service = g_socket_service_new ();
  address = g_inet_socket_address_new (loopback, (guint16) port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return NULL;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->url = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  g_socket_service_start (self->service);
  return g_steal_pointer (&self);
}

PwFakeServer *
pw_fake_server_new (GError **error)
{
  return pw_fake_server_new_on_port (0, error);
}

guint
pw_fake_server_get_port (PwFakeServer *self)
{
  g_return_val_if_fail (PW_IS_FAKE_SERVER (self), 0);

  return self->port;
}

const char *
pw_fake_server_get_url (PwFakeServer *self)
{
  g_return_val_if_fail (PW_IS_FAKE_SERVER (self), NULL);

  return self->url;
}

void
pw_fake_server_enqueue (PwFakeServer *self,
                        const char   *path,
                        PwFakeReply  *reply)
{
  g_return_if_fail (PW_IS_FAKE_SERVER (self));
  g_return_if_fail (reply != NULL);

  g_queue_push_tail (&self->queue, pw_fake_queued_new (path, reply));
}

gboolean
pw_fake_server_load_script (PwFakeServer  *self,
                            const char    *script_path,
                            const char    *fixtures_dir,
                            GError       **error)
{
  g_autoptr(GPtrArray) queued = NULL;

  g_return_val_if_fail (PW_IS_FAKE_SERVER (self), FALSE);
  g_return_val_if_fail (script_path != NULL, FALSE);

  /* All or nothing: a broken script queues no reply at all. */
  queued = pw_fake_script_parse (script_path, fixtures_dir, error);
  if (!queued)
    return FALSE;

  for (guint i = 0; i < queued->len; i++)
    g_queue_push_tail (&self->queue, g_steal_pointer (&queued->pdata[i]));
  return TRUE;
}

GPtrArray *
pw_fake_server_get_requests (PwFakeServer *self)
{
  g_return_val_if_fail (PW_IS_FAKE_SERVER (self), NULL);

  return self->requests;
}

guint
pw_fake_server_get_pending (PwFakeServer *self)
{
  g_return_val_if_fail (PW_IS_FAKE_SERVER (self), 0);

  return self->queue.length;
}

void
pw_fake_server_set_echo (PwFakeServer *self,
                         gboolean      echo)
{
  g_return_if_fail (PW_IS_FAKE_SERVER (self));

  self->echo = !!echo;
}

void
pw_fake_server_set_seed (PwFakeServer *self,
                         guint32       seed)
{
  g_return_if_fail (PW_IS_FAKE_SERVER (self));

  g_rand_set_seed (self->rand, seed);
}
