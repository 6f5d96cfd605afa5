//go:build unix

package tools

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/websocket"

	"github.com/gbpf/gbpf/hist"
)

// screenshotPath is where GBPF_UPDATE_SCREENSHOT=1 writes the page's
// picture that the README shows.
const screenshotPath = "../docs/serve.png"

// browser finds a Chromium to test the page with. Where the tests must not
// skip (CI, which installs it), a missing one fails the test.
func browser(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium: .ci/setup installs the Debian package chromium")
	}
	t.Skip("no chromium to test the page in (Debian package chromium; .ci/setup installs it)")
	return ""
}

// chrome is a headless Chromium driven through the DevTools protocol over
// a WebSocket: one page, commands sent and answered in turn.
type chrome struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

// startChrome starts headless Chromium with a width x height window and
// connects to its page.
func startChrome(t *testing.T, width, height int) *chrome {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, browser(t), "--headless", "--no-sandbox", "--disable-gpu",
		"--no-first-run", "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir="+filepath.Join(dir, "profile"), fmt.Sprintf("--window-size=%d,%d", width, height),
		"--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank")
	// Chromium starts helper processes: end them all with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	// "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID"
	found := make(chan string, 1)
	var log bytes.Buffer
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "DevTools listening on "); ok {
				found <- u
			} else {
				log.WriteString(sc.Text() + "\n")
			}
		}
		close(found)
	}()
	var browserURL string
	select {
	case browserURL = <-found:
	case <-time.After(60 * time.Second):
	}
	if browserURL == "" {
		t.Fatalf("chromium gave no DevTools address:\n%s", log.String())
	}
	u, err := url.Parse(browserURL)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + u.Host + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var targets []struct{ Type, WebSocketDebuggerURL string }
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, err := websocket.Dial(tg.WebSocketDebuggerURL, "", "http://127.0.0.1/")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ws.Close() })
			return &chrome{t: t, ws: ws}
		}
	}
	t.Fatalf("chromium has no page: %+v", targets)
	return nil
}

