/*
 * usrsctp-peer: one usrsctp association in AF_CONN mode for UsrsctpInteropTests (our own program,
 * linked with Debian's libusrsctp). No sockets of its own: every SCTP packet usrsctp wants to send is
 * written to stdout, and every packet the test feeds on stdin goes to usrsctp_conninput. The test
 * sits in between (it can drop or reorder) and talks to our SctpAssociation.
 *
 * Framing, both directions: 1 byte type, 4 bytes big-endian length, payload.
 *   stdin  'P' packet                      -> usrsctp_conninput
 *          'S' u16 sid, u32 ppid, u16 flags (1 = unordered), u16 pr policy (0 none, 1 TTL, 3 RTX),
 *              u32 pr value, message bytes  -> usrsctp_sendv
 *          'R' u16 sid                       -> SCTP_RESET_STREAMS (outgoing)
 *          'C'                               -> usrsctp_connect (the INIT)
 *          'X'                               -> graceful shutdown (usrsctp_sendv with SCTP_EOF)
 *          'A'                               -> ABORT (usrsctp_sendv with SCTP_ABORT)
 *   stdout 'P' packet (from the AF_CONN output callback)
 *          'M' u16 sid, u32 ppid, u16 rcv_flags, message bytes (complete, MSG_EOR)
 *          'E' one event as text: "up out=N in=N pr=0|1 reconfig=0|1 idata=0|1", "down STATE",
 *              "reset FLAGS sid...", "sendfailed sid ppid", "senderr errno", "shutdown", "error TEXT"
 * Options: --idata (offer I-DATA, RFC 8260), --hb MS (heartbeat interval), --dump (log every packet to stderr).
 * Ports: 5000 both sides (RFC 8841 default).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <usrsctp.h>

/* Not in usrsctp.h's public list (usrsctp's netinet/sctp.h, as its own fuzzers define it). */
#ifndef SCTP_INTERLEAVING_SUPPORTED
#define SCTP_INTERLEAVING_SUPPORTED 0x00001206
#endif

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int conn_addr_token;
static struct socket *sock;
static sctp_assoc_t assoc_id;
static int dump;

struct pending { uint8_t *data; size_t len; size_t cap; };
/* Pieces of a message usrsctp delivers in parts (partial delivery), per stream and U flag: with I-DATA
 * (RFC 8260) the pieces of an ordered and an unordered message on one stream may interleave. */
static struct pending partial[65536 * 2];

/* Sends usrsctp refused with EWOULDBLOCK (send buffer full), retried in order after every input. */
struct queued { uint8_t *frame; uint32_t len; struct queued *next; };
static struct queued *queue_head, *queue_tail;

static void write_all(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(1, p, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            _exit(3);
        }
        p += n;
        len -= (size_t)n;
    }
}

static void emit(char type, const void *head, size_t head_len, const void *body, size_t body_len)
{
    uint8_t h[5];
    uint32_t total = (uint32_t)(head_len + body_len);
    h[0] = (uint8_t)type;
    h[1] = (uint8_t)(total >> 24); h[2] = (uint8_t)(total >> 16); h[3] = (uint8_t)(total >> 8); h[4] = (uint8_t)total;
    pthread_mutex_lock(&out_lock);
    write_all(h, 5);
    if (head_len) write_all(head, head_len);
    if (body_len) write_all(body, body_len);
    pthread_mutex_unlock(&out_lock);
}

static void event(const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof text) n = sizeof text - 1;
    emit('E', text, (size_t)n, NULL, 0);
}

static int conn_output(void *addr, void *buffer, size_t length, uint8_t tos, uint8_t set_df)
{
    (void)addr; (void)tos; (void)set_df;
    if (dump) {
        char *d = usrsctp_dumppacket(buffer, length, SCTP_DUMP_OUTBOUND);
        if (d) { fputs(d, stderr); usrsctp_freedumpbuffer(d); }
    }
    emit('P', NULL, 0, buffer, length);
    return 0;
}

static void debug_printf(const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
}

