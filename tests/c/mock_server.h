/* A tiny in-process server for the C sender tests, on 127.0.0.1 with a free
 * port, run by one thread:
 *  - MOCK_TCP keeps every byte it receives;
 *  - MOCK_HTTP answers each request with the next scripted reply (204 when the
 *    script is exhausted), `GET /settings` with its own reply, and keeps the
 *    bodies of the POSTs and the last request line.
 * Read the results only after mock_stop(), which joins the thread. */
#ifndef QDB_TEST_MOCK_SERVER_H
#define QDB_TEST_MOCK_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MOCK_MAX_REPLIES 8
#define MOCK_CAPACITY (1 << 20)

typedef enum mock_mode { MOCK_TCP, MOCK_HTTP } mock_mode;

typedef struct mock_reply {
    int status;
    const char* content_type;
    const char* body;
} mock_reply;

typedef struct mock_server {
    mock_mode mode;
    int listen_fd;
    uint16_t port;
    pthread_t thread;
    volatile int stop;
    mock_reply replies[MOCK_MAX_REPLIES];
    int reply_count;
    mock_reply settings; /* status 0: answer 404 */
    char received[MOCK_CAPACITY];
    size_t received_len;
    char last_request_line[256];
    char last_authorization[256];
    int posts;
    int settings_requests;
    int connections;
} mock_server;

/* Waits up to 20 ms for `fd` to be readable; 1 ready, 0 not yet, -1 error. */
static inline int mock_wait_readable(int fd)
{
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 20) < 0)
        return errno == EINTR ? 0 : -1; /* a signal is not a failure */
    return (p.revents & (POLLIN | POLLHUP | POLLERR)) ? 1 : 0;
}

/* Polls (of 20 ms) without data after mock_stop() before giving up on a
 * connection: on a loaded machine, bytes a client wrote before it closed can
 * take a while to cross loopback. */
#define MOCK_STOP_GRACE_POLLS 100

/* recv() that gives up when the server is stopping. */
static inline ssize_t mock_recv(mock_server* m, int fd, char* out, size_t cap)
{
    /* Data already sent is read even after mock_stop() was called. */
    int idle_after_stop = 0;
    for (;;) {
        int ready = mock_wait_readable(fd);
        if (ready < 0)
            return -1;
        if (ready > 0) {
            ssize_t n = recv(fd, out, cap, 0);
            if (n < 0 && errno == EINTR)
                continue;
            return n;
        }
        if (m->stop && ++idle_after_stop >= MOCK_STOP_GRACE_POLLS)
            return -1;
    }
}

static inline void mock_send_all(int fd, const char* data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static inline void mock_keep(mock_server* m, const char* data, size_t len)
{
    size_t room = MOCK_CAPACITY - m->received_len;
    size_t n = len < room ? len : room;
    memcpy(m->received + m->received_len, data, n);
    m->received_len += n;
}

static inline void mock_serve_tcp(mock_server* m, int fd)
{
    char chunk[4096];
    ssize_t n;
    while ((n = mock_recv(m, fd, chunk, sizeof chunk)) > 0)
        mock_keep(m, chunk, (size_t)n);
}

static inline void mock_respond(int fd, mock_reply reply)
{
    char head[512];
    const char* body = reply.body ? reply.body : "";
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d Mock\r\nContent-Length: %zu\r\n%s%s%s\r\n",
                     reply.status, strlen(body),
                     reply.content_type ? "Content-Type: " : "",
                     reply.content_type ? reply.content_type : "",
                     reply.content_type ? "\r\n" : "");
    mock_send_all(fd, head, (size_t)n);
    mock_send_all(fd, body, strlen(body));
}

/* Copies header `name`'s value from the request head into `out`. */
static inline void mock_header(const char* head, const char* name, char* out, size_t cap)
{
    size_t name_len = strlen(name);
    const char* line = strstr(head, "\r\n");
    out[0] = '\0';
    while (line && line[2] != '\r') {
        line += 2;
        if (strncasecmp(line, name, name_len) == 0 && line[name_len] == ':') {
            const char* value = line + name_len + 1;
            const char* end = strstr(value, "\r\n");
            size_t len;
            while (*value == ' ')
                ++value;
            len = (size_t)(end - value);
            if (len >= cap)
                len = cap - 1;
            memcpy(out, value, len);
            out[len] = '\0';
            return;
        }
        line = strstr(line, "\r\n");
    }
}

