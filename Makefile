# make man writes the man pages of every gbpf command into man/man1 (from
# the commands' own help, by the hidden `gbpf man`); make install-man
# installs them under $(DESTDIR)$(MANDIR). Go builds and tests need no make.

PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
GO ?= go

.PHONY: man install-man clean-man

# Built rather than run with go run, so that the pages name the commit.
man:
	mkdir -p man
	$(GO) build -buildvcs=auto -o man/gbpf ./cmd/gbpf
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || date +%s) man/gbpf man man/man1
	rm man/gbpf

install-man: man
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/

clean-man:
	rm -rf man