static void on_notification(const union sctp_notification *n, size_t len)
{
    if (len < sizeof(n->sn_header)) return;
    switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
        const struct sctp_assoc_change *ac = &n->sn_assoc_change;
        if (ac->sac_state == SCTP_COMM_UP || ac->sac_state == SCTP_RESTART) {
            int pr = 0, reconfig = 0, idata = 0;
            for (size_t i = 0; i + sizeof(*ac) < ac->sac_length && i + sizeof(*ac) < len; i++) {
                switch (ac->sac_info[i]) {
                case SCTP_ASSOC_SUPPORTS_PR: pr = 1; break;
                case SCTP_ASSOC_SUPPORTS_RE_CONFIG: reconfig = 1; break;
                case SCTP_ASSOC_SUPPORTS_INTERLEAVING: idata = 1; break;
                }
            }
            assoc_id = ac->sac_assoc_id;
            event("up out=%u in=%u pr=%d reconfig=%d idata=%d", ac->sac_outbound_streams, ac->sac_inbound_streams, pr, reconfig, idata);
        } else {
            event("down %u", ac->sac_state);
        }
        break;
    }
    case SCTP_STREAM_RESET_EVENT: {
        const struct sctp_stream_reset_event *r = &n->sn_strreset_event;
        char text[900];
        size_t count = (r->strreset_length - sizeof(*r)) / sizeof(uint16_t);
        int off = snprintf(text, sizeof text, "reset %u", r->strreset_flags);
        for (size_t i = 0; i < count && off < (int)sizeof text - 8; i++)
            off += snprintf(text + off, sizeof text - (size_t)off, " %u", r->strreset_stream_list[i]);
        event("%s", text);
        break;
    }
    case SCTP_SEND_FAILED_EVENT: {
        const struct sctp_send_failed_event *f = &n->sn_send_failed_event;
        event("sendfailed %u %u", f->ssfe_info.snd_sid, f->ssfe_info.snd_ppid);
        break;
    }
    case SCTP_SHUTDOWN_EVENT:
        event("shutdown");
        break;
    case SCTP_PARTIAL_DELIVERY_EVENT: {
        const struct sctp_pdapi_event *pd = &n->sn_pdapi_event;
        /* An aborted partial delivery: drop what was gathered for the stream. */
        event("pdapi %u stream %u seq %u", pd->pdapi_indication, pd->pdapi_stream, pd->pdapi_seq);
        if (pd->pdapi_stream < 65536) partial[pd->pdapi_stream].len = partial[65536 + pd->pdapi_stream].len = 0;
        break;
    }
    default:
        break;
    }
}

static int receive_cb(struct socket *s, union sctp_sockstore addr, void *data, size_t datalen,
                      struct sctp_rcvinfo rcv, int flags, void *ulp_info)
{
    (void)s; (void)addr; (void)ulp_info;
    if (data == NULL) {
        event("closed");
        return 1;
    }
    if (flags & MSG_NOTIFICATION) {
        on_notification((const union sctp_notification *)data, datalen);
        free(data);
        return 1;
    }
    struct pending *p = &partial[(rcv.rcv_flags & SCTP_UNORDERED ? 65536 : 0) + rcv.rcv_sid];
    if (p->len + datalen > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->len + datalen) cap *= 2;
        uint8_t *grown = realloc(p->data, cap);
        if (!grown) _exit(4);
        p->data = grown;
        p->cap = cap;
    }
    if (!(flags & MSG_EOR) || p->len > 0)
        fprintf(stderr, "usrsctp-peer: piece of %zu bytes on stream %u (tsn %u, eor %d, had %zu)\n", datalen, rcv.rcv_sid, rcv.rcv_tsn, !!(flags & MSG_EOR), p->len);
    memcpy(p->data + p->len, data, datalen);
    p->len += datalen;
    free(data);
    if (flags & MSG_EOR) {
        uint8_t head[8];
        head[0] = (uint8_t)(rcv.rcv_sid >> 8); head[1] = (uint8_t)rcv.rcv_sid;
        uint32_t ppid = ntohl(rcv.rcv_ppid); /* usrsctp keeps the PPID in network order */
        head[2] = (uint8_t)(ppid >> 24); head[3] = (uint8_t)(ppid >> 16);
        head[4] = (uint8_t)(ppid >> 8); head[5] = (uint8_t)ppid;
        head[6] = (uint8_t)(rcv.rcv_flags >> 8); head[7] = (uint8_t)rcv.rcv_flags;
        emit('M', head, sizeof head, p->data, p->len);
        p->len = 0;
    }
    return 1;
}

