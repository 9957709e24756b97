/*
 * udp-blast: the lean UDP load tool of softnet-lab. It measures the kernel, not itself: a flat-out
 * stream does exactly one sendto() per datagram and the receiver exactly one recv() per datagram,
 * with no clock read, no allocation and no printing inside either loop. Every role pins itself with
 * sched_setaffinity, talks to 127.0.0.1 only (unless --addr names another loopback address or the
 * 10.99.0.0/24 subnet that softnet-lab kernels sets up inside a QEMU guest between two virtio-net
 * devices; nothing else is accepted), stops at a count or a time limit (whichever comes
 * first), dies with its parent (PR_SET_PDEATHSIG) and reports plain `key=value` lines that
 * src/measure/lean-tool.ts parses.
 *
 * Roles:
 *   recv  --port P [--cpu C] --seconds S           count datagrams until SIGINT/SIGTERM or S seconds
 *   send  --port P [--cpu C] --seconds S --payload N [--count N] [--rate PPS] [--wait-go]
 *   pong  --port P [--cpu C] --seconds S           echo every datagram back to its sender
 *   ping  --port P [--cpu C] --seconds S --payload N [--count N] [--wait-go]
 *                                                  one datagram in flight; round-trip percentiles
 *   every role also takes --addr A.B.C.D (default 127.0.0.1): the address servers bind to and clients
 *   send to; pong answers loopback peers only either way.
 *
 * Protocol with the harness: servers print `ready port=P` once bound; clients print `ready` once set
 * up, then (with --wait-go) wait for one line on stdin, so the harness can snapshot the kernel's
 * counters right before the loop; they print `end` the moment the loop stops, then the results.
 * Exit codes: 0 done, 2 bad arguments, 3 a system call failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define LOOPBACK "127.0.0.1"
#define MAX_PAYLOAD 65507
#define MAX_SECONDS 600
/* Round-trip samples kept for percentiles; a ping-pong on loopback does well under 1M per second. */
#define MAX_SAMPLES (8u * 1024u * 1024u)

static volatile sig_atomic_t stop_now;
/* The address servers bind and clients send to (--addr); loopback unless told otherwise. */
static const char *target_addr = LOOPBACK;

static void on_signal(int sig) {
	(void)sig;
	stop_now = 1;
}

static void die_usage(const char *msg) {
	fprintf(stderr, "udp-blast: %s\n", msg);
	fprintf(stderr, "usage: udp-blast recv|send|pong|ping --port P [--cpu C] --seconds S [--payload N] [--count N] [--rate PPS] [--wait-go] [--addr A.B.C.D]\n");
	exit(2);
}

static void die_sys(const char *what) {
	fprintf(stderr, "udp-blast: %s: %s\n", what, strerror(errno));
	exit(3);
}

static long parse_num(const char *opt, const char *s, long min, long max) {
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "udp-blast: %s: expected a whole number %ld..%ld, got \"%s\"\n", opt, min, max, s);
		exit(2);
	}
	return v;
}

struct opts {
	const char *role;
	int port, cpu, payload, wait_go;
	long seconds, count, rate;
};

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* SIGALRM ends the loop after the time limit; SIGINT/SIGTERM/SIGHUP end it early. No SA_RESTART, so a
 * blocked recv() returns EINTR and the loop sees the flag. */
static void install_stop(long seconds) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct itimerval it;
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = seconds;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void pin(int cpu) {
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set) != 0)
		die_sys("sched_setaffinity");
}

static int udp_socket(void) {
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die_sys("socket");
	return fd;
}

static struct sockaddr_in loopback(int port) {
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, target_addr, &a.sin_addr);
	return a;
}

static int bound_socket(int port) {
	int fd = udp_socket();
	struct sockaddr_in a = loopback(port);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die_sys("bind");
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	printf("ready port=%d\n", ntohs(a.sin_port));
	fflush(stdout);
	return fd;
}

static void wait_go(const struct opts *o) {
	printf("ready\n");
	fflush(stdout);
	if (!o->wait_go)
		return;
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		exit(0); /* the harness went away before the start: nothing was sent */
}

static void print_rusage(void) {
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("user_s=%.6f\nsys_s=%.6f\nvoluntary_switches=%ld\ninvoluntary_switches=%ld\n",
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	       ru.ru_nvcsw, ru.ru_nivcsw);
}

