// Open-loop load for Benchmarks/overload.sh: sends POST /v1/authorize at a fixed rate whatever the
// server answers (wrk waits for each answer, so it can never offer more than the server takes),
// each request with a fresh Idempotency-Key on a random one of N accounts, over keep-alive
// connections opened as needed up to a cap. A request that finds no free connection waits in a
// queue, and its latency counts from when it was due (no coordinated omission).
// Prints one line per second: offered, answered 2xx, 503 (and how many carried Retry-After),
// other answers, errors, connections, queued, and p50/p99 of the 2xx and of the 503 answers.
// Usage: openloop HOST PORT TOKEN ACCOUNTS "RATE:SECONDS[,RATE:SECONDS...]" [MAX_CONNECTIONS]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PHASES 16
#define BUFFER_BYTES 8192
#define LATENCY_SLOTS 200000

struct connection {
    int fd;
    int busy;
    int64_t due_ns;  // when the request now in flight was due
    char buffer[BUFFER_BYTES];
    size_t filled;
};

struct second_stats {
    long offered, ok, shed, shed_retry_after, other, errors;
    int ok_count, shed_count;
    int64_t ok_latency[LATENCY_SLOTS];
    int64_t shed_latency[LATENCY_SLOTS];
};

static struct sockaddr_in address;
static const char *token;
static long accounts;
static uint64_t sequence;
static struct second_stats stats;
static int epoll_fd;

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double percentile_ms(int64_t *values, int count, double q) {
    if (count == 0) return 0;
    qsort(values, (size_t)count, sizeof(int64_t), compare);
    int index = (int)(q * count);
    if (index >= count) index = count - 1;
    return values[index] / 1e6;
}

static int open_connection(struct connection *c) {
    // Connected blocking (on loopback that is immediate), then non-blocking for the loop.
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event);
    c->busy = 0;
    c->filled = 0;
    return 0;
}

static void send_request(struct connection *c, int64_t due_ns) {
    char body[96], request[512];
    long account = (long)(random() % accounts);
    int body_length = snprintf(body, sizeof body, "{\"account\":\"acct-%ld\",\"cost\":1}", account);
    int length = snprintf(request, sizeof request,
        "POST /v1/authorize HTTP/1.1\r\nHost: tally\r\nAuthorization: Bearer %s\r\n"
        "Content-Type: application/json\r\nIdempotency-Key: ol-%d-%llu\r\nContent-Length: %d\r\n\r\n%s",
        token, getpid(), (unsigned long long)++sequence, body_length, body);
    c->busy = 1;
    c->due_ns = due_ns;
    c->filled = 0;
    // A request this small fits in an empty socket buffer; a short send is an error here.
    if (send(c->fd, request, (size_t)length, MSG_NOSIGNAL) != length) {
        stats.errors++;
        c->busy = 0;
        close(c->fd);
        c->fd = -1;
    }
}

// Reads what arrived; true once one whole answer is in (status line, headers, Content-Length body).
static int read_answer(struct connection *c, int *status, int *retry_after) {
    ssize_t n = recv(c->fd, c->buffer + c->filled, BUFFER_BYTES - 1 - c->filled, 0);
    if (n <= 0) return -1;
    c->filled += (size_t)n;
    c->buffer[c->filled] = 0;
    char *end = strstr(c->buffer, "\r\n\r\n");
    if (!end) return 0;
    char *length_header = strcasestr(c->buffer, "\r\ncontent-length:");
    long length = length_header && length_header < end ? strtol(length_header + 17, NULL, 10) : 0;
    if ((size_t)(end + 4 - c->buffer) + (size_t)length > c->filled) return 0;
    *status = atoi(c->buffer + 9);
    char *retry = strcasestr(c->buffer, "\r\nretry-after:");
    *retry_after = retry && retry < end;
    return 1;
}