// call sends a DevTools command and decodes its result into result,
// skipping the events that come before the answer.
func (c *chrome) call(method string, params, result any) {
	c.t.Helper()
	c.id++
	c.ws.SetDeadline(time.Now().Add(60 * time.Second))
	if err := websocket.JSON.Send(c.ws, map[string]any{"id": c.id, "method": method, "params": params}); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := websocket.JSON.Receive(c.ws, &msg); err != nil {
			c.t.Fatalf("%s: %v", method, err)
		}
		if msg.ID != c.id {
			continue
		}
		if msg.Error != nil {
			c.t.Fatalf("%s: %s", method, msg.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(msg.Result, result); err != nil {
				c.t.Fatalf("%s: %v", method, err)
			}
		}
		return
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value
// (a string) into v.
func (c *chrome) eval(expr string) string {
	c.t.Helper()
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r)
	if r.ExceptionDetails != nil {
		c.t.Fatalf("%s: %s", expr, r.ExceptionDetails.Text)
	}
	s, _ := r.Result.Value.(string)
	return s
}

// dom returns the page's document as it is now.
func (c *chrome) dom() *html.Node {
	c.t.Helper()
	doc, err := html.Parse(strings.NewReader(c.eval("document.documentElement.outerHTML")))
	if err != nil {
		c.t.Fatal(err)
	}
	return doc
}

// screenshot returns the page's window as it is drawn now.
func (c *chrome) screenshot() image.Image {
	c.t.Helper()
	var r struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	c.call("Page.captureScreenshot", map[string]any{"format": "png"}, &r)
	img, err := png.Decode(bytes.NewReader(r.Data))
	if err != nil {
		c.t.Fatal(err)
	}
	if os.Getenv("GBPF_UPDATE_SCREENSHOT") != "" {
		writeSmallPNG(c.t, screenshotPath, img)
	}
	return img
}

// writeSmallPNG writes img to path with its 256 most frequent colours,
// each other pixel as the nearest of them: a page's screenshot, text and
// flat colours, loses nothing visible and shrinks by half or more.
func writeSmallPNG(t *testing.T, path string, img image.Image) {
	count := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	var pal color.Palette
	for c := range count {
		pal = append(pal, c)
	}
	slices.SortFunc(pal, func(x, y color.Color) int {
		cx, cy := x.(color.RGBA), y.(color.RGBA)
		if d := count[cy] - count[cx]; d != 0 {
			return d
		}
		return cmp.Compare(fmt.Sprint(cx), fmt.Sprint(cy))
	})
	if len(pal) > 256 {
		pal = pal[:256]
	}
	p := image.NewPaletted(b, pal)
	draw.Draw(p, b, img, b.Min, draw.Src)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(f, p); err != nil {
		t.Fatal(err)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the elements under n named tag that have attribute key
// (any element named tag if key is ""; with value val unless val is "").
func find(n *html.Node, tag, key, val string) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			if v, ok := attr(n, key); key == "" || ok && (val == "" || v == val) {
				out = append(out, n)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// inScale reports whether c is one of the heatmap's colours (yellow to
// dark red: red high, blue low, green not above red), not the empty cells'
// grey, the background's white or the labels' dark grey.
func inScale(r, g, b uint32) bool {
	return r >= 120 && b <= 170 && g <= r && r-b >= 80
}

// TestServePageBrowser loads gbpf serve's page in headless Chromium while
// the tools count the recordings replayed over a few seconds, and checks,
// through the DevTools protocol:
//
//   - that the page updates without reloading: the totals it shows rise
//     several times while a mark set on its window stays;
//   - once the replay is done, in the DOM, every histogram row with the
//     counts the oracles compute from the records, a title with each
//     tool's total, a heatmap per tool with as many non-empty cells as
//     /api/state has;
//   - in a screenshot, the heatmap's colours over about the area of those
//     cells and the empty cells' grey, and the bars' blue.
func TestServePageBrowser(t *testing.T) {
	browser(t)
	start := time.Now()
	// The browser first: the replay starts with the server, and the page
	// must see it under way.
	c := startChrome(t, 1100, 1300)
	launched := time.Since(start)
	addr, want := replayServer(t, 0.05, 250*time.Millisecond)
	c.call("Page.navigate", map[string]any{"url": "http://" + addr + "/"}, nil)

	// Watch the page while the replay runs.
	const watch = `(() => { if (!document.body) return "";
		if (window.gbpfMark === undefined) window.gbpfMark = performance.timeOrigin;
		return window.gbpfMark + "|" + performance.timeOrigin + "|" + [...document.querySelectorAll("section.tool h2")].map((h) => h.textContent).join(";"); })()`
	var shown []string
	complete := false
	deadline := time.Now().Add(60 * time.Second)
	for !complete {
		if time.Now().After(deadline) {
			t.Fatalf("the replay did not finish; the page showed %q", shown)
		}
		time.Sleep(100 * time.Millisecond)
		v := c.eval(watch)
		mark, rest, _ := strings.Cut(v, "|")
		origin, titles, _ := strings.Cut(rest, "|")
		if mark != origin {
			t.Fatalf("the page was reloaded: loaded at %s, first seen loaded at %s", origin, mark)
		}
		if titles != "" && (len(shown) == 0 || shown[len(shown)-1] != titles) {
			shown = append(shown, titles)
		}
		st := getState(t, addr)
		complete = len(st.Tools) == len(want)
		for _, ts := range st.Tools {
			var n uint64
			for _, h := range want[ts.Tool] {
				n += h.Total()
			}
			if ts.Total != n || !strings.Contains(titles, fmt.Sprintf("%s: %d events", ts.Tool, n)) {
				complete = false
			}
		}
	}
	replayed := time.Since(start) - launched
	t.Logf("the page showed %d different totals without reloading, from %q to %q", len(shown), shown[0], shown[len(shown)-1])
	if len(shown) < 3 {
		t.Errorf("the page showed %d different totals while the tools counted: %q", len(shown), shown)
	}
	st := getState(t, addr)
	checkState(t, st, want)
	doc := c.dom()
	img := c.screenshot()
	t.Logf("chromium started in %v, replay watched for %v, DOM and screenshot in %v",
		launched.Round(time.Millisecond), replayed.Round(time.Millisecond), (time.Since(start) - launched - replayed).Round(time.Millisecond))

	body := find(doc, "body", "data-updates", "")
	if len(body) != 1 {
		t.Fatal("no body[data-updates]: the page's script did not run")
	}
	if v, _ := attr(body[0], "data-updates"); v == "" || v == "0" || v == "1" {
		t.Errorf("the page updated %s times, want several", v)
	}
	if s := find(doc, "span", "id", "status"); len(s) != 1 || !strings.HasPrefix(text(s[0]), "updated ") {
		t.Errorf("status line missing or not updated")
	}
	for _, ts := range st.Tools {
		sec := find(doc, "section", "data-tool", ts.Tool)
		if len(sec) != 1 {
			t.Errorf("no section for %s", ts.Tool)
			continue
		}
		if h := find(sec[0], "h2", "", ""); len(h) != 1 || !strings.HasPrefix(text(h[0]), fmt.Sprintf("%s: %d events", ts.Tool, ts.Total)) {
			t.Errorf("%s: no title with the number of events", ts.Tool)
		}
		tables := find(sec[0], "table", "data-key", "")
		if len(tables) != len(want[ts.Tool]) {
			t.Errorf("%s: %d histogram tables, want %d", ts.Tool, len(tables), len(want[ts.Tool]))
		}
		for _, tab := range tables {
			key, _ := attr(tab, "data-key")
			w := want[ts.Tool][key]
			if w == nil {
				t.Errorf("%s: unexpected table %q", ts.Tool, key)
				continue
			}
			var got, exp []string
			for _, row := range find(tab, "tr", "data-count", "") {
				low, _ := attr(row, "data-low")
				high, _ := attr(row, "data-high")
				count, _ := attr(row, "data-count")
				got = append(got, low+"-"+high+":"+count)
				if cells := text(row); !strings.Contains(cells, low+" -> "+high) || !strings.Contains(cells, count) {
					t.Errorf("%s %s: row text %q", ts.Tool, key, cells)
				}
			}
			for _, b := range hist.ToJSON(w, ts.Unit).Data {
				exp = append(exp, fmt.Sprintf("%d-%d:%d", b.Start, b.End, b.Count))
			}
			if strings.Join(got, " ") != strings.Join(exp, " ") {
				t.Errorf("%s %s: the page shows\n%s\nwant\n%s", ts.Tool, key, got, exp)
			}
		}
		canvases := find(sec[0], "canvas", "data-plot", "")
		if len(canvases) != 1 {
			t.Errorf("%s: no heatmap drawn", ts.Tool)
			continue
		}
		checkHeatmapPixels(t, ts, canvases[0], img)
	}
	bars := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0x3b && g>>8 == 0x6f && b>>8 == 0xb6 {
				bars++
			}
		}
	}
	if bars < 100 {
		t.Errorf("%d pixels of the histograms' bar colour in the screenshot", bars)
	}
}

// checkHeatmapPixels checks that the screenshot shows the heatmap's cells:
// colours of the scale over about the area of the cells /api/state has
// events in, and the empty cells' grey elsewhere in the plot.
func checkHeatmapPixels(t *testing.T, ts ToolState, canvas *html.Node, img image.Image) {
	t.Helper()
	cells := 0
	for _, col := range ts.Heatmap.Counts {
		for _, c := range col {
			if c != 0 {
				cells++
			}
		}
	}
	if v, _ := attr(canvas, "data-cells"); v != strconv.Itoa(cells) {
		t.Errorf("%s heatmap: the page drew %s non-empty cells, /api/state has %d", ts.Tool, v, cells)
	}
	plot, _ := attr(canvas, "data-plot")
	var x, y, w, h int
	if _, err := fmt.Sscanf(plot, "%d,%d,%d,%d", &x, &y, &w, &h); err != nil || w <= 0 || h <= 0 {
		t.Fatalf("%s heatmap: data-plot %q", ts.Tool, plot)
	}
	area := image.Rect(x, y, x+w, y+h)
	if !area.In(img.Bounds()) {
		t.Fatalf("%s heatmap at %v is outside the %v screenshot", ts.Tool, area, img.Bounds())
	}
	coloured, grey := 0, 0
	for py := area.Min.Y; py < area.Max.Y; py++ {
		for px := area.Min.X; px < area.Max.X; px++ {
			r, g, b, _ := img.At(px, py).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			switch {
			case inScale(r, g, b):
				coloured++
			case r == 0xf2 && g == 0xf2 && b == 0xf2:
				grey++
			}
		}
	}
	// Cells are drawn pw/max(columns, 30) wide and ph/rows high.
	cols := max(len(ts.Heatmap.Counts), 30)
	cellArea := float64(w) / float64(cols) * float64(h) / float64(len(ts.Heatmap.Slots))
	expect := float64(cells) * cellArea
	t.Logf("%s heatmap: %d cells of %.0f px, %d coloured px (expected about %.0f), %d grey", ts.Tool, cells, cellArea, coloured, expect, grey)
	if float64(coloured) < 0.6*expect || float64(coloured) > 1.4*expect {
		t.Errorf("%s heatmap: %d pixels of the colour scale, want about %.0f (%d cells)", ts.Tool, coloured, expect, cells)
	}
	if grey == 0 {
		t.Errorf("%s heatmap: no empty cells drawn", ts.Tool)
	}
}
