// Package pcapfilter compiles the pcap-filter language of tcpdump and
// libpcap ("tcp port 80 and host 10.0.0.1") to classic BPF.
//
// The compiler follows libpcap 1.10's code generator block for block, so
// that the program it prints with Format equals what tcpdump -d prints for
// the same expression, both unoptimised (tcpdump -O) and with libpcap's
// optimiser. Accepting filters return the snapshot length, like libpcap's.
//
// Compile reports errors as *Error values that carry the byte offset in
// the expression and a message worded like tcpdump's.
package pcapfilter