static int read_all(void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = read(0, p, len);
        if (n == 0) return 0;
        if (n < 0) {
            if (errno == EINTR) continue;
            return 0;
        }
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t u32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* One 'S' frame to usrsctp_sendv; false when the send buffer is full (try again later). */
static int try_send(const uint8_t *buf, uint32_t len)
{
    struct sctp_sendv_spa spa;
    memset(&spa, 0, sizeof spa);
    spa.sendv_sndinfo.snd_sid = u16(buf);
    spa.sendv_sndinfo.snd_ppid = htonl(u32(buf + 2)); /* network order, as usrsctp puts it on the wire */
    spa.sendv_sndinfo.snd_flags = (u16(buf + 6) & 1) ? SCTP_UNORDERED : 0;
    spa.sendv_sndinfo.snd_assoc_id = assoc_id;
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    uint16_t policy = u16(buf + 8);
    if (policy != 0) {
        spa.sendv_prinfo.pr_policy = policy;
        spa.sendv_prinfo.pr_value = u32(buf + 10);
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    }
    ssize_t n = usrsctp_sendv(sock, buf + 14, len - 14, NULL, 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
    if (n < 0 && (errno == EWOULDBLOCK || errno == EAGAIN)) return 0;
    if (n < 0) event("senderr %d", errno);
    return 1;
}

static void setopt(int level, int name, const void *value, socklen_t len, const char *what)
{
    if (usrsctp_setsockopt(sock, level, name, value, len) < 0) {
        fprintf(stderr, "usrsctp-peer: setsockopt %s: %s\n", what, strerror(errno));
        exit(2);
    }
}

int main(int argc, char **argv)
{
    int idata = 0;
    int hb = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--idata")) idata = 1;
        else if (!strcmp(argv[i], "--hb") && i + 1 < argc) hb = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dump")) dump = 1;
        else { fprintf(stderr, "usage: usrsctp-peer [--idata] [--hb MS] [--dump]\n"); return 2; }
    }

    /* usrsctp_init sets every sysctl to its default, so these come after it. Shorter timers than RFC
     * 9260's defaults so loss tests take seconds (our side uses the same): RTO 200 ms initial, 100 ms
     * min, 1 s max; 20 ms delayed SACK. */
    usrsctp_init(0, conn_output, debug_printf);
    usrsctp_sysctl_set_sctp_rto_initial_default(200);
    usrsctp_sysctl_set_sctp_rto_min_default(100);
    usrsctp_sysctl_set_sctp_rto_max_default(1000);
    usrsctp_sysctl_set_sctp_init_rto_max_default(1000);
    usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
    usrsctp_sysctl_set_sctp_sendspace(16 * 1024 * 1024);
    usrsctp_sysctl_set_sctp_recvspace(1024 * 1024);
    usrsctp_sysctl_set_sctp_pr_enable(1);
    usrsctp_sysctl_set_sctp_reconfig_enable(1);
    if (hb > 0) usrsctp_sysctl_set_sctp_heartbeat_interval_default((uint32_t)hb);
    usrsctp_register_address(&conn_addr_token);

    sock = usrsctp_socket(AF_CONN, SOCK_SEQPACKET, IPPROTO_SCTP, receive_cb, NULL, 0, NULL);
    if (!sock) { perror("usrsctp_socket"); return 2; }
    usrsctp_set_non_blocking(sock, 1);

    int on = 1;
    int sndbuf = 16 * 1024 * 1024;
    if (usrsctp_setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) < 0)
        fprintf(stderr, "usrsctp-peer: SO_SNDBUF: %s\n", strerror(errno));
    setopt(IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on, "SCTP_NODELAY");
    setopt(IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on, "SCTP_RECVRCVINFO");
    struct sctp_assoc_value av = { .assoc_id = SCTP_FUTURE_ASSOC, .assoc_value = SCTP_ENABLE_RESET_STREAM_REQ };
    setopt(IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof av, "SCTP_ENABLE_STREAM_RESET");
    struct sctp_rtoinfo rto = { .srto_assoc_id = SCTP_FUTURE_ASSOC, .srto_initial = 200, .srto_max = 1000, .srto_min = 100 };
    setopt(IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto, "SCTP_RTOINFO");
    struct sctp_initmsg init = { .sinit_num_ostreams = 1024, .sinit_max_instreams = 1024 };
    setopt(IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof init, "SCTP_INITMSG");
    if (idata) {
        int level = 2;
        setopt(IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, &level, sizeof level, "SCTP_FRAGMENT_INTERLEAVE");
        struct sctp_assoc_value iv = { .assoc_id = SCTP_FUTURE_ASSOC, .assoc_value = 1 };
        setopt(IPPROTO_SCTP, SCTP_INTERLEAVING_SUPPORTED, &iv, sizeof iv, "SCTP_INTERLEAVING_SUPPORTED");
    }
    uint16_t events[] = { SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SEND_FAILED_EVENT, SCTP_SHUTDOWN_EVENT, SCTP_PARTIAL_DELIVERY_EVENT };
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        struct sctp_event ev = { .se_assoc_id = SCTP_FUTURE_ASSOC, .se_type = events[i], .se_on = 1 };
        setopt(IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev, "SCTP_EVENT");
    }

    struct sockaddr_conn local = { .sconn_family = AF_CONN, .sconn_port = htons(5000), .sconn_addr = &conn_addr_token };
    if (usrsctp_bind(sock, (struct sockaddr *)&local, sizeof local) < 0) { perror("usrsctp_bind"); return 2; }
    if (usrsctp_listen(sock, 1) < 0) { perror("usrsctp_listen"); return 2; }
    event("ready");

    for (;;) {
        uint8_t h[5];
        if (!read_all(h, 5)) break;
        uint32_t len = u32(h + 1);
        uint8_t *buf = malloc(len ? len : 1);
        if (!buf || !read_all(buf, len)) break;
        switch (h[0]) {
        case 'P':
            if (dump) {
                char *d = usrsctp_dumppacket(buf, len, SCTP_DUMP_INBOUND);
                if (d) { fputs(d, stderr); usrsctp_freedumpbuffer(d); }
            }
            usrsctp_conninput(&conn_addr_token, buf, len, 0);
            break;
        case 'C': {
            struct sockaddr_conn remote = { .sconn_family = AF_CONN, .sconn_port = htons(5000), .sconn_addr = &conn_addr_token };
            if (usrsctp_connect(sock, (struct sockaddr *)&remote, sizeof remote) < 0 && errno != EINPROGRESS)
                event("error connect %d", errno);
            break;
        }
        case 'S':
            if (len < 14) { event("error short send"); break; }
            if (queue_head || !try_send(buf, len)) {
                struct queued *q = malloc(sizeof *q);
                q->frame = buf; q->len = len; q->next = NULL;
                if (queue_tail) queue_tail->next = q; else queue_head = q;
                queue_tail = q;
                buf = NULL;
            }
            break;
        case 'X':
        case 'A': {
            struct sctp_sndinfo info;
            memset(&info, 0, sizeof info);
            info.snd_flags = h[0] == 'X' ? SCTP_EOF : SCTP_ABORT;
            info.snd_assoc_id = assoc_id;
            /* Zero bytes, but not a NULL buffer: usrsctp_sendv answers EFAULT to that. */
            if (usrsctp_sendv(sock, buf, 0, NULL, 0, &info, sizeof info, SCTP_SENDV_SNDINFO, 0) < 0)
                event("error %s %d", h[0] == 'X' ? "shutdown" : "abort", errno);
            break;
        }
        case 'R': {
            if (len < 2) { event("error short reset"); break; }
            size_t size = sizeof(struct sctp_reset_streams) + sizeof(uint16_t);
            struct sctp_reset_streams *r = calloc(1, size);
            r->srs_assoc_id = assoc_id;
            r->srs_flags = SCTP_STREAM_RESET_OUTGOING;
            r->srs_number_streams = 1;
            r->srs_stream_list[0] = u16(buf);
            if (usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, r, (socklen_t)size) < 0)
                event("error reset %d", errno);
            free(r);
            break;
        }
        default:
            event("error unknown command %d", h[0]);
            break;
        }
        free(buf);
        while (queue_head && try_send(queue_head->frame, queue_head->len)) {
            struct queued *q = queue_head;
            queue_head = q->next;
            if (!queue_head) queue_tail = NULL;
            free(q->frame);
            free(q);
        }
    }
    /* stdin closed: the test is done. usrsctp_finish waits for associations to go; leave at once. */
    _exit(0);
}