static void record(int status, int retry_after, int64_t latency_ns) {
    if (status >= 200 && status < 300) {
        stats.ok++;
        if (stats.ok_count < LATENCY_SLOTS) stats.ok_latency[stats.ok_count++] = latency_ns;
    } else if (status == 503) {
        stats.shed++;
        stats.shed_retry_after += retry_after;
        if (stats.shed_count < LATENCY_SLOTS) stats.shed_latency[stats.shed_count++] = latency_ns;
    } else {
        stats.other++;
    }
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: openloop HOST PORT TOKEN ACCOUNTS RATE:SECONDS[,...] [MAX_CONNECTIONS]\n");
        return 2;
    }
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &address.sin_addr);
    token = argv[3];
    accounts = atol(argv[4]);
    long rates[MAX_PHASES], seconds[MAX_PHASES];
    int phases = 0;
    for (char *part = strtok(argv[5], ","); part && phases < MAX_PHASES; part = strtok(NULL, ",")) {
        if (sscanf(part, "%ld:%ld", &rates[phases], &seconds[phases]) != 2) return 2;
        phases++;
    }
    int max_connections = argc > 6 ? atoi(argv[6]) : 1024;
    srandom((unsigned)getpid());
    epoll_fd = epoll_create1(0);
    struct connection *pool = calloc((size_t)max_connections, sizeof *pool);
    for (int i = 0; i < max_connections; i++) pool[i].fd = -1;
    int64_t *queue = malloc(sizeof(int64_t) * 4000000);
    long queue_head = 0, queue_tail = 0;
    printf("second rate offered ok shed shed_retry_after other errors connections queued ok_p50_ms ok_p99_ms shed_p50_ms shed_p99_ms\n");
    int64_t start = now_ns(), phase_start = start;
    long elapsed_second = 0, scheduled = 0;
    for (int phase = 0; phase < phases; phase++) {
        int64_t phase_end = phase_start + seconds[phase] * 1000000000LL;
        scheduled = 0;
        while (now_ns() < phase_end) {
            int64_t now = now_ns();
            long due = (long)((now - phase_start) / 1e9 * rates[phase]);
            for (; scheduled < due; scheduled++) {
                queue[queue_tail++ % 4000000] = phase_start + (int64_t)(scheduled * 1e9 / rates[phase]);
                stats.offered++;
            }
            // Hand queued requests to free connections, opening new ones up to the cap.
            for (int i = 0; i < max_connections && queue_head < queue_tail; i++) {
                struct connection *c = &pool[i];
                if (c->fd < 0 && open_connection(c) < 0) { stats.errors++; continue; }
                if (!c->busy) send_request(c, queue[queue_head++ % 4000000]);
            }
            struct epoll_event events[256];
            int count = epoll_wait(epoll_fd, events, 256, 1);
            for (int e = 0; e < count; e++) {
                struct connection *c = events[e].data.ptr;
                int status = 0, retry_after = 0;
                int result = read_answer(c, &status, &retry_after);
                if (result < 0) {
                    if (c->busy) stats.errors++;
                    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                    c->fd = -1;
                    c->busy = 0;
                } else if (result > 0) {
                    record(status, retry_after, now_ns() - c->due_ns);
                    c->busy = 0;
                }
            }
            if (now_ns() - start >= (elapsed_second + 1) * 1000000000LL) {
                elapsed_second++;
                int open = 0;
                for (int i = 0; i < max_connections; i++) open += pool[i].fd >= 0;
                double ok50 = percentile_ms(stats.ok_latency, stats.ok_count, 0.50);
                double ok99 = percentile_ms(stats.ok_latency, stats.ok_count, 0.99);
                double shed50 = percentile_ms(stats.shed_latency, stats.shed_count, 0.50);
                double shed99 = percentile_ms(stats.shed_latency, stats.shed_count, 0.99);
                printf("%ld %ld %ld %ld %ld %ld %ld %ld %d %ld %.2f %.2f %.2f %.2f\n", elapsed_second, rates[phase],
                    stats.offered, stats.ok, stats.shed, stats.shed_retry_after, stats.other, stats.errors, open,
                    queue_tail - queue_head, ok50, ok99, shed50, shed99);
                fflush(stdout);
                memset(&stats, 0, sizeof stats);
            }
        }
        phase_start = phase_end;
    }
    return 0;
}
