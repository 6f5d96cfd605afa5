// Package provenance checks that no source file of gbpf is a copy or a
// translation of GPL-licensed code.
//
// A translation from C to Go keeps what a reader would recognise: the
// sequence of names, numbers and operators, and the comments. The checker
// reduces both languages to one token stream — identifiers folded to
// lower case without underscores (check_mem_access and checkMemAccess are
// one token), numbers by value, operators with C's -> read as Go's .,
// string literals and the punctuation and keywords that differ between the
// languages left out — and comments to their words. It then finds the
// longest runs of consecutive tokens (and comment words) that a checked
// file shares with the reference corpus, by hashing every window of K
// tokens, the way plagiarism detectors compare programs.
//
// Short shared runs are expected: both sides name the same opcodes, the
// same registers and the same helper ids. A run of MinCodeRun tokens or
// MinCommentRun comment words is what a file written independently does
// not share by chance; [Check] reports every such run.
package provenance

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

const (
	// K is the window length, in tokens, of the hashed fingerprints.
	K = 8
	// MinCodeRun is the shortest run of shared code tokens reported.
	MinCodeRun = 60
	// MinCommentRun is the shortest run of shared comment words reported.
	MinCommentRun = 20
)

// A Token is one element of a normalised stream and where it came from.
type Token struct {
	Text string
	Line int
}

// Source is one file's normalised streams.
type Source struct {
	Name     string
	Code     []Token // names, numbers and operators
	Comments []Token // words of comments
}

// dropped are the keywords and type names that a translation between C
// and Go changes or removes; they carry no information about copying.
var dropped = map[string]bool{
	// C
	"static": true, "inline": true, "const": true, "struct": true, "unsigned": true,
	"int": true, "long": true, "char": true, "void": true, "bool": true, "enum": true,
	"u8": true, "u16": true, "u32": true, "u64": true, "s8": true, "s16": true,
	"s32": true, "s64": true, "size_t": true, "sizet": true, "__u8": true, "__u16": true,
	"__u32": true, "__u64": true, "__s32": true, "__s64": true, "__always_inline": true,
	"__alwaysinline": true, "typedef": true, "union": true, "extern": true, "sizeof": true,
	"unlikely": true, "likely": true, "goto": true, "null": true, "true": true, "false": true,
	"break": true, "continue": true, "default": true, "case": true, "switch": true,
	// Go
	"func": true, "var": true, "type": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "int8": true, "int16": true, "int32": true, "int64": true, "uint": true,
	"byte": true, "nil": true, "package": true, "import": true, "range": true, "go": true,
	"defer": true, "chan": true, "map": true, "interface": true, "fallthrough": true,
	"err": true, "error": true, "string": true,
}

// operators are the multi-character operators recognised, longest first.
var operators = []string{
	"<<=", ">>=", "&^=", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "++", "--", ":=", "&^",
}

// kept are the single-character operators kept in the stream; brackets,
// separators and dereference/address marks differ between the languages.
const kept = "+-/%<>=!^|~?."

