// libpcap_filter times libpcap's own BPF interpreter (pcap_offline_filter)
// on the packets of cbpf's benchmarks, for comparison with gbpf's VM and
// JIT in the same run. Build: cc -O2 libpcap_filter.c -lpcap
// Usage: libpcap_filter 'EXPR' N ROUNDS
// Prints one line per packet: "<name> <ns per packet, best round> <verdict>".
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }

// packet fills p like benchPacket in bench_test.go: a 1500-byte
// Ethernet/IPv4/TCP packet from src to 10.0.0.9, port dport.
static void packet(uint8_t *p, const uint8_t src[4], uint16_t dport) {
	memset(p, 0, 1500);
	put16(p + 12, 0x0800);
	p[14] = 0x45;
	put16(p + 16, 1500 - 14);
	p[23] = 6;
	memcpy(p + 26, src, 4);
	const uint8_t dst[4] = {10, 0, 0, 9};
	memcpy(p + 30, dst, 4);
	put16(p + 34, 40000);
	put16(p + 36, dport);
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 4) {
		fprintf(stderr, "usage: %s EXPR N ROUNDS\n", argv[0]);
		return 2;
	}
	long n = atol(argv[2]), rounds = atol(argv[3]);
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;
	if (p == NULL || pcap_compile(p, &prog, argv[1], 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fprintf(stderr, "compile: %s\n", p ? pcap_geterr(p) : "pcap_open_dead failed");
		return 1;
	}
	static uint8_t pkts[2][1500];
	const uint8_t a[4] = {10, 0, 0, 2}, b[4] = {10, 0, 0, 1};
	packet(pkts[0], a, 80);
	packet(pkts[1], b, 443);
	const char *names[2] = {"match", "nomatch"};
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.caplen = h.len = 1500;
	for (int i = 0; i < 2; i++) {
		double best = 0;
		volatile int verdict = 0;
		for (long r = 0; r < rounds; r++) {
			double start = now();
			for (long j = 0; j < n; j++)
				verdict = pcap_offline_filter(&prog, &h, pkts[i]);
			double d = (now() - start) / n;
			if (r == 0 || d < best)
				best = d;
		}
		printf("%s %.2f %d\n", names[i], best, verdict);
	}
	pcap_freecode(&prog);
	pcap_close(p);
	return 0;
}
