package pcapfilter

import (
	"fmt"
	"strconv"
	"strings"
)

// LinkType is a link-layer header type (a DLT_ value).
type LinkType int

type linkTypeInfo struct {
	name, description string
}

var linkTypes = map[int]linkTypeInfo{
	DLTNull:      {"NULL", "BSD loopback"},
	DLTEN10MB:    {"EN10MB", "Ethernet"},
	DLTRaw:       {"RAW", "Raw IP"},
	DLTLoop:      {"LOOP", "OpenBSD loopback"},
	DLTLinuxSLL:  {"LINUX_SLL", "Linux cooked v1"},
	DLTIPv4:      {"IPV4", "Raw IPv4"},
	DLTIPv6:      {"IPV6", "Raw IPv6"},
	DLTLinuxSLL2: {"LINUX_SLL2", "Linux cooked v2"},
}

func linkTypeDescription(lt int) string {
	if lt == dltPPP {
		return "PPP"
	}
	if i, ok := linkTypes[lt]; ok {
		return i.description
	}
	return fmt.Sprintf("DLT %d", lt)
}

// String returns the link type's name as tcpdump -L prints it.
func (lt LinkType) String() string {
	if i, ok := linkTypes[lt.DLT()]; ok {
		return i.name
	}
	return fmt.Sprintf("DLT_%d", int(lt))
}

// ParseLinkType accepts a link type name as tcpdump -y does (EN10MB,
// LINUX_SLL2, RAW, ... with or without a DLT_ prefix) or a number.
func ParseLinkType(s string) (LinkType, error) {
	u := strings.TrimPrefix(strings.ToUpper(s), "DLT_")
	for v, i := range linkTypes {
		if i.name == u {
			if v == DLTNull {
				return LinkTypeNull, nil
			}
			return LinkType(v), nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil {
		if _, ok := linkTypes[n]; ok {
			if n == DLTNull {
				return LinkTypeNull, nil
			}
			return LinkType(n), nil
		}
	}
	return 0, fmt.Errorf("unsupported data link type %s", s)
}