static int role_recv(const struct opts *o) {
	int fd = bound_socket(o->port);
	static char buf[MAX_PAYLOAD + 1];
	uint64_t received = 0, bytes = 0;
	while (!stop_now) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n >= 0) {
			received++;
			bytes += (uint64_t)n;
		} else if (errno != EINTR)
			die_sys("recv");
	}
	printf("end\nreceived=%llu\nbytes=%llu\n", (unsigned long long)received, (unsigned long long)bytes);
	print_rusage();
	return 0;
}

static int role_pong(const struct opts *o) {
	int fd = bound_socket(o->port);
	static char buf[MAX_PAYLOAD + 1];
	uint64_t echoed = 0;
	while (!stop_now) {
		struct sockaddr_in from;
		socklen_t len = sizeof from;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
		if (n < 0) {
			if (errno != EINTR)
				die_sys("recvfrom");
			continue;
		}
		/* Only ever answer loopback peers. */
		if (from.sin_addr.s_addr != htonl(INADDR_LOOPBACK))
			continue;
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len) >= 0)
			echoed++;
	}
	printf("end\nreceived=%llu\nechoed=%llu\n", (unsigned long long)echoed, (unsigned long long)echoed);
	print_rusage();
	return 0;
}

static void sleep_until(uint64_t t_ns) {
	struct timespec ts = {(time_t)(t_ns / 1000000000ull), (long)(t_ns % 1000000000ull)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_now) {
	}
}

static int role_send(const struct opts *o) {
	int fd = udp_socket();
	struct sockaddr_in to = loopback(o->port);
	static char buf[MAX_PAYLOAD];
	memset(buf, 'x', sizeof buf);
	const size_t len = (size_t)o->payload;
	const uint64_t limit = o->count > 0 ? (uint64_t)o->count : UINT64_MAX;
	uint64_t sent = 0, errors = 0;
	wait_go(o);
	install_stop(o->seconds);
	const uint64_t t0 = now_ns();
	if (o->rate == 0) {
		/* Flat out: one sendto() per datagram and nothing else. */
		while (!stop_now && sent < limit) {
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) >= 0)
				sent++;
			else if (errno != EINTR)
				errors++;
		}
	} else {
		/* Paced: datagram k leaves at t0 + k / rate (absolute deadlines, so sleeping late does not drift). */
		const uint64_t gap = 1000000000ull / (uint64_t)o->rate;
		uint64_t next = t0;
		while (!stop_now && sent < limit) {
			sleep_until(next);
			if (stop_now)
				break;
			if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) >= 0)
				sent++;
			else if (errno != EINTR)
				errors++;
			next += gap;
		}
	}
	const uint64_t t1 = now_ns();
	printf("end\nsent=%llu\nsend_errors=%llu\nelapsed_ns=%llu\n", (unsigned long long)sent, (unsigned long long)errors,
	       (unsigned long long)(t1 - t0));
	print_rusage();
	return 0;
}