// Parse normalises a C or Go source text.
func Parse(name string, text []byte) *Source {
	s := &Source{Name: name}
	src := string(text)
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\\':
			i++
		case strings.HasPrefix(src[i:], "//"):
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			s.words(src[i+2:i+end], line)
			i += end
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				end = len(src) - i - 2
			}
			body := src[i+2 : i+2+end]
			s.words(body, line)
			line += strings.Count(body, "\n")
			i += 2 + end + 2
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' && c != '`' {
					j++
				} else if src[j] == '\n' {
					line++
				}
				j++
			}
			i = j + 1
		case c == '#' && (i == 0 || src[i-1] == '\n'):
			// Preprocessor lines: keep #define bodies as code, skip the rest.
			end := strings.IndexByte(src[i:], '\n')
			if end < 0 {
				end = len(src) - i
			}
			if rest := src[i+1 : i+end]; !strings.HasPrefix(strings.TrimSpace(rest), "define") {
				i += end
				continue
			}
			i += len("#")
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			word := strings.ToLower(src[i:j])
			if !dropped[word] {
				s.Code = append(s.Code, Token{strings.ReplaceAll(word, "_", ""), line})
			}
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (isIdentPart(src[j]) || src[j] == '.') {
				j++
			}
			s.Code = append(s.Code, Token{number(src[i:j]), line})
			i = j
		default:
			op := ""
			for _, o := range operators {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				op = src[i : i+1]
				if !strings.Contains(kept, op) {
					i++
					continue
				}
			}
			i += len(op)
			for _, t := range strings.Fields(equivalent(op)) {
				s.Code = append(s.Code, Token{t, line})
			}
		}
	}
	return s
}

// equivalent returns the C spelling of a Go operator (and "." for C's
// "->"): Go's := declares what C declares and then assigns with =, and Go's
// and-not is C's & ~ (the & itself is not kept).
func equivalent(op string) string {
	switch op {
	case "->":
		return "."
	case ":=":
		return "="
	case "&^":
		return "~"
	case "&^=":
		return "&= ~"
	}
	return op
}

// words appends the words of a comment.
func (s *Source) words(text string, line int) {
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		if r == '\n' {
			return true
		}
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}) {
		s.Comments = append(s.Comments, Token{strings.ToLower(f), line})
	}
	// Count the lines the words of a block comment span only roughly:
	// each comment's words carry the line it starts on.
}

// number returns a numeric literal's value in decimal, or the literal.
func number(lit string) string {
	t := strings.TrimRight(strings.ToLower(lit), "ul")
	if v, err := strconv.ParseUint(strings.ReplaceAll(t, "_", ""), 0, 64); err == nil {
		return strconv.FormatUint(v, 10)
	}
	return lit
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// A Corpus is the reference code, indexed by window hash.
type Corpus struct {
	seed     maphash.Seed
	code     map[uint64]place
	comments map[uint64]place
	files    []string
}

// place is where a window first occurs in the corpus.
type place struct {
	file int32
	line int32
}

// NewCorpus returns an empty corpus.
func NewCorpus() *Corpus {
	return &Corpus{seed: maphash.MakeSeed(), code: map[uint64]place{}, comments: map[uint64]place{}}
}

// Add indexes one reference file.
func (c *Corpus) Add(s *Source) {
	id := int32(len(c.files))
	c.files = append(c.files, s.Name)
	c.index(c.code, s.Code, id)
	c.index(c.comments, s.Comments, id)
}

func (c *Corpus) index(into map[uint64]place, toks []Token, file int32) {
	for i := 0; i+K <= len(toks); i++ {
		h := c.window(toks[i : i+K])
		if _, ok := into[h]; !ok {
			into[h] = place{file, int32(toks[i].Line)}
		}
	}
}

func (c *Corpus) window(toks []Token) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, t := range toks {
		h.WriteString(t.Text)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// A Match is a run of tokens a checked file shares with the corpus.
type Match struct {
	File      string // the checked file
	Line      int    // its first line
	EndLine   int    // its last line
	Tokens    int    // run length in tokens (comment words for comments)
	Comment   bool   // the run is comment text
	Reference string // corpus file holding the run's first window
	RefLine   int    // and its line there
}

func (m Match) String() string {
	kind := "code tokens"
	if m.Comment {
		kind = "comment words"
	}
	return fmt.Sprintf("%s:%d-%d: %d %s shared with %s:%d", m.File, m.Line, m.EndLine, m.Tokens, kind, m.Reference, m.RefLine)
}

// Check returns the runs of s at least MinCodeRun code tokens or
// MinCommentRun comment words long that the corpus also holds.
func (c *Corpus) Check(s *Source) []Match {
	out := c.runs(s, s.Code, c.code, MinCodeRun, false)
	return append(out, c.runs(s, s.Comments, c.comments, MinCommentRun, true)...)
}

// Longest returns the longest shared code run and comment run of s, for
// reporting how far the closest file is from the thresholds.
func (c *Corpus) Longest(s *Source) (code, comment Match) {
	if r := c.runs(s, s.Code, c.code, K, false); len(r) > 0 {
		code = slices.MaxFunc(r, func(a, b Match) int { return a.Tokens - b.Tokens })
	}
	if r := c.runs(s, s.Comments, c.comments, K, true); len(r) > 0 {
		comment = slices.MaxFunc(r, func(a, b Match) int { return a.Tokens - b.Tokens })
	}
	return code, comment
}

func (c *Corpus) runs(s *Source, toks []Token, index map[uint64]place, min int, comment bool) []Match {
	var out []Match
	start := -1
	var first place
	flush := func(end int) { // windows start..end-1 matched
		if start < 0 {
			return
		}
		n := end - start - 1 + K
		if n >= min {
			out = append(out, Match{
				File: s.Name, Line: toks[start].Line, EndLine: toks[end-1+K-1].Line,
				Tokens: n, Comment: comment,
				Reference: c.files[first.file], RefLine: int(first.line),
			})
		}
		start = -1
	}
	for i := 0; i+K <= len(toks); i++ {
		p, ok := index[c.window(toks[i:i+K])]
		if !ok {
			flush(i)
			continue
		}
		if start < 0 {
			start, first = i, p
		}
	}
	flush(max(len(toks)-K+1, 0))
	return out
}

// Span is the length, in code tokens, of the stretch over which
// [Corpus.Coverage] measures how much of a file the corpus holds.
const Span = 200

// MinCoverage is the share of a Span's windows found in the corpus at
// which the stretch is reported: a translation that renames, reorders
// declarations or splits expressions breaks long runs but keeps most
// windows.
const MinCoverage = 0.35

// Coverage returns the densest stretch of Span code tokens of s: the share
// of its K-token windows that the corpus holds, and where it is (Tokens is
// the number of windows found). Files shorter than Span are measured whole,
// but the share is taken of at least Span/2 windows, so that a short header
// sharing a few interface macros is not a dense stretch.
func (c *Corpus) Coverage(s *Source) (float64, Match) {
	n := len(s.Code) - K + 1
	if n <= 0 {
		return 0, Match{}
	}
	hit := make([]bool, n)
	for i := range n {
		_, hit[i] = c.code[c.window(s.Code[i:i+K])]
	}
	span := min(Span-K+1, n)
	count := 0
	for i := range span {
		if hit[i] {
			count++
		}
	}
	best, at := count, 0
	for i := span; i < n; i++ {
		if hit[i] {
			count++
		}
		if hit[i-span] {
			count--
		}
		if count > best {
			best, at = count, i-span+1
		}
	}
	m := Match{File: s.Name, Line: s.Code[at].Line, EndLine: s.Code[at+span-1+K-1].Line, Tokens: best}
	for i := at; i < at+span; i++ {
		if hit[i] {
			p := c.code[c.window(s.Code[i:i+K])]
			m.Reference, m.RefLine = c.files[p.file], int(p.line)
			break
		}
	}
	return float64(best) / float64(max(span, Span/2)), m
}