/* Serves requests on one keep-alive connection until it closes. */
static inline void mock_serve_http(mock_server* m, int fd)
{
    static char buf[MOCK_CAPACITY + 8192];
    size_t have = 0;
    for (;;) {
        char* end;
        char length_text[32];
        size_t head_len, body_len;
        while ((end = (char*)memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
            ssize_t n = mock_recv(m, fd, buf + have, sizeof buf - have - 1);
            if (n <= 0)
                return;
            have += (size_t)n;
        }
        head_len = (size_t)(end - buf) + 4;
        buf[head_len - 2] = '\0'; /* terminate after the last header line */
        mock_header(buf, "Content-Length", length_text, sizeof length_text);
        body_len = (size_t)strtoul(length_text, NULL, 10);
        while (have < head_len + body_len) {
            ssize_t n = mock_recv(m, fd, buf + have, sizeof buf - have - 1);
            if (n <= 0)
                return;
            have += (size_t)n;
        }
        {
            size_t line_len = (size_t)(strstr(buf, "\r\n") - buf);
            if (line_len >= sizeof m->last_request_line)
                line_len = sizeof m->last_request_line - 1;
            memcpy(m->last_request_line, buf, line_len);
            m->last_request_line[line_len] = '\0';
        }
        mock_header(buf, "Authorization", m->last_authorization, sizeof m->last_authorization);
        if (strncmp(buf, "GET /settings", 13) == 0) {
            mock_reply r = m->settings;
            if (r.status == 0)
                r.status = 404;
            ++m->settings_requests;
            mock_respond(fd, r);
        } else {
            mock_reply r = {204, NULL, NULL};
            if (m->posts < m->reply_count)
                r = m->replies[m->posts];
            ++m->posts;
            mock_keep(m, buf + head_len, body_len);
            mock_respond(fd, r);
        }
        memmove(buf, buf + head_len + body_len, have - head_len - body_len);
        have -= head_len + body_len;
    }
}

static inline void* mock_run(void* arg)
{
    mock_server* m = (mock_server*)arg;
    for (;;) {
        int fd;
        int ready = mock_wait_readable(m->listen_fd);
        if (ready <= 0) {
            if (m->stop) /* stop only once no connection is pending */
                break;
            continue;
        }
        fd = accept(m->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        ++m->connections;
        if (m->mode == MOCK_TCP)
            mock_serve_tcp(m, fd);
        else
            mock_serve_http(m, fd);
        close(fd);
    }
    return NULL;
}

/* Starts a server; its port is m->port. Set replies before starting. */
static inline mock_server* mock_start(mock_mode mode, const mock_reply* replies, int reply_count)
{
    mock_server* m = (mock_server*)calloc(1, sizeof(mock_server));
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    int i;
    m->mode = mode;
    for (i = 0; i < reply_count && i < MOCK_MAX_REPLIES; ++i)
        m->replies[i] = replies[i];
    m->reply_count = reply_count;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    m->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (m->listen_fd < 0 || bind(m->listen_fd, (struct sockaddr*)&addr, sizeof addr) != 0 ||
        listen(m->listen_fd, 8) != 0 ||
        getsockname(m->listen_fd, (struct sockaddr*)&addr, &addr_len) != 0) {
        perror("mock_start");
        exit(1);
    }
    m->port = ntohs(addr.sin_port);
    return m;
}

/* Begins serving (separate from mock_start so tests can set `settings`). */
static inline void mock_serve(mock_server* m)
{
    if (pthread_create(&m->thread, NULL, mock_run, m) != 0) {
        perror("pthread_create");
        exit(1);
    }
}

/* Stops serving and joins the thread; results stay readable until mock_free. */
static inline void mock_stop(mock_server* m)
{
    m->stop = 1;
    pthread_join(m->thread, NULL);
    close(m->listen_fd);
}

static inline void mock_free(mock_server* m)
{
    free(m);
}

#endif