static int cmp_u32(const void *a, const void *b) {
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int role_ping(const struct opts *o) {
	int fd = udp_socket();
	struct sockaddr_in to = loopback(o->port);
	if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0)
		die_sys("connect");
	/* A lost datagram must not stall the run: give up on a reply after 200 ms and send the next. */
	struct timeval tv = {0, 200000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	static char buf[MAX_PAYLOAD + 1];
	memset(buf, 'x', sizeof buf);
	uint32_t *rtt = malloc(MAX_SAMPLES * sizeof *rtt);
	if (!rtt)
		die_sys("malloc");
	const size_t len = (size_t)o->payload;
	const uint64_t limit = o->count > 0 ? (uint64_t)o->count : UINT64_MAX;
	uint64_t sent = 0, received = 0, lost = 0, kept = 0;
	wait_go(o);
	install_stop(o->seconds);
	const uint64_t t0 = now_ns();
	while (!stop_now && sent < limit) {
		/* The clock is read around the round trip only. */
		const uint64_t a = now_ns();
		if (send(fd, buf, len, 0) < 0) {
			if (errno == EINTR)
				continue;
			die_sys("send");
		}
		sent++;
		ssize_t n;
		while ((n = recv(fd, buf, sizeof buf, 0)) < 0 && errno == EINTR && !stop_now) {
		}
		if (n < 0) {
			lost++;
			continue;
		}
		const uint64_t b = now_ns();
		received++;
		if (kept < MAX_SAMPLES)
			rtt[kept++] = (uint32_t)((b - a) > UINT32_MAX ? UINT32_MAX : (b - a));
	}
	const uint64_t t1 = now_ns();
	printf("end\nsent=%llu\nreceived=%llu\nlost=%llu\nelapsed_ns=%llu\nsamples=%llu\n", (unsigned long long)sent,
	       (unsigned long long)received, (unsigned long long)lost, (unsigned long long)(t1 - t0), (unsigned long long)kept);
	if (kept > 0) {
		qsort(rtt, kept, sizeof *rtt, cmp_u32);
		double sum = 0;
		for (uint64_t i = 0; i < kept; i++)
			sum += rtt[i];
		/* Nearest-rank percentiles of the round-trip time, nanoseconds. */
		const double ps[] = {50, 90, 99, 99.9};
		const char *names[] = {"p50", "p90", "p99", "p999"};
		printf("rtt_min_ns=%u\nrtt_avg_ns=%.0f\n", rtt[0], sum / (double)kept);
		for (int i = 0; i < 4; i++) {
			uint64_t rank = (uint64_t)((ps[i] / 100.0) * (double)kept + 0.999999);
			if (rank < 1)
				rank = 1;
			if (rank > kept)
				rank = kept;
			printf("rtt_%s_ns=%u\n", names[i], rtt[rank - 1]);
		}
		printf("rtt_max_ns=%u\n", rtt[kept - 1]);
	}
	print_rusage();
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 2)
		die_usage("missing role (recv, send, pong or ping)");
	struct opts o = {argv[1], -1, -1, 64, 0, -1, 0, 0};
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--wait-go") == 0) {
			o.wait_go = 1;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "udp-blast: %s needs a value\n", a);
			exit(2);
		}
		const char *v = argv[++i];
		if (strcmp(a, "--port") == 0)
			o.port = (int)parse_num(a, v, 0, 65535);
		else if (strcmp(a, "--cpu") == 0)
			o.cpu = (int)parse_num(a, v, 0, CPU_SETSIZE - 1);
		else if (strcmp(a, "--seconds") == 0)
			o.seconds = parse_num(a, v, 1, MAX_SECONDS);
		else if (strcmp(a, "--payload") == 0)
			o.payload = (int)parse_num(a, v, 1, MAX_PAYLOAD);
		else if (strcmp(a, "--count") == 0)
			o.count = parse_num(a, v, 1, 1000000000000L);
		else if (strcmp(a, "--rate") == 0)
			o.rate = parse_num(a, v, 1, 100000000L);
		else if (strcmp(a, "--addr") == 0) {
			struct in_addr tmp;
			/* Loopback (127.0.0.0/8), or the kit's QEMU-guest subnet 10.99.0.0/24, which exists only
			 * between the two virtio-net devices of a guest booted by softnet-lab kernels: the tool
			 * never sends anywhere a network could carry it. */
			const uint32_t h = inet_pton(AF_INET, v, &tmp) == 1 ? ntohl(tmp.s_addr) : 0;
			if ((h >> 24) != 127 && (h >> 8) != ((10u << 16) | (99u << 8) | 0u)) {
				fprintf(stderr, "udp-blast: --addr: expected 127.x.y.z or the guest subnet 10.99.0.z, got \"%s\"\n", v);
				exit(2);
			}
			target_addr = v;
		}
		else {
			fprintf(stderr, "udp-blast: unknown option \"%s\" (allowed: --port, --cpu, --seconds, --payload, --count, --rate, --wait-go, --addr)\n", a);
			exit(2);
		}
	}
	if (o.port < 0)
		die_usage("--port is required");
	if (o.seconds < 0)
		die_usage("--seconds is required (1..600)");
	/* Die with the harness, whatever kills it; and never outlive the time limit by much. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pin(o.cpu);
	int is_server = strcmp(o.role, "recv") == 0 || strcmp(o.role, "pong") == 0;
	if (is_server) {
		/* Servers run until told to stop, bounded by their own limit. */
		install_stop(o.seconds);
		if (strcmp(o.role, "recv") == 0)
			return role_recv(&o);
		return role_pong(&o);
	}
	if (o.port == 0)
		die_usage("--port 0 is for servers only");
	if (strcmp(o.role, "send") == 0)
		return role_send(&o);
	if (strcmp(o.role, "ping") == 0) {
		if (o.rate)
			die_usage("--rate is for send only");
		return role_ping(&o);
	}
	die_usage("unknown role (allowed: recv, send, pong, ping)");
	return 2;
}
