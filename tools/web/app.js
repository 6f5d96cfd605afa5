// gbpf serve's page: polls api/state and draws each tool's histograms and
// a heatmap of its events per interval, without reloading.
"use strict";

// The heatmap's colours, from few events to many (ColorBrewer's YlOrRd).
const scale = [[255, 237, 160], [254, 178, 76], [240, 59, 32], [128, 0, 38]];
const emptyCell = "#f2f2f2";
const minColumns = 30;

function colour(t) {
	const x = Math.min(Math.max(t, 0), 1) * (scale.length - 1);
	const i = Math.min(Math.floor(x), scale.length - 2);
	const f = x - i;
	const c = scale[i].map((v, k) => Math.round(v + (scale[i + 1][k] - v) * f));
	return "rgb(" + c.join(",") + ")";
}

function el(tag, attrs, text) {
	const e = document.createElement(tag);
	for (const k in attrs || {}) {
		e.setAttribute(k, attrs[k]);
	}
	if (text !== undefined) {
		e.textContent = text;
	}
	return e;
}

// toolSection returns the section of a tool, made on first sight.
function toolSection(name) {
	let s = document.getElementById("tool-" + name);
	if (s) {
		return s;
	}
	s = el("section", {id: "tool-" + name, class: "tool", "data-tool": name});
	s.appendChild(el("h2"));
	const panes = el("div", {class: "panes"});
	panes.appendChild(el("div", {class: "hists"}));
	const fig = el("figure", {class: "heatmap"});
	fig.appendChild(el("canvas", {width: 640, height: 260}));
	fig.appendChild(el("figcaption"));
	panes.appendChild(fig);
	s.appendChild(panes);
	document.getElementById("tools").appendChild(s);
	return s;
}

// drawHists shows the histograms as bcc prints them: one row per slot
// from the first to the last non-empty one, with a bar.
function drawHists(box, tool) {
	box.replaceChildren();
	if (tool.hists.length === 0) {
		box.appendChild(el("p", {class: "none"}, "no events yet"));
	}
	for (const h of tool.hists) {
		const t = el("table", {class: "hist", "data-key": h.key, "data-total": h.hist.total});
		t.appendChild(el("caption", {}, h.key || tool.tool));
		const head = el("tr");
		head.appendChild(el("th", {}, tool.unit));
		head.appendChild(el("th", {}, "count"));
		head.appendChild(el("th", {}, "distribution"));
		t.appendChild(head);
		const max = Math.max(1, ...h.hist.data.map((b) => b.count));
		for (const b of h.hist.data) {
			const row = el("tr", {"data-low": b["interval-start"], "data-high": b["interval-end"], "data-count": b.count});
			if (b.count === 0) {
				row.className = "empty";
			}
			row.appendChild(el("td", {class: "range"}, b["interval-start"] + " -> " + b["interval-end"]));
			row.appendChild(el("td", {class: "count"}, String(b.count)));
			const bar = el("td", {class: "bar"});
			const fill = el("div");
			fill.style.width = (100 * b.count / max).toFixed(1) + "%";
			bar.appendChild(fill);
			row.appendChild(bar);
			t.appendChild(row);
		}
		box.appendChild(t);
	}
}

// drawHeatmap draws one column per interval (the newest on the right) and
// one row per log2 slot (the smallest values at the bottom), each cell
// coloured by its events on a log scale.
function drawHeatmap(canvas, caption, tool, intervalMS) {
	const hm = tool.heatmap;
	const ctx = canvas.getContext("2d");
	const W = canvas.width, H = canvas.height;
	const left = 96, bottom = 22, top = 4, right = 4;
	const pw = W - left - right, ph = H - top - bottom;
	ctx.clearRect(0, 0, W, H);
	ctx.fillStyle = emptyCell;
	ctx.fillRect(left, top, pw, ph);
	const cols = hm.counts.length, rows = hm.slots.length;
	let max = 0, cells = 0;
	for (const col of hm.counts) {
		for (const c of col) {
			max = Math.max(max, c);
			if (c > 0) {
				cells++;
			}
		}
	}
	const cw = pw / Math.max(cols, minColumns);
	const rh = rows > 0 ? ph / rows : ph;
	const x0 = left + pw - cols * cw;
	for (let i = 0; i < cols; i++) {
		for (let j = 0; j < rows; j++) {
			const c = hm.counts[i][j];
			if (c === 0) {
				continue;
			}
			ctx.fillStyle = colour(Math.log(1 + c) / Math.log(1 + max));
			ctx.fillRect(x0 + i * cw, top + ph - (j + 1) * rh, Math.ceil(cw), Math.ceil(rh));
		}
	}
	// Row labels: every row while they fit, else every other.
	ctx.fillStyle = "#333";
	ctx.font = "11px ui-monospace, monospace";
	ctx.textAlign = "right";
	ctx.textBaseline = "middle";
	const step = rh >= 12 ? 1 : Math.ceil(12 / rh);
	for (let j = 0; j < rows; j += step) {
		const s = hm.slots[j];
		ctx.fillText(s[0] + "-" + s[1], left - 6, top + ph - (j + 0.5) * rh);
	}
	ctx.textAlign = "center";
	ctx.textBaseline = "top";
	if (cols > 0) {
		const span = (hm.times[cols - 1] - hm.times[0]) / 1000;
		ctx.fillText("-" + span.toFixed(span < 10 ? 1 : 0) + " s", x0 + cw / 2, top + ph + 4);
		ctx.fillText("now", left + pw - cw / 2, top + ph + 4);
	}
	canvas.dataset.columns = cols;
	canvas.dataset.rows = rows;
	canvas.dataset.cells = cells;
	canvas.dataset.max = max;
	// Where the cells are, in CSS pixels of the page, for whoever checks
	// the picture.
	const r = canvas.getBoundingClientRect();
	const sx = r.width / W, sy = r.height / H;
	canvas.dataset.plot = [r.left + window.scrollX + left * sx, r.top + window.scrollY + top * sy, pw * sx, ph * sy].map(Math.round).join(",");
	caption.textContent = "events per " + (intervalMS / 1000) + " s interval by " + tool.unit + ", the last " + cols + " intervals; darker is more (at most " + max + ")";
}

function render(state) {
	for (const tool of state.tools) {
		const s = toolSection(tool.tool);
		let title = tool.tool + ": " + tool.total + " events (" + tool.unit + ", mode " + tool.mode;
		if (tool.mode === "copy") {
			title += ", " + tool.records + " records, " + tool.lost + " lost, " + tool.faults + " faults";
		}
		s.querySelector("h2").textContent = title + ")";
		drawHists(s.querySelector(".hists"), tool);
		drawHeatmap(s.querySelector("canvas"), s.querySelector("figcaption"), tool, state.interval_ms);
	}
	const status = document.getElementById("status");
	status.textContent = "updated " + new Date(state.updated).toLocaleTimeString() + (state.error ? ": " + state.error : "");
	status.className = state.error ? "error" : "";
	document.body.dataset.updates = Number(document.body.dataset.updates) + 1;
}

async function poll() {
	let wait = 1000;
	try {
		const resp = await fetch("api/state", {cache: "no-store"});
		if (!resp.ok) {
			throw new Error(resp.status + " " + resp.statusText);
		}
		const state = await resp.json();
		wait = Math.max(250, state.interval_ms);
		render(state);
	} catch (err) {
		const status = document.getElementById("status");
		status.textContent = "not updating: " + err.message;
		status.className = "error";
	}
	setTimeout(poll, wait);
}

poll();
